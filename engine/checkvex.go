package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/sbom"
	"github.com/cicd-hub/hubgate/engine/evidence/vex"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// VulnerabilitiesConfig is the registry's vulnerabilities section
// ([vulnerabilities.Config]).
type VulnerabilitiesConfig = vulnerabilities.Config

// VulnerabilitiesSettings resolves cfg with defaults and parses its maximum
// age ([vulnerabilities.Settings]).
func VulnerabilitiesSettings(cfg VulnerabilitiesConfig) (cvss, epss float64, underInvestigation string, maxAge time.Duration, err error) {
	return vulnerabilities.Settings(cfg)
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
	Config   vulnerabilities.ConfigFacts `json:"config"`
	Subjects []string                    `json:"subjects"`
	// Reports counts the vulnerability reports that could be read.
	Reports int `json:"reports"`
	// VEXStatements counts the usable statements.
	VEXStatements int `json:"vex_statements"`
	// Findings are the vulnerabilities with their effective VEX status.
	Findings []vulnerabilities.Assessment `json:"findings"`
	// Problems are the evidence files (reports, VEX, SBOMs) that could not
	// be used, with positions.
	Problems []Problem `json:"problems"`
	// Unbound are the reports that name no subject digest (nor a bound
	// SBOM): their statuses are shown, but eval would fail them with
	// vulnerabilities.bound.
	Unbound []Problem `json:"unbound"`
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
		Evidence:    c.Evidence,
		Cache:       evidence.NewCache(nil),
	}
	vf := vulnerabilities.Collect(ctx, env, env.ItemsOf(policy.KindVulnerabilities)).(*vulnerabilities.Facts)
	xf := vex.Collect(ctx, env, env.ItemsOf(policy.KindVEX)).(*vex.Facts)
	sf := sbom.Collect(ctx, env, env.ItemsOf(policy.KindSBOM)).(*sbom.Facts)
	res := &VEXCheckResult{Config: vf.Config, Subjects: vf.Subjects, Reports: len(vf.Reports), VEXStatements: vf.VEXStatements, Findings: vf.Findings, Problems: []Problem{}, Unbound: []Problem{}}
	res.Problems = append(res.Problems, vf.Problems...)
	for _, r := range vf.Reports {
		if !r.Bound {
			res.Unbound = append(res.Unbound, Problem{Evidence: r.Evidence, Path: r.TargetField, Message: "not bound to the release: " + r.Unbound})
		}
	}
	res.Problems = append(res.Problems, xf.Problems...)
	res.Problems = append(res.Problems, sf.Problems...)
	return res
}
