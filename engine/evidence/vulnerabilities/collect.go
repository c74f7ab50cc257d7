package vulnerabilities

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// Config is the registry's vulnerabilities section, resolved through the
// schema: every field has its default in CUE (cue/section_vulnerabilities.cue)
// and none in Go. A field that did not come through the schema (nil, or "")
// is a problem, never a Go stand-in.
type Config struct {
	CVSSThreshold      *float64 `json:"cvss_threshold"`
	EPSSThreshold      *float64 `json:"epss_threshold"`
	UnderInvestigation string   `json:"under_investigation"`
	// VEXMaxAge is a Go duration ("2160h").
	VEXMaxAge string `json:"vex_max_age"`
	// Unscored is the outcome for a finding with no CVSS score, no EPSS
	// percentile and no severity: "fail", "warn" or "ignore".
	Unscored string `json:"unscored"`
}

// Section is the registry's vulnerabilities section, decoded once at load
// into a Config.
var Section = registry.SectionOf[Config]("vulnerabilities")

// ConfigFacts is the effective configuration, defaults applied: Rego
// reads the thresholds from here, so Go and Rego agree.
type ConfigFacts struct {
	CVSSThreshold      float64 `json:"cvss_threshold"`
	EPSSThreshold      float64 `json:"epss_threshold"`
	UnderInvestigation string  `json:"under_investigation"`
	VEXMaxAge          string  `json:"vex_max_age"`
	Unscored           string  `json:"unscored"`
}

// Facts is the facts document of the vulnerabilities kind,
// input.vulnerabilities in Rego.
type Facts struct {
	evidence.Facts
	Config ConfigFacts `json:"config"`
	// Reports are the scanner reports that could be read, in order.
	Reports []vulnReport `json:"reports"`
	// Subjects are the digests a VEX product must carry to be the subject.
	Subjects []string `json:"subjects"`
	// ReleaseSubjects are the release's own digests (never taken from the
	// reports): what a report must be bound to.
	ReleaseSubjects []string `json:"release_subjects"`
	// VEXStatements counts the usable VEX statements the findings were
	// matched against.
	VEXStatements int `json:"vex_statements"`
	// Findings has one entry per finding, in report order, each with its
	// effective VEX status, the deciding statement and the near misses.
	Findings []Assessment `json:"findings"`
}

type vulnReport struct {
	Evidence        string   `json:"evidence"`
	Format          string   `json:"format"`
	Target          string   `json:"target"`
	TargetDigests   []string `json:"target_digests"`
	Vulnerabilities int      `json:"vulnerabilities"`
	// TargetField is where the report names what it scanned.
	TargetField string `json:"target_field"`
	// Bound is true when the report is about a release subject: one of its
	// target digests is a subject digest, or it names an SBOM that is
	// itself bound to a subject by digest. BoundBy says which; Unbound
	// says why not.
	Bound   bool   `json:"bound"`
	BoundBy string `json:"bound_by"`
	Unbound string `json:"unbound"`
	// Actual describes what the report is about, for the finding.
	Actual string `json:"actual"`
}

// vulnSettings checks cfg and parses its maximum age: every threshold and
// outcome comes from the registry, never from evidence nor from Go. Each
// field that is missing or wrong is one error naming it.
func vulnSettings(cfg Config) (ConfigFacts, time.Duration, []fieldError) {
	var errs []fieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, fieldError{field: "vulnerabilities." + field, msg: fmt.Sprintf(format, args...)})
	}
	f := ConfigFacts{UnderInvestigation: cfg.UnderInvestigation, VEXMaxAge: cfg.VEXMaxAge, Unscored: cfg.Unscored}
	if cfg.CVSSThreshold == nil {
		bad("cvss_threshold", "not set: the registry schema gives it a default")
	} else {
		f.CVSSThreshold = *cfg.CVSSThreshold
	}
	if cfg.EPSSThreshold == nil {
		bad("epss_threshold", "not set: the registry schema gives it a default")
	} else {
		f.EPSSThreshold = *cfg.EPSSThreshold
	}
	switch cfg.UnderInvestigation {
	case "warn", "fail":
	default:
		bad("under_investigation", "%q is not warn or fail", cfg.UnderInvestigation)
	}
	switch cfg.Unscored {
	case "fail", "warn", "ignore":
	default:
		bad("unscored", "%q is not fail, warn or ignore", cfg.Unscored)
	}
	d, err := time.ParseDuration(cfg.VEXMaxAge)
	if err != nil || d <= 0 {
		bad("vex_max_age", "%q is not a positive Go duration", cfg.VEXMaxAge)
		d = 0
	}
	return f, d, errs
}

