package engine

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/workflow"
	"github.com/cicd-hub/hubgate/policy"
)

// workflowFacts is input.workflow: the facts of every file, flattened.
type workflowFacts struct {
	Facts
	Files      []string             `json:"files"`
	Uses       []workflow.Use       `json:"uses"`
	Triggers   []workflow.Trigger   `json:"triggers"`
	Secrets    []workflow.Secret    `json:"secrets"`
	Injections []workflow.Injection `json:"injections"`
}

// collectWorkflow reads every workflow file of each --workflows directory.
func collectWorkflow(ctx context.Context, env *Env, items []Item) evidence.Document {
	out := &workflowFacts{
		Facts: Facts{Present: len(items) > 0, Problems: []Problem{}},
		Files: []string{}, Uses: []workflow.Use{}, Triggers: []workflow.Trigger{},
		Secrets: []workflow.Secret{}, Injections: []workflow.Injection{},
	}
	limit := env.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	for _, it := range items {
		if ctx.Err() != nil {
			out.AddProblem(it.Path, "", 0, "workflow: %v", ctx.Err())
			break
		}
		dir, srcs, skipped, err := workflow.ReadDir(it.Path, limit)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		for _, s := range skipped {
			out.AddProblem(s.Path, "", 0, "workflow file not read: %s", s.Reason)
		}
		if len(srcs) == 0 && len(skipped) == 0 {
			out.AddProblem(dir, "", 0, "no workflow files (*.yml, *.yaml) in %s", dir)
		}
		for _, s := range srcs {
			env.RecordInput(policy.KindWorkflow, "file", s.Path, policy.Digest{"sha256": s.SHA256})
			f, err := workflow.Parse(s.Path, s.Data)
			if err != nil {
				out.AddProblem(s.Path, "", 0, "%v", err)
				continue
			}
			out.Files = append(out.Files, s.Path)
			out.Uses = append(out.Uses, f.Uses...)
			out.Triggers = append(out.Triggers, f.Triggers...)
			out.Secrets = append(out.Secrets, f.Secrets...)
			out.Injections = append(out.Injections, f.Injections...)
		}
	}
	return out
}
