package egress

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/selfreport"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// egressConfig is the registry's egress section.
type egressConfig struct {
	Allow           []string `json:"allow"`
	Canary          string   `json:"canary"`
	BlockedAttempts string   `json:"blocked_attempts"`
	RequireSigned   bool     `json:"require_signed"`
}

// Section is the registry's egress section, decoded once at load into its
// typed config.
var Section = registry.SectionOf[egressConfig]("egress")

// Facts is input.egress.
type Facts struct {
	evidence.Facts
	Summary
	Signing selfreport.Signing `json:"signing"`
}

// Collect reads hub egress reports and Squid access logs, and matches
// every attempted host against the registry's allowlist.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	out := &Facts{Facts: evidence.New(items)}
	// The defaults are cue/section_egress.cue's (blocked_attempts "warn"):
	// Go repeats none. A section that did not come through the registry's
	// schema and names no outcome fails closed.
	var cfg egressConfig
	if env.Config != nil {
		if err := env.Config.Section("egress", &cfg); err != nil {
			out.AddProblem("registry", "egress", 0, "%v", err)
		}
	}
	switch cfg.BlockedAttempts {
	case BlockedWarn, BlockedFail:
	default:
		out.AddProblem("registry", "egress.blocked_attempts", 0, "want warn or fail, got %q", cfg.BlockedAttempts)
		cfg.BlockedAttempts = BlockedFail
	}
	allow, errs := Compile(cfg.Allow)
	if len(items) > 0 {
		// Registry mistakes only matter when there is evidence to judge.
		for _, err := range errs {
			out.AddProblem("registry", "egress.allow", 0, "%v", err)
		}
	}
	var canary *Entry
	if cfg.Canary != "" {
		e, err := ParseEntry(cfg.Canary)
		if err != nil {
			out.AddProblem("registry", "egress.canary", 0, "%v", err)
		} else {
			canary = &e
		}
	}
	out.Signing = selfreport.New(cfg.RequireSigned)
	var signed []selfreport.File
	c := NewCollector(allow, canary, cfg.BlockedAttempts)
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
		signed = append(signed, selfreport.File{Path: it.Path, Data: b})
		r, err := Parse(b)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		if future := FutureTimes(r, env.Now); len(future) > 0 {
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
	out.Signing.Verify(env, policy.KindEgress, signed, &out.Facts)
	return out
}
