package policy

import (
	"fmt"
)

// Outcome is the result of a finding, a check or a whole decision. Larger is
// worse: the fold of many outcomes is their maximum. The zero value,
// [OutcomeUnknown], never means pass.
type Outcome uint8

const (
	// OutcomeUnknown is the zero value: nothing was decided. It is not allowed.
	OutcomeUnknown Outcome = iota
	// OutcomePass means the check ran and found nothing wrong.
	OutcomePass
	// OutcomeWarn means something should be looked at; it does not block.
	OutcomeWarn
	// OutcomeFail means the evidence does not satisfy the policy; it blocks.
	OutcomeFail
	// OutcomeError means the evidence could not be read or verified; it blocks.
	OutcomeError
)

var outcomeNames = [...]string{"unknown", "pass", "warn", "fail", "error"}

// String returns the lower-case name of o.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// MarshalText implements [encoding.TextMarshaler].
func (o Outcome) MarshalText() ([]byte, error) {
	if int(o) >= len(outcomeNames) {
		return nil, fmt.Errorf("invalid outcome %d", uint8(o))
	}
	return []byte(outcomeNames[o]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// ParseOutcome parses the name of an outcome.
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return OutcomeUnknown, fmt.Errorf("unknown outcome %q: want one of pass, warn, fail, error", s)
}

// Worse returns the worse of o and p.
func (o Outcome) Worse(p Outcome) Outcome {
	if p > o {
		return p
	}
	return o
}

// Allowed reports whether a decision with outcome o lets the release ship:
// only pass and warn do.
func (o Outcome) Allowed() bool {
	return o == OutcomePass || o == OutcomeWarn
}

// Blocks reports whether a finding with outcome o denies the release.
func (o Outcome) Blocks() bool {
	return o == OutcomeFail || o == OutcomeError
}

// Severity says how much a finding matters. The zero value is unknown.
type Severity uint8

const (
	// SeverityUnknown is the zero value.
	SeverityUnknown Severity = iota
	// SeverityInfo is for notes that explain a decision.
	SeverityInfo
	// SeverityLow is for hygiene issues.
	SeverityLow
	// SeverityMedium is for weaknesses that need a fix soon.
	SeverityMedium
	// SeverityHigh is for problems an attacker can use.
	SeverityHigh
	// SeverityCritical is for a broken chain of trust.
	SeverityCritical
)

var severityNames = [...]string{"unknown", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name of s.
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText implements [encoding.TextMarshaler].
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) {
		return nil, fmt.Errorf("invalid severity %d", uint8(s))
	}
	return []byte(severityNames[s]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity parses the name of a severity.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q: want one of info, low, medium, high, critical", s)
}

// SecurityScore maps s to the 0–10 scale that GitHub code scanning reads from
// SARIF's security-severity property.
func (s Severity) SecurityScore() string {
	switch s {
	case SeverityCritical:
		return "9.5"
	case SeverityHigh:
		return "8.0"
	case SeverityMedium:
		return "5.5"
	case SeverityLow:
		return "2.0"
	default:
		return "0.0"
	}
}
