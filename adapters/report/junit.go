package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/cicd-hub/hubgate/policy"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitProblem `xml:"failure"`
	Errors    []junitProblem `xml:"error"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes d as a JUnit XML report: one testsuite for the decision, one
// testcase per check (classname hubgate.<kind>), a <failure> per failing
// finding and an <error> per error finding. Warnings and waived findings go
// to the testcase's system-out, so they are visible without failing the
// case. The suite's failures and errors count those elements. Every string
// from the decision goes through [Sanitize] (encoding/xml alone would keep
// C1 and bidi controls), then encoding/xml escapes it.
func JUnit(w io.Writer, d *policy.Decision, opts Options) error {
	cat := newCatalogue(opts.Rules)
	order, groups := byKind(d)
	suite := junitSuite{
		Name:      "hubgate " + Sanitize(d.Repo),
		Timestamp: timestamp(d),
		Properties: []junitProperty{
			{Name: "decision", Value: Sanitize(d.ID)},
			{Name: "outcome", Value: d.Outcome.String()},
			{Name: "allowed", Value: fmt.Sprint(d.Allowed)},
			{Name: "policy", Value: Sanitize(d.Policy.Digest)},
		},
	}
	for _, k := range order {
		c := junitCase{Name: Sanitize(string(k)), Classname: "hubgate." + Sanitize(string(k))}
		var out strings.Builder
		for _, f := range groups[k] {
			text := junitText(cat, f)
			rule, msg := Sanitize(f.Rule), Sanitize(f.Message)
			switch {
			case f.Waiver != nil:
				fmt.Fprintf(&out, "waived %s: %s\n%s\n", rule, msg, text)
			case f.Outcome == policy.OutcomeFail:
				c.Failures = append(c.Failures, junitProblem{Message: msg, Type: rule, Text: text})
			case f.Outcome == policy.OutcomeError || f.Outcome == policy.OutcomeUnknown:
				c.Errors = append(c.Errors, junitProblem{Message: msg, Type: rule, Text: text})
			case f.Outcome == policy.OutcomeWarn:
				fmt.Fprintf(&out, "warn %s: %s\n%s\n", rule, msg, text)
			}
		}
		c.SystemOut = out.String()
		suite.Tests++
		suite.Failures += len(c.Failures)
		suite.Errors += len(c.Errors)
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "hubgate", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitText is the body of a finding's element: one line per field, each
// field sanitised on its own so the lines stay the structure.
func junitText(cat catalogue, f policy.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule: %s (%s)\nseverity: %s\n", Sanitize(f.Rule), Sanitize(cat.title(f)), f.Severity)
	if loc := location(f); loc != "" {
		fmt.Fprintf(&b, "where: %s\n", Sanitize(loc))
	}
	if f.Target != "" {
		fmt.Fprintf(&b, "target: %s\n", Sanitize(f.Target))
	}
	if f.Expected != "" || f.Actual != "" {
		fmt.Fprintf(&b, "expected: %s\nactual: %s\n", Sanitize(f.Expected), Sanitize(f.Actual))
	}
	if f.Waiver != nil {
		fmt.Fprintf(&b, "waiver: %s (owner %s, %s)\n", Sanitize(f.Waiver.Reason), Sanitize(f.Waiver.Owner), WaiverThrough(f.Waiver))
	}
	if r := cat.remediation(f); r != "" {
		fmt.Fprintf(&b, "fix: %s\n", Sanitize(r))
	}
	return b.String()
}

func timestamp(d *policy.Decision) string {
	if d.Time.IsZero() {
		return ""
	}
	return d.Time.UTC().Format("2006-01-02T15:04:05Z")
}
