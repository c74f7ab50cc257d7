package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// writeExplain writes, for each finding that makes the release fail or
// warn (not waived), why it fired: the rule and its source, the evidence and
// field it read, the fact it found against the value it wanted, and the
// repo's registry settings for that kind, as opa eval --explain and conftest
// --trace do, but for people. Order is the decision's; output is
// deterministic.
func writeExplain(w io.Writer, d *policy.Decision, rules []policy.RuleInfo, reg *registry.Registry) error {
	info := map[string]policy.RuleInfo{}
	for _, r := range rules {
		info[r.ID] = r
	}
	var rp *registry.Repo
	if reg != nil {
		rp, _ = reg.Repo(d.Repo)
	}
	var b strings.Builder
	n := 0
	shownSettings := map[policy.EvidenceKind]bool{}
	for _, f := range d.Findings {
		if f.Waiver != nil || f.Outcome == policy.OutcomePass {
			continue
		}
		n++
		fmt.Fprintf(&b, "\n-- %s %s (%s)\n", strings.ToUpper(f.Outcome.String()), f.Rule, f.Severity)
		if r, ok := info[f.Rule]; ok {
			if r.Title != "" {
				fmt.Fprintf(&b, "   rule:      %s\n", clean(r.Title))
			}
			if r.Description != "" {
				fmt.Fprintf(&b, "   checks:    %s\n", clean(r.Description))
			}
			if r.Source != "" {
				fmt.Fprintf(&b, "   source:    %s\n", clean(r.Source))
			}
		}
		fmt.Fprintf(&b, "   finding:   %s\n", clean(f.Message))
		if f.Evidence != "" {
			read := f.Evidence
			if f.Line > 0 {
				read += fmt.Sprintf(":%d", f.Line)
			}
			if f.Path != "" {
				read += " field " + f.Path
			}
			fmt.Fprintf(&b, "   read:      %s\n", clean(read))
		}
		if f.Target != "" {
			fmt.Fprintf(&b, "   target:    %s\n", clean(f.Target))
		}
		if f.Actual != "" || f.Expected != "" {
			fmt.Fprintf(&b, "   found:     %s\n   wanted:    %s\n", clean(orNone(f.Actual)), clean(orNone(f.Expected)))
		}
		k := f.Kind()
		if rp != nil {
			if v, ok := rp.Data[string(k)]; ok && !shownSettings[k] {
				shownSettings[k] = true
				js, err := json.Marshal(v)
				if err == nil {
					fmt.Fprintf(&b, "   registry:  %s.%s = %s\n", d.Repo, k, clean(string(js)))
				}
			} else if ok {
				fmt.Fprintf(&b, "   registry:  %s.%s (above)\n", d.Repo, k)
			}
		}
		if f.Remediation != "" {
			fmt.Fprintf(&b, "   fix:       %s\n", clean(f.Remediation))
		} else if r := info[f.Rule].Remediation; r != "" {
			fmt.Fprintf(&b, "   fix:       %s\n", clean(r))
		}
	}
	head := fmt.Sprintf("\nexplain: %d finding(s) decided %s (outcome %s)\n", n, d.Repo, d.Outcome)
	if n == 0 {
		head = fmt.Sprintf("\nexplain: nothing failed or warned for %s (outcome %s)\n", d.Repo, d.Outcome)
	}
	_, err := io.WriteString(w, head+b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// clean escapes control characters so evidence text cannot rewrite the
// terminal (the report package does the same for its renderers).
func clean(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return s
	}
	q := fmt.Sprintf("%q", s)
	return q[1 : len(q)-1]
}
