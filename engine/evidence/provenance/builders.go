package provenance

import (
	"context"
	"io/fs"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/rego"

	hubrego "github.com/cicd-hub/hubgate/rego"
)

// SplitBuilderID splits "name@ref" at its last "@": the builder_name and
// builder_ref facts Rego matches the registry's builders against.
func SplitBuilderID(id string) (name, ref string) {
	if i := strings.LastIndex(id, "@"); i >= 0 {
		return id[:i], id[i+1:]
	}
	return id, ""
}

// builderQuery is rego/provenance.rego's builder_ok, prepared once.
var builderQuery = sync.OnceValues(func() (rego.PreparedEvalQuery, error) {
	opts := []func(*rego.Rego){rego.Query(`data.hub.provenance.builder_ok(input.statement) with data.hub.repo as input.repo`)}
	for _, f := range []string{"lib.rego", "signature.rego", "provenance.rego"} {
		b, err := fs.ReadFile(hubrego.FS, f)
		if err != nil {
			return rego.PreparedEvalQuery{}, err
		}
		opts = append(opts, rego.Module(f, string(b)))
	}
	return rego.New(opts...).PrepareForEval(context.Background())
})

// BuilderTrusted reports whether the Rego rule that judges builders
// (builder_ok in rego/provenance.rego, the only copy of the rule and of the
// default builder list) trusts builder id with the registry's
// provenance.builders trusted. Errors deny.
//
// Deprecated: the judge is rego/provenance.rego, run by the engine. This
// only serves `hubgate verify provenance` (adapters/cli) until that command
// evaluates through the engine (issue 11, part B); delete it then.
func BuilderTrusted(trusted []string, id string) bool {
	q, err := builderQuery()
	if err != nil {
		return false
	}
	name, ref := SplitBuilderID(id)
	builders := make([]any, len(trusted))
	for i, t := range trusted {
		builders[i] = t
	}
	rs, err := q.Eval(context.Background(), rego.EvalInput(map[string]any{
		"repo":      map[string]any{"provenance": map[string]any{"builders": builders}},
		"statement": map[string]any{"builder_id": id, "builder_name": name, "builder_ref": ref},
	}))
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return false
	}
	ok, _ := rs[0].Expressions[0].Value.(bool)
	return ok
}
