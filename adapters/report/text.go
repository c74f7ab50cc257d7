package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/cicd-hub/hubgate/policy"
)

// Text writes a report a person can act on: the verdict, a table with one
// line per check, then, check by check, every finding that is not a plain
// pass, with where it is, expected versus actual, and the remediation.
// Colour is used only when opts.Color is set (the CLI sets it for a terminal
// without NO_COLOR). Control characters in untrusted text are escaped so a
// finding cannot rewrite the terminal.
func Text(w io.Writer, d *policy.Decision, opts Options) error {
	bw := bufio.NewWriter(w)
	cat := newCatalogue(opts.Rules)
	paint := func(o policy.Outcome, s string) string {
		if !opts.Color {
			return s
		}
		switch o {
		case policy.OutcomePass:
			return "\x1b[32m" + s + "\x1b[0m"
		case policy.OutcomeWarn:
			return "\x1b[33m" + s + "\x1b[0m"
		case policy.OutcomeFail, policy.OutcomeError:
			return "\x1b[31m" + s + "\x1b[0m"
		}
		return s
	}
	verdict := "DENIED"
	if d.Allowed {
		verdict = "ALLOWED"
	}
	fmt.Fprintf(bw, "%s  %s  outcome=%s  policy=%s  time=%s\n", paint(d.Outcome, verdict), clean(d.Repo), d.Outcome, clean(d.Policy.Digest), d.Time.UTC().Format("2006-01-02T15:04:05Z07:00"))
	if d.ID != "" {
		fmt.Fprintf(bw, "decision %s\n", clean(d.ID))
	}
	for _, s := range d.Subjects {
		fmt.Fprintf(bw, "subject  %s %s\n", clean(s.Name), clean(digestString(s.Digest)))
	}
	fmt.Fprintln(bw)

	order, groups := byKind(d)
	// Kinds of custom rules that ran and found nothing still get a row, so
	// a passing custom rule is visible.
	order = append(order, customKinds(opts.Rules, order)...)
	var tw table
	tw.row(tcell{text: "CHECK"}, tcell{text: "OUTCOME"}, tcell{text: "FINDINGS"}, tcell{text: "WAIVED"})
	for _, k := range order {
		fs := groups[k]
		o := checkOutcome(d, k, fs)
		waived := 0
		for _, f := range fs {
			if f.Waiver != nil {
				waived++
			}
		}
		// The table pads before it paints, so escape codes do not upset
		// the columns.
		tw.row(tcell{text: clean(string(k))}, tcell{text: o.String(), paint: func(s string) string { return paint(o, s) }},
			tcell{text: strconv.Itoa(len(fs))}, tcell{text: strconv.Itoa(waived)})
	}
	if err := tw.write(bw); err != nil {
		return err
	}

	for _, k := range order {
		var shown []policy.Finding
		for _, f := range groups[k] {
			if reported(f) || f.Severity == policy.SeverityInfo {
				shown = append(shown, f)
			}
		}
		if len(shown) == 0 {
			continue
		}
		o := checkOutcome(d, k, groups[k])
		fmt.Fprintf(bw, "\n== %s: %s\n", clean(string(k)), paint(o, o.String()))
		for _, f := range shown {
			label := strings.ToUpper(f.Outcome.String())
			if f.Waiver != nil {
				label = "WAIVED " + f.Outcome.String()
			} else if f.Outcome == policy.OutcomePass {
				label = "INFO"
			}
			fmt.Fprintf(bw, "\n  %s %s (%s): %s\n", paint(f.Effective(), label), clean(f.Rule), f.Severity, clean(f.Message))
			if t := cat.title(f); t != f.Rule {
				fmt.Fprintf(bw, "    rule:     %s\n", clean(t))
			}
			if loc := location(f); loc != "" {
				fmt.Fprintf(bw, "    where:    %s\n", clean(loc))
			}
			if f.Target != "" {
				fmt.Fprintf(bw, "    target:   %s\n", clean(f.Target))
			}
			if label == "INFO" {
				// A note, not a problem: no expected/actual, nothing to fix.
				continue
			}
			if f.Expected != "" || f.Actual != "" {
				fmt.Fprintf(bw, "    expected: %s\n    actual:   %s\n", clean(f.Expected), clean(f.Actual))
			}
			if f.Waiver != nil {
				fmt.Fprintf(bw, "    waived:   %s by %s: %s\n", WaiverThrough(f.Waiver), clean(f.Waiver.Owner), clean(f.Waiver.Reason))
			}
			if r := cat.remediation(f); r != "" {
				fmt.Fprintf(bw, "    fix:      %s\n", clean(r))
			}
		}
	}
	return bw.Flush()
}

// digestString is "alg:hex" for the first algorithm in name order.
func digestString(d policy.Digest) string {
	if v, ok := d["sha256"]; ok {
		return "sha256:" + v
	}
	best := ""
	for alg := range d {
		if best == "" || alg < best {
			best = alg
		}
	}
	if best == "" {
		return ""
	}
	return best + ":" + d[best]
}

// UseColor reports whether the text renderer should colour its output to w:
// only when w is a terminal, NO_COLOR is unset or empty (no-color.org), and
// TERM is not "dumb".
func UseColor(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// customKinds lists, in catalogue order, the kinds of rules outside the
// built-in kinds that are not in order yet.
func customKinds(rules []policy.RuleInfo, order []policy.EvidenceKind) []policy.EvidenceKind {
	var out []policy.EvidenceKind
	for _, r := range rules {
		// Skip built-in kinds (their checks are the engine's to list) and
		// the engine's own meta rules (waiver.*, decision.*), and the
		// admission, job and verify vsa rules, which never judge a release.
		if r.Kind == "" || r.Kind.Valid() || !r.Kind.Release() || strings.HasPrefix(r.Source, "engine/") || slices.Contains(order, r.Kind) || slices.Contains(out, r.Kind) {
			continue
		}
		out = append(out, r.Kind)
	}
	return out
}
