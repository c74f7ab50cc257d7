package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/vex"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// Defaults of the vulnerabilities registry section, applied when the
// section (or a field) is absent.
const (
	defaultCVSSThreshold      = 7.0
	defaultEPSSThreshold      = 0.75
	defaultUnderInvestigation = "warn"
)

// VulnerabilitiesConfig is the registry's vulnerabilities section.
type VulnerabilitiesConfig struct {
	CVSSThreshold      *float64 `json:"cvss_threshold"`
	EPSSThreshold      *float64 `json:"epss_threshold"`
	UnderInvestigation string   `json:"under_investigation"`
	// VEXMaxAge is a Go duration ("2160h"); "" means no limit.
	VEXMaxAge string `json:"vex_max_age"`
}

// vulnConfigFacts is the effective configuration, defaults applied: Rego
// reads the thresholds from here, so Go and Rego agree.
type vulnConfigFacts struct {
	CVSSThreshold      float64 `json:"cvss_threshold"`
	EPSSThreshold      float64 `json:"epss_threshold"`
	UnderInvestigation string  `json:"under_investigation"`
	VEXMaxAge          string  `json:"vex_max_age"`
}

// vulnerabilitiesFacts is the facts document of the vulnerabilities kind,
// input.vulnerabilities in Rego.
type vulnerabilitiesFacts struct {
	Facts
	Config vulnConfigFacts `json:"config"`
	// Reports are the scanner reports that could be read, in order.
	Reports []vulnReport `json:"reports"`
	// Subjects are the digests a VEX product must carry to be the subject.
	Subjects []string `json:"subjects"`
	// VEXStatements counts the usable VEX statements the findings were
	// matched against.
	VEXStatements int `json:"vex_statements"`
	// Findings has one entry per finding, in report order, each with its
	// effective VEX status, the deciding statement and the near misses.
	Findings []vulnerabilities.Assessment `json:"findings"`
}

type vulnReport struct {
	Evidence        string   `json:"evidence"`
	Format          string   `json:"format"`
	Target          string   `json:"target"`
	TargetDigests   []string `json:"target_digests"`
	Vulnerabilities int      `json:"vulnerabilities"`
}

// VulnerabilitiesSettings resolves cfg with defaults and parses its maximum
// age. The CLI's verify vex uses it too.
func VulnerabilitiesSettings(cfg VulnerabilitiesConfig) (cvss, epss float64, underInvestigation string, maxAge time.Duration, err error) {
	cvss, epss, underInvestigation = defaultCVSSThreshold, defaultEPSSThreshold, defaultUnderInvestigation
	if cfg.CVSSThreshold != nil {
		cvss = *cfg.CVSSThreshold
	}
	if cfg.EPSSThreshold != nil {
		epss = *cfg.EPSSThreshold
	}
	switch cfg.UnderInvestigation {
	case "":
	case "warn", "fail":
		underInvestigation = cfg.UnderInvestigation
	default:
		err = fmt.Errorf("vulnerabilities.under_investigation: %q is not warn or fail", cfg.UnderInvestigation)
	}
	if cfg.VEXMaxAge != "" {
		d, perr := time.ParseDuration(cfg.VEXMaxAge)
		if perr != nil || d <= 0 {
			err = fmt.Errorf("vulnerabilities.vex_max_age: %q is not a positive Go duration", cfg.VEXMaxAge)
		} else {
			maxAge = d
		}
	}
	return cvss, epss, underInvestigation, maxAge, err
}

