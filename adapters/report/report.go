package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cicd-hub/hubgate/policy"
)

// Options are what renderers need besides the decision.
type Options struct {
	// Rules is the rule catalogue: titles, descriptions, remediations.
	Rules []policy.RuleInfo
	// Color enables ANSI colour in the text renderer.
	Color bool
	// StopToken is the token the github renderer passes to
	// ::stop-commands:: around untrusted text. Empty means a fresh random
	// token from crypto/rand on every call; tests set it to get stable bytes.
	StopToken string
	// Root, when set, is the folder that absolute evidence paths are made
	// relative to in SARIF URIs and workflow-command file= properties (in
	// GitHub Actions: GITHUB_WORKSPACE), so results attach to repository
	// files. Paths outside Root are left as they are.
	Root string
}

// Rel returns p relative to root with forward slashes when p is an absolute
// path inside root, and p unchanged otherwise.
func Rel(root, p string) string {
	if root == "" || p == "" {
		return p
	}
	r := strings.TrimRight(strings.ReplaceAll(root, `\`, "/"), "/")
	q := strings.ReplaceAll(p, `\`, "/")
	if r == "" || !strings.HasPrefix(q, r+"/") {
		return p
	}
	rel := strings.TrimLeft(q[len(r):], "/")
	if rel == "" {
		return p
	}
	return rel
}

// Formats lists the output formats Render accepts.
func Formats() []string {
	return []string{"text", "json", "sarif", "junit", "markdown", "github"}
}

// Render writes d to w in format.
func Render(w io.Writer, format string, d *policy.Decision, opts Options) error {
	if d == nil {
		return fmt.Errorf("render %s: no decision", format)
	}
	switch format {
	case "json":
		return JSON(w, d)
	case "text":
		return Text(w, d, opts)
	case "sarif":
		return SARIF(w, d, opts)
	case "junit":
		return JUnit(w, d, opts)
	case "markdown":
		return Markdown(w, d, opts)
	case "github":
		return GitHub(w, d, opts)
	default:
		return fmt.Errorf("unknown output format %q: want one of %s", format, strings.Join(Formats(), ", "))
	}
}

// JSON writes the decision as indented JSON with a trailing newline. The same
// decision always gives the same bytes.
func JSON(w io.Writer, d *policy.Decision) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// catalogue indexes the rule catalogue by id.
type catalogue map[string]policy.RuleInfo

func newCatalogue(rules []policy.RuleInfo) catalogue {
	c := make(catalogue, len(rules))
	for _, r := range rules {
		if _, dup := c[r.ID]; !dup {
			c[r.ID] = r
		}
	}
	return c
}

// info returns the catalogue entry of f's rule, or one made from the finding
// when the catalogue does not have it.
func (c catalogue) info(f policy.Finding) policy.RuleInfo {
	if r, ok := c[f.Rule]; ok {
		return r
	}
	return policy.RuleInfo{ID: f.Rule, Kind: f.Kind(), Title: f.Rule, Severity: f.Severity, Remediation: f.Remediation}
}

// title is the rule's title, or its id.
func (c catalogue) title(f policy.Finding) string {
	if r, ok := c[f.Rule]; ok && r.Title != "" {
		return r.Title
	}
	return f.Rule
}

// remediation is the finding's own remediation, or its rule's.
func (c catalogue) remediation(f policy.Finding) string {
	if f.Remediation != "" {
		return f.Remediation
	}
	return c[f.Rule].Remediation
}

// reported reports whether a renderer lists f: everything but a plain pass
// (an informational note) is reported; waived findings are, as waived.
func reported(f policy.Finding) bool {
	return f.Outcome != policy.OutcomePass || f.Waiver != nil
}

// location is "evidence path:line" for people.
func location(f policy.Finding) string {
	loc := f.Evidence
	if f.Line > 0 {
		loc += fmt.Sprintf(":%d", f.Line)
	}
	if f.Path != "" {
		if loc != "" {
			loc += " "
		}
		loc += f.Path
	}
	return loc
}

// byKind groups the findings by check kind, in the decision's check order,
// with kinds that have findings but no check appended in first-seen order.
func byKind(d *policy.Decision) ([]policy.EvidenceKind, map[policy.EvidenceKind][]policy.Finding) {
	groups := map[policy.EvidenceKind][]policy.Finding{}
	var order []policy.EvidenceKind
	seen := map[policy.EvidenceKind]bool{}
	for _, c := range d.Checks {
		if !seen[c.Kind] {
			seen[c.Kind] = true
			order = append(order, c.Kind)
		}
	}
	for _, f := range d.Findings {
		k := f.Kind()
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	return order, groups
}

// checkOutcome returns the outcome of kind k in d, folding its findings when
// d has no check for it.
func checkOutcome(d *policy.Decision, k policy.EvidenceKind, fs []policy.Finding) policy.Outcome {
	for _, c := range d.Checks {
		if c.Kind == k {
			return c.Outcome
		}
	}
	return policy.Fold(fs)
}

// truncateUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
