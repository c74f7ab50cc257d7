package determinism

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/policy"
)

// Report is the hub's determinism report.json. Only Timestamp and
// DelayHours are used; Deterministic is what the report claims and is never
// trusted.
type Report struct {
	Timestamp       time.Time `json:"timestamp"`
	OriginalRef     string    `json:"original_ref"`
	OriginalRunID   string    `json:"original_run_id"`
	DelayHours      *float64  `json:"delay_hours"`
	Deterministic   *bool     `json:"deterministic"`
	SourceDateEpoch string    `json:"source_date_epoch"`
}

type rawReport struct {
	Timestamp       string          `json:"timestamp"`
	OriginalRef     string          `json:"original_ref"`
	OriginalRunID   json.RawMessage `json:"original_run_id"`
	DelayHours      *float64        `json:"delay_hours"`
	Deterministic   *bool           `json:"deterministic"`
	SourceDateEpoch json.RawMessage `json:"source_date_epoch"`
}

// ParseReport reads report.json. A timestamp that is not RFC 3339 or a
// negative or non-finite delay is an error naming the field.
func ParseReport(b []byte) (*Report, error) {
	var raw rawReport
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse determinism report: %w", err)
	}
	r := &Report{OriginalRef: raw.OriginalRef, DelayHours: raw.DelayHours, Deterministic: raw.Deterministic,
		OriginalRunID: scalar(raw.OriginalRunID), SourceDateEpoch: scalar(raw.SourceDateEpoch)}
	if raw.Timestamp != "" {
		t, err := time.Parse(time.RFC3339, raw.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("parse determinism report: timestamp: %w", err)
		}
		r.Timestamp = t.UTC()
	}
	if d := raw.DelayHours; d != nil && (*d < 0 || math.IsNaN(*d) || math.IsInf(*d, 0) || *d > 24*366*10) {
		return nil, fmt.Errorf("parse determinism report: delay_hours: %v out of range", *d)
	}
	return r, nil
}

// scalar renders a JSON string or number as text ("" for null or absent).
func scalar(m json.RawMessage) string {
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(m))
}

// Explanation is what diffoscope --json says about one differing file.
type Explanation struct {
	Source1 string `json:"source1"`
	Source2 string `json:"source2"`
	// Differing lists the top-level sub-files (or aspects, such as "file
	// list") that differ, in diffoscope's order.
	Differing []string `json:"differing"`
	// Comments are diffoscope's top-level remarks.
	Comments []string `json:"comments"`
}

type diffoscopeNode struct {
	Version  *int             `json:"diffoscope-json-version"`
	Source1  string           `json:"source1"`
	Source2  string           `json:"source2"`
	Comments []string         `json:"comments"`
	Details  []diffoscopeNode `json:"details"`
}

// ParseDiffoscope reads diffoscope's --json output.
func ParseDiffoscope(b []byte) (*Explanation, error) {
	var n diffoscopeNode
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("parse diffoscope: %w", err)
	}
	if n.Version == nil {
		return nil, errors.New("parse diffoscope: diffoscope-json-version: missing")
	}
	e := &Explanation{Source1: n.Source1, Source2: n.Source2, Differing: []string{}, Comments: n.Comments}
	if e.Comments == nil {
		e.Comments = []string{}
	}
	for _, d := range n.Details {
		name := d.Source1
		if d.Source2 != "" && d.Source2 != d.Source1 {
			name += " vs " + d.Source2
		}
		e.Differing = append(e.Differing, name)
	}
	return e, nil
}

// Previous is what the previous release's decision says.
type Previous struct {
	Repo    string `json:"repo"`
	Outcome string `json:"outcome"`
	Allowed bool   `json:"allowed"`
	// Determinism is the outcome of that decision's determinism check, ""
	// when it had none.
	Determinism string    `json:"determinism"`
	Time        time.Time `json:"time"`
}

// ParsePrevious reads a hubgate decision JSON.
func ParsePrevious(b []byte) (*Previous, error) {
	var d policy.Decision
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("parse previous decision: %w", err)
	}
	if !strings.HasPrefix(d.MediaType, "application/vnd.hubgate.decision+json") {
		return nil, fmt.Errorf("parse previous decision: mediaType: want %s, got %q", policy.DecisionMediaType, d.MediaType)
	}
	if d.Outcome == policy.OutcomeUnknown {
		return nil, errors.New("parse previous decision: outcome: missing")
	}
	p := &Previous{Repo: d.Repo, Outcome: d.Outcome.String(), Allowed: d.Allowed, Time: d.Time.UTC()}
	for _, c := range d.Checks {
		if c.Kind == policy.KindDeterminism {
			p.Determinism = c.Outcome.String()
		}
	}
	return p, nil
}
