package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

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

A file named on the command line that cannot be opened (missing, a
directory, permission denied) is a usage error. A file that opens but does
not parse is reported on stderr with its position; the statuses are
computed without it.

Exit status: 0 when every input was used (whatever the statuses; a report
not bound to the subject is noted on stderr); 1 when an input is malformed
(the statuses from the others are still printed) or no report parses; 2 on
usage errors and unreadable files.`,
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
	now, err := parseNow(f.now)
	if err != nil {
		return usageErr("verify vex: %v", err)
	}
	in := engine.VEXCheck{Now: now, MaxFileSize: f.maxFileSize, Config: engine.VulnerabilitiesConfig{VEXMaxAge: f.vexMaxAge}}
	for i, s := range f.subjectDigests {
		name, d := fmt.Sprintf("subject-%d", i+1), s
		if n, v, ok := strings.Cut(s, "="); ok {
			name, d = n, v
		}
		dg, err := policy.ParseDigest(d)
		if err != nil {
			return usageErr("verify vex: --subject-digest: %v", err)
		}
		in.Subjects = append(in.Subjects, policy.Subject{Name: name, Digest: dg})
	}
	ins := append(inFiles("vulns", f.vulns), inFiles("vex", f.vex)...)
	if err := checkInputs("verify vex", append(ins, inFiles("sbom", f.sboms)...)...); err != nil {
		return err
	}
	for _, p := range f.vulns {
		in.Evidence = append(in.Evidence, engine.Item{Kind: policy.KindVulnerabilities, Path: p})
	}
	for _, p := range f.vex {
		in.Evidence = append(in.Evidence, engine.Item{Kind: policy.KindVEX, Path: p})
	}
	for _, p := range f.sboms {
		in.Evidence = append(in.Evidence, engine.Item{Kind: policy.KindSBOM, Path: p})
	}
	res := engine.CheckVEX(a.ctx, in)
	if f.output == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else if err := printVEXTable(a.stdout, res); err != nil {
		return err
	}
	// Every file opened (checked above), so a problem is malformed
	// evidence: printed, and exit 1, as a verify command that could not
	// verify; the statuses above were computed without it. A report not
	// bound to a subject is a note: its statuses are shown all the same.
	for _, p := range res.Unbound {
		fmt.Fprintf(a.stderr, "hubgate: verify vex: %s\n", problemText(p))
	}
	malformed := len(res.Problems) > 0
	for _, p := range res.Problems {
		fmt.Fprintf(a.stderr, "hubgate: verify vex: %s\n", problemText(p))
	}
	if res.Reports == 0 {
		return exitCode(ExitDenied, errors.New("verify vex: no vulnerability report could be parsed"))
	}
	if malformed {
		return exitCode(ExitDenied, nil)
	}
	return nil
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

func printVEXTable(w io.Writer, res *engine.VEXCheckResult) error {
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
