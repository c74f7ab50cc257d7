package referrers

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is the facts document of the referrers kind,
// input.referrers in Rego.
type Facts struct {
	evidence.Facts
	// Documents has one entry per oras discover file.
	Documents []referrersDoc `json:"documents"`
}

type referrersDoc struct {
	File string `json:"file"`
	Document
}

// RoleListed is the role of an item that only lists a referrer no kind
// reads (an unknown artifact type an adapter fetched): its bytes are
// recorded as an input of the decision and otherwise ignored.
const RoleListed = "listed"

// Collect reads `oras discover -o json` output.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{
		Facts:     evidence.New(items),
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
		if it.Role == RoleListed {
			// A referrer an adapter found and no kind reads: recorded
			// among the decision's inputs, not judged.
			continue
		}
		d, err := Parse(b)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		facts.Documents = append(facts.Documents, referrersDoc{File: it.Path, Document: *d})
	}
	return facts
}
