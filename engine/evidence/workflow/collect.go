package workflow

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is input.workflow: the facts of every file, flattened.
type Facts struct {
	evidence.Facts
	Files      []string    `json:"files"`
	Uses       []Use       `json:"uses"`
	Triggers   []Trigger   `json:"triggers"`
	Secrets    []Secret    `json:"secrets"`
	Injections []Injection `json:"injections"`
}

// Collect reads every workflow file of each --workflows directory.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	out := &Facts{
		Facts: evidence.New(items),
		Files: []string{}, Uses: []Use{}, Triggers: []Trigger{},
		Secrets: []Secret{}, Injections: []Injection{},
	}
	limit := env.MaxFileSize
	if limit <= 0 {
		limit = evidence.DefaultMaxFileSize
	}
	for _, it := range items {
		if ctx.Err() != nil {
			out.AddProblem(it.Path, "", 0, "workflow: %v", ctx.Err())
			break
		}
		dir, srcs, skipped, err := ReadDir(it.Path, limit)
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
			f, err := Parse(s.Path, s.Data)
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