// fieldError is a registry field that is missing or wrong.
type fieldError struct{ field, msg string }

// subjectDigestStrings returns the subjects' digests as sorted "alg:hex".
func subjectDigestStrings(subjects []policy.Subject) []string {
	var out []string
	for _, s := range subjects {
		for alg, hex := range s.Digest {
			d := strings.ToLower(alg) + ":" + strings.ToLower(hex)
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Collect reads every scanner report, binds each to the release, and
// assesses each finding against the VEX statements, into
// input.vulnerabilities. Thresholds come from the registry, never from
// evidence.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{
		Facts:    evidence.New(items),
		Reports:  []vulnReport{},
		Subjects: []string{},
		Findings: []Assessment{},
	}
	var cfg Config
	if env.Config != nil {
		if err := env.Config.Section("vulnerabilities", &cfg); err != nil {
			facts.AddProblem("registry", "vulnerabilities", 0, "%v", err)
		}
	}
	conf, maxAge, errs := vulnSettings(cfg)
	for _, e := range errs {
		facts.AddProblem("registry", e.field, 0, "%s: %s", e.field, e.msg)
	}
	facts.Config = conf
	release := subjectDigestStrings(env.Subjects)
	facts.ReleaseSubjects = append([]string{}, release...)
	if len(items) == 0 {
		return facts
	}
	if ctx.Err() != nil {
		for _, it := range items {
			facts.AddProblem(it.Path, "", 0, "not read: %v", ctx.Err())
		}
		return facts
	}
	sboms := bom.ReadAll(env)
	resolve := bom.Resolver(env)
	var reports []*Report
	var files []string
	for _, it := range items {
		b, err := env.ReadFile(policy.KindVulnerabilities, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "read vulnerability report: %v", err)
			continue
		}
		r, err := Parse(b, Options{MaxSize: env.MaxFileSize, Resolve: resolve})
		if err != nil {
			p := evidence.ProblemOf(it.Path, err)
			p.Message = "parse vulnerability report: " + p.Message
			facts.Problems = append(facts.Problems, p)
			continue
		}
		for _, is := range r.Issues {
			facts.AddProblem(it.Path, is.Path, 0, "parse vulnerability report: %s: %s", is.Path, is.Message)
		}
		facts.FutureTime(it.Path, r.CreatedField, r.Created, env.Now)
		reports = append(reports, r)
		files = append(files, it.Path)
		td := r.TargetDigests
		if td == nil {
			td = []string{}
		}
		vr := vulnReport{Evidence: it.Path, Format: string(r.Format), Target: r.Target, TargetDigests: td, Vulnerabilities: len(r.Vulnerabilities), TargetField: r.TargetField}
		bindReport(&vr, r, release, sboms)
		facts.Reports = append(facts.Reports, vr)
	}
	// The subject: the release's digests; without any, what the reports
	// say they scanned.
	subjects := subjectDigestStrings(env.Subjects)
	if len(subjects) == 0 {
		for _, r := range reports {
			for _, d := range r.TargetDigests {
				if !slices.Contains(subjects, d) {
					subjects = append(subjects, d)
				}
			}
		}
		sort.Strings(subjects)
	}
	facts.Subjects = append(facts.Subjects, subjects...)
	vexItems := env.ItemsOf(policy.KindVEX)
	var stmts []vexdoc.Statement
	for _, it := range vexItems {
		if d, rerr, perr := vexdoc.Read(env, it); rerr == nil && perr == nil {
			stmts = append(stmts, d.Statements...)
		}
	}
	facts.VEXStatements = len(stmts)
	m := vexdoc.NewMatcher(stmts, vexdoc.MatcherOptions{Subjects: subjects, Now: env.Now, MaxAge: maxAge})
	facts.Findings = Assess(files, reports, m, len(vexItems) > 0)
	return facts
}

