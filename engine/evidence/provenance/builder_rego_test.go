package provenance_test

import (
	"context"
	"io/fs"
	"sync"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	hubrego "github.com/cicd-hub/hubgate/rego"
)

// builderQuery is rego/provenance.rego's builder_ok, prepared once: the
// judge of builders, which these tests exercise with slsa-verifier's cases.
var builderQuery = sync.OnceValues(func() (rego.PreparedEvalQuery, error) {
	opts := []func(*rego.Rego){rego.Query(`data.hub.provenance.builder_ok(input.statement) with data.hub.repo as input.repo`)}
	for _, f := range []string{"lib.rego", "provenance.rego"} {
		b, err := fs.ReadFile(hubrego.FS, f)
		if err != nil {
			return rego.PreparedEvalQuery{}, err
		}
		opts = append(opts, rego.Module(f, string(b)))
	}
	return rego.New(opts...).PrepareForEval(context.Background())
})

// builderTrusted reports whether builder_ok trusts builder id with the
// registry's provenance.builders trusted. Errors deny.
func builderTrusted(trusted []string, id string) bool {
	q, err := builderQuery()
	if err != nil {
		return false
	}
	name, ref := provenance.SplitBuilderID(id)
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
