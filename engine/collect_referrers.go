package engine

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/referrers"
	"github.com/cicd-hub/hubgate/policy"
)

// referrersFacts is the facts document of the referrers kind,
// input.referrers in Rego.
type referrersFacts struct {
	Facts
	// Documents has one entry per oras discover file.
	Documents []referrersDoc `json:"documents"`
}

type referrersDoc struct {
	File string `json:"file"`
	referrers.Document
}

// collectReferrers reads `oras discover -o json` output.
func collectReferrers(ctx context.Context, env *Env, items []Item) evidence.Document {
	facts := &referrersFacts{
		Facts:     Facts{Present: len(items) > 0, Problems: []Problem{}},
		Documents: []referrersDoc{},
	}
	for _, it := range items {
		if ctx.Err() != nil {
			facts.AddProblem(it.Path, "", 0, "%v", ctx.Err())
			continue
		}
		b, err := env.ReadFile(policy.KindReferrers, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		d, err := referrers.Parse(b)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		facts.Documents = append(facts.Documents, referrersDoc{File: it.Path, Document: *d})
	}
	return facts
}