// bindReport decides whether r is about the release: a target digest that
// is a release subject digest, or an SBOM the report names (grype's
// "sbom-file" source path, a CycloneDX BOM-Link's serial number) that is
// itself bound to a subject by digest. Names and tags never bind: they are
// what a report about another build would say too.
func bindReport(vr *vulnReport, r *Report, release []string, sboms []bom.Release) {
	target := r.Target
	if target == "" {
		target = "(none)"
	}
	vr.Actual = fmt.Sprintf("target %s with digests [%s]", target, strings.Join(r.TargetDigests, ", "))
	if len(release) == 0 {
		vr.Unbound = "no release subject was given, so nothing ties the report to this release"
		return
	}
	for _, d := range r.TargetDigests {
		if slices.Contains(release, d) {
			vr.Bound, vr.BoundBy = true, fmt.Sprintf("%s digest %s", r.TargetField, d)
			return
		}
	}
	var named []string
	for i := range sboms {
		sb := &sboms[i]
		how := ""
		switch {
		case r.SBOMPath != "" && sameFile(r.SBOMPath, sb.Evidence):
			how = "source.target " + r.SBOMPath
		case sb.Doc.SerialNumber != "" && slices.Contains(r.SBOMSerials, strings.ToLower(sb.Doc.SerialNumber)):
			how = "a BOM-Link to serialNumber " + sb.Doc.SerialNumber
		default:
			continue
		}
		var digests []string
		if sb.Doc.Subject != nil {
			digests = sb.Doc.Subject.ArtifactDigests()
		}
		for _, d := range digests {
			if slices.Contains(release, d) {
				vr.Bound, vr.BoundBy = true, fmt.Sprintf("%s: the SBOM %s, whose described component has the subject digest %s", how, sb.Evidence, d)
				return
			}
		}
		named = append(named, fmt.Sprintf("%s (named by %s) describes digests [%s]", sb.Evidence, how, strings.Join(digests, ", ")))
	}
	switch {
	case len(named) > 0:
		vr.Unbound = fmt.Sprintf("its target digests [%s] are no subject digest, and the SBOM it names is not bound to the release: %s", strings.Join(r.TargetDigests, ", "), strings.Join(named, "; "))
	case r.SBOMPath != "" || len(r.SBOMSerials) > 0:
		vr.Unbound = fmt.Sprintf("it names an SBOM (%s) that was not given with --sbom", strings.Join(append(nonEmpty(r.SBOMPath), r.SBOMSerials...), ", "))
	case len(r.TargetDigests) == 0 && len(r.Vulnerabilities) == 0:
		vr.Unbound = fmt.Sprintf("it is empty and names no digest of what it scanned (%s %s)", r.TargetField, target)
	case len(r.TargetDigests) == 0:
		vr.Unbound = fmt.Sprintf("it names no digest of what it scanned (%s %s)", r.TargetField, target)
	default:
		vr.Unbound = fmt.Sprintf("it scanned another artifact: its digests [%s] are none of the subject digests", strings.Join(r.TargetDigests, ", "))
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// sameFile reports whether the path a report names and an evidence path
// are the same file: equal after cleaning, or with the same base name (the
// scan ran in another directory than the gate).
func sameFile(named, evidence string) bool {
	a := path.Clean(filepath.ToSlash(named))
	b := path.Clean(filepath.ToSlash(evidence))
	return a == b || path.Base(a) == path.Base(b)
}
