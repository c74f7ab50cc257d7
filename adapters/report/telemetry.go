package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/policy"
)

// DecisionLogSchema names the shape of a decision-log line.
const DecisionLogSchema = "hubgate.decision-log.v1"

// RulesDocURI is the page that documents the built-in rules; a rule's
// docs_uri in policies[] entries is this page with the rule id as fragment.
const RulesDocURI = "https://github.com/cicd-hub/hubgate/blob/main/rego/README.md"

// maxLogMessage bounds a finding message in a decision-log line (bytes).
const maxLogMessage = 1024

// DecisionLogLine is one line of the decision log. It carries what a
// warehouse needs to count and trace decisions, and never the evidence
// itself: files are named and tied to the decision by their digests.
type DecisionLogLine struct {
	Schema       string           `json:"schema"`
	DecisionID   string           `json:"decision_id"`
	Time         string           `json:"time"`
	TimeNS       int64            `json:"time_ns"`
	Repo         string           `json:"repo"`
	Subjects     []policy.Subject `json:"subjects"`
	Outcome      string           `json:"outcome"`
	Allowed      bool             `json:"allowed"`
	PolicyDigest string           `json:"policy_digest"`
	Inputs       []LogInput       `json:"inputs"`
	Findings     []LogFinding     `json:"findings"`
}

// LogInput is an evidence file the decision read, by name and digest.
type LogInput struct {
	Kind   string        `json:"kind"`
	Role   string        `json:"role,omitempty"`
	Path   string        `json:"path"`
	Digest policy.Digest `json:"digest,omitempty"`
}