// subjectDigestStrings returns the subjects' digests as sorted "alg:hex".
func subjectDigestStrings(subjects []policy.Subject) []string {
	var out []string
	for _, s := range subjects {
		for alg, hex := range s.Digest {
			d := strings.ToLower(alg) + ":" + strings.ToLower(hex)
			if !sbomContains(out, d) {
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

func collectVulnerabilities(ctx context.Context, env *Env, items []Item) any {
	facts := &vulnerabilitiesFacts{
		Facts:    Facts{Present: len(items) > 0, Problems: []Problem{}},
		Reports:  []vulnReport{},
		Subjects: []string{},
		Findings: []vulnerabilities.Assessment{},
	}
	var cfg VulnerabilitiesConfig
	if env.Config != nil {
		if err := env.Config.Section("vulnerabilities", &cfg); err != nil {
			facts.AddProblem("registry", "vulnerabilities", 0, "%v", err)
		}
	}
	cvss, epss, ui, maxAge, err := VulnerabilitiesSettings(cfg)
	if err != nil {
		facts.AddProblem("registry", "vulnerabilities", 0, "%v", err)
	}
	facts.Config = vulnConfigFacts{CVSSThreshold: cvss, EPSSThreshold: epss, UnderInvestigation: ui, VEXMaxAge: cfg.VEXMaxAge}
	if len(items) == 0 {
		return facts
	}
	if ctx.Err() != nil {
		for _, it := range items {
			facts.AddProblem(it.Path, "", 0, "not read: %v", ctx.Err())
		}
		return facts
	}
	resolve := vexResolver(env)
	var reports []*vulnerabilities.Report
	var evidence []string
	for _, it := range items {
		b, err := env.ReadFile(policy.KindVulnerabilities, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "read vulnerability report: %v", err)
			continue
		}
		r, err := vulnerabilities.Parse(b, vulnerabilities.Options{MaxSize: env.MaxFileSize, Resolve: resolve})
		if err != nil {
			p := sbomProblem(it.Path, err)
			p.Message = "parse vulnerability report: " + p.Message
			facts.Problems = append(facts.Problems, p)
			continue
		}
		for _, is := range r.Issues {
			facts.AddProblem(it.Path, is.Path, 0, "parse vulnerability report: %s: %s", is.Path, is.Message)
		}
		reports = append(reports, r)
		evidence = append(evidence, it.Path)
		td := r.TargetDigests
		if td == nil {
			td = []string{}
		}
		facts.Reports = append(facts.Reports, vulnReport{Evidence: it.Path, Format: string(r.Format), Target: r.Target, TargetDigests: td, Vulnerabilities: len(r.Vulnerabilities)})
	}
	// The subject: the release's digests; without any, what the reports
	// say they scanned.
	subjects := subjectDigestStrings(env.Subjects)
	if len(subjects) == 0 {
		for _, r := range reports {
			for _, d := range r.TargetDigests {
				if !sbomContains(subjects, d) {
					subjects = append(subjects, d)
				}
			}
		}
		sort.Strings(subjects)
	}
	facts.Subjects = append(facts.Subjects, subjects...)
	vexItems := env.ItemsOf(policy.KindVEX)
	var stmts []vex.Statement
	for _, d := range readVEX(env, vexItems, nil, resolve) {
		stmts = append(stmts, d.Statements...)
	}
	facts.VEXStatements = len(stmts)
	m := vex.NewMatcher(stmts, vex.MatcherOptions{Subjects: subjects, Now: env.Now, MaxAge: maxAge})
	facts.Findings = vulnerabilities.Assess(evidence, reports, m, len(vexItems) > 0)
	return facts
}

// VEXCheck is the input of [CheckVEX].
type VEXCheck struct {
	Now time.Time
	// Subjects are the release subjects (their digests bind VEX products).
	Subjects []policy.Subject
	// Evidence holds vulnerabilities, vex and sbom items.
	Evidence []Item
	// MaxFileSize bounds each file; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// Config is the vulnerabilities registry section; zero fields take the
	// defaults.
	Config VulnerabilitiesConfig
}

// VEXCheckResult is what [CheckVEX] found.
type VEXCheckResult struct {
	Config   vulnConfigFacts `json:"config"`
	Subjects []string        `json:"subjects"`
	// Reports counts the vulnerability reports that could be read.
	Reports int `json:"reports"`
	// VEXStatements counts the usable statements.
	VEXStatements int `json:"vex_statements"`
	// Findings are the vulnerabilities with their effective VEX status.
	Findings []vulnerabilities.Assessment `json:"findings"`
	// Problems are the evidence files (reports, VEX, SBOMs) that could not
	// be used, with positions.
	Problems []Problem `json:"problems"`
}

// CheckVEX runs the vulnerabilities collector outside a decision, for
// `hubgate verify vex`: each vulnerability's effective status and the
// statement that decided it, with the problems of every input file.
func CheckVEX(ctx context.Context, c VEXCheck) *VEXCheckResult {
	data := map[string]any{}
	if b, err := json.Marshal(c.Config); err == nil {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			for k, v := range m {
				if v != nil && v != "" {
					data[k] = v
				}
			}
		}
	}
	env := &Env{
		Now:         c.Now,
		Subjects:    c.Subjects,
		Config:      &registry.Repo{Data: map[string]any{"vulnerabilities": data}},
		MaxFileSize: c.MaxFileSize,
		all:         c.Evidence,
	}
	vf := collectVulnerabilities(ctx, env, env.ItemsOf(policy.KindVulnerabilities)).(*vulnerabilitiesFacts)
	xf := collectVEX(ctx, env, env.ItemsOf(policy.KindVEX)).(*vexFacts)
	sf := collectSBOM(ctx, env, env.ItemsOf(policy.KindSBOM)).(*sbomFacts)
	res := &VEXCheckResult{Config: vf.Config, Subjects: vf.Subjects, Reports: len(vf.Reports), VEXStatements: vf.VEXStatements, Findings: vf.Findings, Problems: []Problem{}}
	res.Problems = append(res.Problems, vf.Problems...)
	res.Problems = append(res.Problems, xf.Problems...)
	res.Problems = append(res.Problems, sf.Problems...)
	return res
}
