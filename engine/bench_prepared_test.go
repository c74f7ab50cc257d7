package engine

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/cicd-hub/hubgate/policy"
	hubrego "github.com/cicd-hub/hubgate/rego"
)

// BenchmarkPreparedVsUnprepared compares, on one small release (a subject
// and its SHA256SUMS) the engine's prepared query with what a caller
// without hubgate's engine does per request: rego.New(...).Eval over the
// same rules (the pack's runtime modules) and the same facts. The ratio of
// unprepared to evaluate (the whole Engine.Evaluate: hashing, collecting,
// the facts, the prepared query, the decision) is issue 15's "prepared vs
// unprepared" row; prepared is the query alone.
func BenchmarkPreparedVsUnprepared(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
		return p
	}
	reg := write("r.cue", `repos: "acme/app": {require: ["checksums"]}`)
	art := write("app.tar.gz", "hubgate fixture release 1.0.0\n")
	sums := write("SHA256SUMS", "5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73  app.tar.gz\n")
	e, err := New(ctx, WithRegistryPath(reg))
	if err != nil {
		b.Fatal(err)
	}
	input := Input{Repo: "acme/app", Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
		Subjects: []SubjectInput{{Path: art}}, Evidence: []Item{{Kind: policy.KindChecksums, Path: sums}}}
	repo, err := e.reg.Repo(input.Repo)
	if err != nil {
		b.Fatal(err)
	}
	subjects, err := hashSubjects(input.Subjects)
	if err != nil {
		b.Fatal(err)
	}
	facts, _, err := e.collect(ctx, input, repo, subjects, input.Now)
	if err != nil {
		b.Fatal(err)
	}
	doc, _, _, err := factsDocument(input.Repo, input.Now, subjects, policy.Kinds(), facts)
	if err != nil {
		b.Fatal(err)
	}
	var modules []func(*rego.Rego)
	err = fs.WalkDir(hubrego.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(hubrego.FS, p)
		if err != nil {
			return err
		}
		modules = append(modules, rego.Module("rego/"+p, string(src)))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	query, err := buildQuery(e.rules)
	if err != nil {
		b.Fatal(err)
	}
	repos := map[string]any{"acme/app": repo.Data}
	b.Run("prepared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.eval(ctx, doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Evaluate(ctx, input); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unprepared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			opts := append([]func(*rego.Rego){
				rego.ParsedQuery(query),
				rego.Store(inmem.NewFromObject(map[string]any{"hubgate": map[string]any{"repos": repos}})),
				rego.ParsedInput(doc),
				rego.StrictBuiltinErrors(true),
				rego.Capabilities(Capabilities()),
				rego.SetRegoVersion(ast.RegoV1),
			}, modules...)
			rs, err := rego.New(opts...).Eval(ctx)
			if err != nil || len(rs) != 1 {
				b.Fatal(err, len(rs))
			}
		}
	})
}