// LogFinding is a finding in a decision-log line: what rule said what about
// which target, without expected/actual values copied from evidence.
type LogFinding struct {
	Rule     string `json:"rule"`
	Outcome  string `json:"outcome"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Evidence string `json:"evidence,omitempty"`
	Path     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Target   string `json:"target,omitempty"`
	Waived   bool   `json:"waived"`
	// WaiverOwner and WaiverExpires say who let a waived finding through
	// and until when.
	WaiverOwner   string `json:"waiver_owner,omitempty"`
	WaiverExpires string `json:"waiver_expires,omitempty"`
}

// NewDecisionLogLine builds the decision-log line of d.
func NewDecisionLogLine(d *policy.Decision) DecisionLogLine {
	l := DecisionLogLine{
		Schema:       DecisionLogSchema,
		DecisionID:   d.ID,
		Time:         d.Time.UTC().Format(time.RFC3339Nano),
		TimeNS:       timeNS(d.Time),
		Repo:         d.Repo,
		Subjects:     d.Subjects,
		Outcome:      d.Outcome.String(),
		Allowed:      d.Allowed,
		PolicyDigest: d.Policy.Digest,
		Inputs:       make([]LogInput, 0, len(d.Inputs)),
		Findings:     make([]LogFinding, 0, len(d.Findings)),
	}
	if l.Subjects == nil {
		l.Subjects = []policy.Subject{}
	}
	for _, in := range d.Inputs {
		l.Inputs = append(l.Inputs, LogInput{Kind: string(in.Kind), Role: in.Role, Path: in.Path, Digest: in.Digest})
	}
	for _, f := range d.Findings {
		lf := LogFinding{
			Rule: f.Rule, Outcome: f.Outcome.String(), Severity: f.Severity.String(),
			Message:  truncateUTF8(f.Message, maxLogMessage),
			Evidence: f.Evidence, Path: f.Path, Line: f.Line, Target: f.Target,
			Waived: f.Waiver != nil,
		}
		if f.Waiver != nil {
			lf.WaiverOwner = f.Waiver.Owner
			lf.WaiverExpires = f.Waiver.Expires.UTC().Format(time.RFC3339)
		}
		l.Findings = append(l.Findings, lf)
	}
	return l
}

// WriteDecisionLog appends one NDJSON line for d to w in a single Write, so
// that concurrent appenders to an O_APPEND file do not interleave lines.
func WriteDecisionLog(w io.Writer, d *policy.Decision) error {
	if d == nil {
		return fmt.Errorf("decision log: no decision")
	}
	b, err := json.Marshal(NewDecisionLogLine(d))
	if err != nil {
		return fmt.Errorf("decision log: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("decision log: %w", err)
	}
	return nil
}

// PolicyEntry is one entry of a pipeline_run.v1.2 record's policies[].
type PolicyEntry struct {
	ID      string `json:"id"`
	Result  string `json:"result"` // allow | deny | warn
	Reason  string `json:"reason,omitempty"`
	DocsURI string `json:"docs_uri,omitempty"`
	TimeNS  int64  `json:"time_ns"`
}

// PipelineRunPolicies is what WritePipelineRun writes: the policies[] part of
// a pipeline_run.v1.2 record, to merge into the record the hub assembles.
type PipelineRunPolicies struct {
	Policies []PolicyEntry `json:"policies"`
}

// PolicyEntries turns d into pipeline_run.v1.2 policies[] entries: first
// "hubgate", the decision as a whole (allow, warn or deny, with a count of
// blocking findings and the decision id), then one entry per rule, in
// catalogue order, then rules that are not in the catalogue in finding
// order. A rule's result is the worst of its unwaived findings (fail and
// error deny; warn warns; none allows). time_ns is the evaluation time in
// nanoseconds since the Unix epoch.
func PolicyEntries(d *policy.Decision, rules []policy.RuleInfo) []PolicyEntry {
	ts := timeNS(d.Time)
	per := map[string][]policy.Finding{}
	var extra []string
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	for _, f := range d.Findings {
		if _, seen := per[f.Rule]; !seen && !known[f.Rule] {
			extra = append(extra, f.Rule)
		}
		per[f.Rule] = append(per[f.Rule], f)
	}
	blocking, warns := 0, 0
	for _, f := range d.Findings {
		switch e := f.Effective(); {
		case e.Blocks() || e == policy.OutcomeUnknown:
			blocking++
		case e == policy.OutcomeWarn:
			warns++
		}
	}
	overall := "deny"
	if d.Allowed && d.Outcome.Allowed() {
		overall = "allow"
		if d.Outcome == policy.OutcomeWarn {
			overall = "warn"
		}
	}
	out := []PolicyEntry{{
		ID:     "hubgate",
		Result: overall,
		Reason: fmt.Sprintf("hubgate %s: %d blocking, %d warning finding(s); decision %s", d.Outcome, blocking, warns, d.ID),
		TimeNS: ts,
	}}
	entry := func(id string, documented bool) PolicyEntry {
		fs := per[id]
		e := PolicyEntry{ID: id, Result: "allow", Reason: "no findings", TimeNS: ts}
		if documented {
			e.DocsURI = RulesDocURI + "#" + anchor(id)
		}
		o := policy.Fold(fs)
		switch {
		case o.Blocks() || o == policy.OutcomeUnknown:
			e.Result = "deny"
		case o == policy.OutcomeWarn:
			e.Result = "warn"
		}
		if len(fs) > 0 {
			var first *policy.Finding
			for i := range fs {
				if fs[i].Effective() == o {
					first = &fs[i]
					break
				}
			}
			if first == nil {
				first = &fs[0]
			}
			e.Reason = truncateUTF8(Sanitize(first.Message), maxLogMessage)
			if first.Waiver != nil {
				e.Reason = "waived: " + e.Reason
			}
			if len(fs) > 1 {
				e.Reason += fmt.Sprintf(" (and %d more)", len(fs)-1)
			}
		}
		return e
	}
	for _, r := range rules {
		out = append(out, entry(r.ID, true))
	}
	for _, id := range extra {
		out = append(out, entry(id, false))
	}
	return out
}

// WritePipelineRun writes d as {"policies": [...]} (see [PolicyEntries]),
// one JSON object and a newline, ready to merge into the hub's
// pipeline_run.v1.2 record.
func WritePipelineRun(w io.Writer, d *policy.Decision, rules []policy.RuleInfo) error {
	if d == nil {
		return fmt.Errorf("pipeline run: no decision")
	}
	b, err := json.Marshal(PipelineRunPolicies{Policies: PolicyEntries(d, rules)})
	if err != nil {
		return fmt.Errorf("pipeline run: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("pipeline run: %w", err)
	}
	return nil
}

// anchor is the Markdown heading anchor of a rule id.
func anchor(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return -1
	}, id)
}

// timeNS is t in nanoseconds since the Unix epoch, 0 outside what int64
// nanoseconds can hold from 1970 on (the schema's minimum is 0).
func timeNS(t time.Time) int64 {
	if t.Before(time.Unix(0, 0)) || t.After(time.Unix(0, math.MaxInt64)) {
		return 0
	}
	return t.UnixNano()
}
