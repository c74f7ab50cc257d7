package policy

import (
	"time"
)

// DecisionMediaType is the media type of a marshalled [Decision]. Its version
// changes whenever a key is added, removed or changes meaning.
const DecisionMediaType = "application/vnd.hubgate.decision+json;version=0.1"

// Digest maps an algorithm name ("sha256", "sha512") to a lower-case hex
// value. JSON marshals it with sorted keys.
type Digest map[string]string

// Subject is one artifact the release ships.
type Subject struct {
	// Name is the file name the subject is known by, as checksums list it.
	Name string `json:"name"`
	// Digest holds the digests computed from the bytes, or given by the
	// caller with --subject-digest.
	Digest Digest `json:"digest"`
	// Size is the size in bytes when the subject was hashed, 0 otherwise.
	Size int64 `json:"size,omitempty"`
}

// PolicyRef identifies the exact registry and rules a decision was made by.
type PolicyRef struct {
	// Digest is "sha256:<hex>" over the registry and Rego sources.
	Digest string `json:"digest"`
}

// Input names one evidence file the decision read, with the digest of the
// bytes that were read. It lets a reader, or a VSA, tie the decision to its
// inputs without carrying the evidence itself.
type Input struct {
	Kind   EvidenceKind `json:"kind"`
	Role   string       `json:"role,omitempty"`
	Path   string       `json:"path"`
	Digest Digest       `json:"digest,omitempty"`
}

// Check is the outcome of one evidence kind: the worst of its findings, pass
// when it has none.
type Check struct {
	Kind    EvidenceKind `json:"kind"`
	Outcome Outcome      `json:"outcome"`
	// Findings counts the findings of this kind, waived ones included.
	Findings int `json:"findings"`
}

// Decision is hubgate's answer for one release: may it ship, and why.
type Decision struct {
	MediaType string `json:"mediaType"`
	// ID is derived from the policy digest, the inputs and the time, so the
	// same inputs give the same id.
	ID       string    `json:"id"`
	Outcome  Outcome   `json:"outcome"`
	Allowed  bool      `json:"allowed"`
	Repo     string    `json:"repo"`
	Subjects []Subject `json:"subjects"`
	Policy   PolicyRef `json:"policy"`
	Inputs   []Input   `json:"inputs"`
	Checks   []Check   `json:"checks"`
	Findings []Finding `json:"findings"`
	// Time is the evaluation time (--now), in UTC.
	Time time.Time `json:"time"`
}

// Finding is one judgement about the evidence, produced by a rule.
type Finding struct {
	// Rule is the stable rule id, "<kind>.<name>".
	Rule     string   `json:"rule"`
	Outcome  Outcome  `json:"outcome"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Evidence is the file the finding is about, as given on the command line.
	Evidence string `json:"evidence"`
	// Path is the field or element inside Evidence, such as
	// "predicate.runDetails.builder.id" or "components[3].purl"; empty for
	// line-oriented files, whose position is Line.
	Path string `json:"path"`
	// Line is the 1-based line in Evidence, 0 when it has none.
	Line int `json:"line"`
	// Target is what the finding is about (a subject name, a host, a purl).
	// Waivers match on it.
	Target      string `json:"target"`
	Expected    string `json:"expected"`
	Actual      string `json:"actual"`
	Remediation string `json:"remediation"`
	// Waiver is the waiver that silenced this finding, nil when none did.
	Waiver *Waiver `json:"waiver"`
}

// Kind returns the evidence kind in the rule id, the part before the first dot.
func (f Finding) Kind() EvidenceKind {
	for i := 0; i < len(f.Rule); i++ {
		if f.Rule[i] == '.' {
			return EvidenceKind(f.Rule[:i])
		}
	}
	return EvidenceKind(f.Rule)
}

// Effective returns the outcome the finding contributes to its check: pass
// when a waiver silenced it, its own outcome otherwise.
func (f Finding) Effective() Outcome {
	if f.Waiver != nil {
		return OutcomePass
	}
	return f.Outcome
}

// Fold returns the worst effective outcome of the findings, or
// [OutcomePass] when there are none.
func Fold(findings []Finding) Outcome {
	o := OutcomePass
	for _, f := range findings {
		o = o.Worse(f.Effective())
	}
	return o
}

// Waiver lets a known finding through until it expires.
type Waiver struct {
	// Rule is the rule id the waiver silences.
	Rule string `json:"rule"`
	// Target, when set, limits the waiver to findings with this target.
	Target string `json:"target,omitempty"`
	Reason string `json:"reason"`
	Owner  string `json:"owner"`
	// Expires is the first instant the waiver no longer applies.
	Expires time.Time `json:"expires"`
}

// Matches reports whether w names f: the same rule, and the same target when w has one.
func (w Waiver) Matches(f Finding) bool {
	return w.Rule == f.Rule && (w.Target == "" || w.Target == f.Target)
}

// Expired reports whether w no longer applies at now.
func (w Waiver) Expired(now time.Time) bool { return !now.Before(w.Expires) }

// RuleInfo describes a rule for catalogues and renderers. It comes from the
// rule's METADATA block.
type RuleInfo struct {
	ID          string       `json:"id"`
	Kind        EvidenceKind `json:"kind"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Severity    Severity     `json:"severity"`
	Remediation string       `json:"remediation"`
	// Source is the rule's "file:line".
	Source string `json:"source"`
}
