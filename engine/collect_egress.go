package engine

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/egress"
	"github.com/cicd-hub/hubgate/policy"
)

// egressConfig is the registry's egress section.
type egressConfig struct {
	Allow           []string `json:"allow"`
	Canary          string   `json:"canary"`
	BlockedAttempts string   `json:"blocked_attempts"`
	RequireSigned   bool     `json:"require_signed"`
}

// egressFacts is input.egress.
type egressFacts struct {
	Facts
	egress.Summary
	Signing signing `json:"signing"`
}

// collectEgress reads hub egress reports and Squid access logs, and matches
// every attempted host against the registry's allowlist.
func collectEgress(ctx context.Context, env *Env, items []Item) evidence.Document {
	out := &egressFacts{Facts: Facts{Present: len(items) > 0, Problems: []Problem{}}}
	cfg := egressConfig{BlockedAttempts: egress.BlockedWarn}
	if env.Config != nil {
		if err := env.Config.Section("egress", &cfg); err != nil {
			out.AddProblem("registry", "egress", 0, "%v", err)
		}
	}
	switch cfg.BlockedAttempts {
	case egress.BlockedWarn, egress.BlockedFail:
	case "":
		cfg.BlockedAttempts = egress.BlockedWarn
	default:
		out.AddProblem("registry", "egress.blocked_attempts", 0, "want warn or fail, got %q", cfg.BlockedAttempts)
		cfg.BlockedAttempts = egress.BlockedFail
	}
	allow, errs := egress.Compile(cfg.Allow)
	if len(items) > 0 {
		// Registry mistakes only matter when there is evidence to judge.
		for _, err := range errs {
			out.AddProblem("registry", "egress.allow", 0, "%v", err)
		}
	}
	var canary *egress.Entry
	if cfg.Canary != "" {
		e, err := egress.ParseEntry(cfg.Canary)
		if err != nil {
			out.AddProblem("registry", "egress.canary", 0, "%v", err)
		} else {
			canary = &e
		}
	}
	out.Signing = newSigning(cfg.RequireSigned)
	var signed []signedFile
	c := egress.NewCollector(allow, canary, cfg.BlockedAttempts)
	for _, it := range items {
		if ctx.Err() != nil {
			out.AddProblem(it.Path, "", 0, "egress: %v", ctx.Err())
			break
		}
		b, err := env.ReadFile(policy.KindEgress, it.Role, it.Path)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "read egress evidence: %v", err)
			continue
		}
		signed = append(signed, signedFile{path: it.Path, data: b})
		r, err := egress.Parse(b)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		if future := egress.FutureTimes(r, env.Now); len(future) > 0 {
			for _, p := range future {
				out.AddProblem(it.Path, p.Path, p.Line, "%s", p.Message)
			}
			continue
		}
		c.Add(it.Path, r)
	}
	sum, probs := c.Summary()
	for _, p := range probs {
		out.AddProblem(p.File, p.Path, p.Line, "%s", p.Message)
	}
	out.Summary = sum
	out.Signing.verifyReports(env, policy.KindEgress, signed, &out.Facts)
	return out
}
