package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

type verifyVEXFlags struct {
	vex, vulns, sboms, subjectDigests []string
	now, output, vexMaxAge            string
	maxFileSize                       int64
}

func (a *app) newVerifyVEXCmd() *cobra.Command {
	var f verifyVEXFlags
	c := &cobra.Command{
		Use:   "vex",
		Short: "Show the effective VEX status of each vulnerability",
		Long: `Match a vulnerability report (grype JSON or CycloneDX) against VEX documents
(OpenVEX 0.2 or CycloneDX VEX) and print, for each vulnerability, its
effective status and the statement that decided it, or why none applied (the
near misses: another product, another version, a qualifier, too old,
unjustified, superseded).

A statement applies when its vulnerability id or an alias matches, and its
product is the subject (a digest given with --subject-digest; without one,
the digest the report says it scanned) or its purl equals the affected
component's (type, namespace, name, version; qualifiers only narrow). The
latest applicable statement wins.

The statuses and the verdict are eval's: verify vex judges the
vulnerabilities kind (and the vex and sbom kinds, when given) with the
engine and the rules eval uses, for a registry entry that requires
vulnerabilities with the org's defaults (--vex-max-age sets the org's
vulnerabilities.vex_max_age). ` + "`hubgate eval`" + ` on the same files with that
entry gives the same verdict and failing rules; the decision is printed
after the statuses.

A file named on the command line that cannot be opened (missing, a
directory, permission denied) is a usage error. A file that opens but does
not parse is reported on stderr with its position; the statuses are
computed without it.

Exit status: 0 when the decision allows (every input used, every report
bound to a subject, nothing unsuppressed at or over a threshold); 1 when it
denies: an input is malformed (the statuses from the others are still
printed), no report parses, a report is not bound to the subject, or a
rule fails; 2 on usage errors and unreadable files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.verifyVEX(f)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&f.vex, "vex", nil, "a VEX document: OpenVEX 0.2 or CycloneDX VEX (repeatable)")
	fl.StringArrayVar(&f.vulns, "vulns", nil, "a vulnerability report: grype JSON or CycloneDX (repeatable)")
	fl.StringArrayVar(&f.sboms, "sbom", nil, "an SBOM that resolves CycloneDX bom-refs to purls (repeatable)")
	fl.StringArrayVar(&f.subjectDigests, "subject-digest", nil, "the release subject's digest, sha256:HEX or NAME=sha256:HEX (repeatable)")
	fl.StringVar(&f.now, "now", "", "evaluation time, RFC 3339 (default: now), for --vex-max-age")
	fl.StringVar(&f.vexMaxAge, "vex-max-age", "", "ignore statements older than this Go duration (\"2160h\")")
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text | json")
	fl.Int64Var(&f.maxFileSize, "max-file-size", engine.DefaultMaxFileSize, "the largest input file read, in bytes")
	return c
}

func (a *app) verifyVEX(f verifyVEXFlags) error {
	if len(f.vulns) == 0 {
		return usageErr("verify vex: --vulns is required")
	}
	if f.output != "text" && f.output != "json" {
		return usageErr("verify vex: -o %q: want text or json", f.output)
	}
	if _, err := parseNow(f.now); err != nil {
		return usageErr("verify vex: %v", err)
	}
	if f.maxFileSize <= 0 {
		return usageErr("verify vex: --max-file-size %d is not positive", f.maxFileSize)
	}
	var subjects []engine.SubjectInput
	var names []string
	for i, s := range f.subjectDigests {
		name, d := fmt.Sprintf("subject-%d", i+1), s
		if n, v, ok := strings.Cut(s, "="); ok {
			name, d = n, v
		}
		dg, err := policy.ParseDigest(d)
		if err != nil {
			return usageErr("verify vex: --subject-digest: %v", err)
		}
		subjects = append(subjects, engine.SubjectInput{Name: name, Digest: dg})
		names = append(names, name)
	}
	ins := append(inFiles("vulns", f.vulns), inFiles("vex", f.vex)...)
	if err := checkInputs("verify vex", append(ins, inFiles("sbom", f.sboms)...)...); err != nil {
		return err
	}
	var items []engine.Item
	for _, p := range f.vulns {
		items = append(items, engine.Item{Kind: policy.KindVulnerabilities, Path: p})
	}
	for _, p := range f.vex {
		items = append(items, engine.Item{Kind: policy.KindVEX, Path: p})
	}
	for _, p := range f.sboms {
		items = append(items, engine.Item{Kind: policy.KindSBOM, Path: p})
	}
	r := verifyRun{
		cmd: "verify vex", kind: policy.KindVulnerabilities, also: []policy.EvidenceKind{policy.KindVEX, policy.KindSBOM},
		repo: "verify/vex", subjects: append([]engine.SubjectInput{}, subjects...), evidence: items, now: f.now,
		maxFileSize: f.maxFileSize,
	}
	if f.vexMaxAge != "" {
		r.org = map[string]any{"vulnerabilities": map[string]any{"vex_max_age": f.vexMaxAge}}
	}
	d, facts, rules, err := a.verifyDecide(r)
	if err != nil {
		return err
	}
	vf, ok := facts[policy.KindVulnerabilities].(*engine.VulnerabilitiesFacts)
	if !ok {
		return usageErr("verify vex: no vulnerabilities facts")
	}
	res := vexResultOf(vf, facts)
	if f.output == "json" {
		var dec bytes.Buffer
		if err := report.Render(&dec, "json", d, report.Options{Rules: rules}); err != nil {
			return err
		}
		res.Decision = json.RawMessage(dec.Bytes())
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		if err := printVEXTable(a.stdout, res); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout)
		if err := a.writeOutput(output{format: "text"}, d, rules); err != nil {
			return usageErr("verify vex: %v", err)
		}
	}
	// The statuses above were computed without a malformed file; each
	// problem and each report not bound to a subject is said on stderr.
	for _, p := range res.Unbound {
		fmt.Fprintf(a.stderr, "hubgate: verify vex: %s\n", problemText(p))
	}
	for _, p := range res.Problems {
		fmt.Fprintf(a.stderr, "hubgate: verify vex: %s\n", problemText(p))
	}
	if res.Reports == 0 {
		fmt.Fprintln(a.stderr, "hubgate: verify vex: no vulnerability report could be parsed")
	}
	if f.output == "json" && d.Allowed {
		return nil // stdout is the JSON alone
	}
	return a.verifyVerdict(r, d, strings.Join(names, ","))
}

// vexResult is what verify vex lists: the vulnerabilities facts the rules
// judged, and the decision (JSON output).
type vexResult struct {
	Decision json.RawMessage                   `json:"decision,omitempty"`
	Config   engine.VulnerabilitiesConfigFacts `json:"config"`
	Subjects []string                          `json:"subjects"`
	// Reports counts the vulnerability reports that could be read.
	Reports int `json:"reports"`
	// VEXStatements counts the usable statements.
	VEXStatements int `json:"vex_statements"`
	// Findings are the vulnerabilities with their effective VEX status.
	Findings []engine.VulnerabilityAssessment `json:"findings"`
	// Problems are the evidence files (reports, VEX, SBOMs) that could not
	// be used, with positions.
	Problems []engine.Problem `json:"problems"`
	// Unbound are the reports that name no subject digest (nor a bound
	// SBOM): vulnerabilities.bound fails them.
	Unbound []engine.Problem `json:"unbound"`
}

func vexResultOf(vf *engine.VulnerabilitiesFacts, facts engine.KindFacts) *vexResult {
	res := &vexResult{Config: vf.Config, Subjects: vf.Subjects, Reports: len(vf.Reports), VEXStatements: vf.VEXStatements,
		Findings: vf.Findings, Problems: append([]engine.Problem{}, vf.Problems...), Unbound: []engine.Problem{}}
	for _, r := range vf.Reports {
		if !r.Bound {
			res.Unbound = append(res.Unbound, engine.Problem{Evidence: r.Evidence, Path: r.TargetField, Message: "not bound to the release: " + r.Unbound})
		}
	}
	for _, k := range []policy.EvidenceKind{policy.KindVEX, policy.KindSBOM} {
		if f, ok := facts[k]; ok {
			res.Problems = append(res.Problems, f.Base().Problems...)
		}
	}
	return res
}

func problemText(p engine.Problem) string {
	s := p.Evidence
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
	}
	if p.Path != "" {
		s += ": " + p.Path
	}
	return s + ": " + p.Message
}

func printVEXTable(w io.Writer, res *vexResult) error {
	subjects := "none"
	if len(res.Subjects) > 0 {
		subjects = strings.Join(res.Subjects, ", ")
	}
	fmt.Fprintf(w, "subject: %s; %d VEX statement(s); thresholds CVSS %v, EPSS %v\n\n", subjects, res.VEXStatements, res.Config.CVSSThreshold, res.Config.EPSSThreshold)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VULNERABILITY\tCOMPONENT\tCVSS\tEPSS\tSTATUS\tDECIDED BY / WHY NOT")
	for _, v := range res.Findings {
		comp := v.Component
		if len(v.PURLs) > 0 {
			comp = v.PURLs[0]
		}
		if comp == "" {
			comp = "-"
		}
		cvss, epss := "-", "-"
		if v.HasCVSS {
			cvss = strconv.FormatFloat(v.CVSS, 'f', -1, 64)
		}
		if v.HasEPSS {
			epss = strconv.FormatFloat(v.EPSS, 'f', -1, 64)
		}
		status := string(v.Status)
		if status == "" {
			status = "none"
		}
		if v.Suppressed {
			status += " (suppressed)"
		}
		why := v.Reason
		if v.Decision == nil && v.NearMissTotal > 0 {
			why = fmt.Sprintf("no VEX statement applies (%d near miss(es) below)", v.NearMissTotal)
		}
		if v.Decision != nil {
			d := v.Decision
			why = fmt.Sprintf("%s %s (%s, %s)", d.Evidence, d.Path, d.Timestamp, d.Product)
			if d.Justification != "" {
				why += ": " + d.Justification
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, comp, cvss, epss, status, oneLine(why))
		for _, n := range v.NearMisses {
			fmt.Fprintf(tw, "\t\t\t\t\t  near miss: %s %s: %s\n", n.Evidence, n.Path, oneLine(n.Reason))
		}
		if extra := v.NearMissTotal - len(v.NearMisses); extra > 0 {
			fmt.Fprintf(tw, "\t\t\t\t\t  … and %d more near misses\n", extra)
		}
	}
	return tw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
