package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/cicd-hub/hubgate/policy"
)

// Markdown writes d as GitHub-flavoured Markdown: a heading with the verdict,
// a summary table with one row per check, then a details section per check
// that did not pass (fail, error, or warn) listing its findings with their
// remediation, and a list of waived findings. Every string that comes from
// evidence or rules is escaped: table pipes, HTML-significant characters and
// Markdown punctuation; control characters (newlines included) and bidi
// controls are shown as escapes ([Sanitize]), so a string stays inside its
// table cell or list item and reads in the order it is stored.
func Markdown(w io.Writer, d *policy.Decision, opts Options) error {
	bw := bufio.NewWriter(w)
	cat := newCatalogue(opts.Rules)
	icon, verdict := "❌", "denied"
	if d.Allowed {
		icon, verdict = "✅", "allowed"
		if d.Outcome == policy.OutcomeWarn {
			icon = "⚠️"
		}
	}
	fmt.Fprintf(bw, "## %s hubgate: %s `%s`\n\n", icon, verdict, d.Outcome)
	fmt.Fprintf(bw, "| | |\n|---|---|\n")
	fmt.Fprintf(bw, "| Repository | %s |\n", cell(d.Repo))
	for _, s := range d.Subjects {
		fmt.Fprintf(bw, "| Subject | %s <code>%s</code> |\n", cell(s.Name), cell(digestString(s.Digest)))
	}
	fmt.Fprintf(bw, "| Policy | <code>%s</code> |\n", cell(d.Policy.Digest))
	fmt.Fprintf(bw, "| Decision | <code>%s</code> |\n", cell(d.ID))
	fmt.Fprintf(bw, "| Time | %s |\n\n", cell(timestamp(d)))

	order, groups := byKind(d)
	fmt.Fprintf(bw, "| Check | Outcome | Findings | Waived |\n|---|---|---:|---:|\n")
	for _, k := range order {
		fs := groups[k]
		waived := 0
		for _, f := range fs {
			if f.Waiver != nil {
				waived++
			}
		}
		o := checkOutcome(d, k, fs)
		fmt.Fprintf(bw, "| %s | %s %s | %d | %d |\n", cell(string(k)), outcomeIcon(o), o, len(fs), waived)
	}

	var waived []policy.Finding
	for _, k := range order {
		fs := groups[k]
		o := checkOutcome(d, k, fs)
		var shown []policy.Finding
		for _, f := range fs {
			if f.Waiver != nil {
				waived = append(waived, f)
				continue
			}
			if f.Outcome != policy.OutcomePass {
				shown = append(shown, f)
			}
		}
		if len(shown) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n### %s %s: %s\n", outcomeIcon(o), mdEscape(string(k)), o)
		for _, f := range shown {
			fmt.Fprintf(bw, "\n- **%s** `%s` (%s): %s\n", f.Outcome, codeSpan(f.Rule), f.Severity, mdEscape(f.Message))
			if t := cat.title(f); t != f.Rule {
				fmt.Fprintf(bw, "  - Rule: %s\n", mdEscape(t))
			}
			if loc := location(f); loc != "" {
				fmt.Fprintf(bw, "  - Where: %s\n", mdEscape(loc))
			}
			if f.Target != "" {
				fmt.Fprintf(bw, "  - Target: %s\n", mdEscape(f.Target))
			}
			if f.Expected != "" || f.Actual != "" {
				fmt.Fprintf(bw, "  - Expected: %s\n  - Actual: %s\n", mdEscape(f.Expected), mdEscape(f.Actual))
			}
			if r := cat.remediation(f); r != "" {
				fmt.Fprintf(bw, "  - Fix: %s\n", mdEscape(r))
			}
		}
	}
	if len(waived) > 0 {
		fmt.Fprintf(bw, "\n### Waived\n\n| Rule | Finding | Owner | Applies | Reason |\n|---|---|---|---|---|\n")
		for _, f := range waived {
			fmt.Fprintf(bw, "| `%s` | %s | %s | %s | %s |\n", codeSpan(f.Rule), cell(f.Message), cell(f.Waiver.Owner), WaiverThrough(f.Waiver), cell(f.Waiver.Reason))
		}
	}
	return bw.Flush()
}

func outcomeIcon(o policy.Outcome) string {
	switch o {
	case policy.OutcomePass:
		return "✅"
	case policy.OutcomeWarn:
		return "⚠️"
	default:
		return "❌"
	}
}

// mdEscape makes untrusted text inert in Markdown and HTML on one line:
// &, <, > and " become entities, Markdown punctuation gets a backslash, and
// control and bidi characters are shown as escapes ([Sanitize]).
func mdEscape(s string) string {
	s = clean(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\\', '|', '`', '*', '_', '[', ']', '#', '~', '!':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cell escapes text for a table cell (the newline handling of mdEscape keeps
// it on its row).
func cell(s string) string { return mdEscape(s) }

// codeSpan makes s safe inside a single-backtick code span: backticks and
// newlines cannot close or break it, and controls are escaped ([Sanitize]).
func codeSpan(s string) string { return codeSpanReplacer.Replace(Sanitize(s)) }

var codeSpanReplacer = strings.NewReplacer("`", "'", "\n", " ", "\r", " ", "|", `\|`)
