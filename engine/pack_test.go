package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

// TestParsedRulesAreTheCompiledRules: the catalogue New finds in the parsed
// modules, without compiling them, is the one found in the compiled pack.
func TestParsedRulesAreTheCompiledRules(t *testing.T) {
	caps := Capabilities()
	mods, err := readModules([]PolicySource{BuiltinPolicy()}, caps, false)
	require.NoError(t, err)
	c, err := compile(mods, caps, false)
	require.NoError(t, err)
	compiled, err := findRules(c, mods)
	require.NoError(t, err)
	parsed, err := findRules(nil, mods)
	require.NoError(t, err)
	require.Equal(t, compiled, parsed)
	require.Greater(t, len(parsed), 50)
}

// TestPrunedSetsJudgeAsTheFullPack: every case judged with the query over
// the kinds that can have findings (required, given, or with problems)
// gives the decision the query over every release rule gives, and so does
// EvaluateKinds on each kind, with the query over that kind alone: a kind
// left out of a set has no finding to give.
func TestPrunedSetsJudgeAsTheFullPack(t *testing.T) {
	ctx := context.Background()
	n := 0
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			pruned, err := New(ctx, WithRegistryPath(c.registry))
			if err != nil {
				t.Skipf("registry does not load: %v", err)
			}
			full, err := New(ctx, WithRegistryPath(c.registry))
			require.NoError(t, err)
			full.pack.full = true
			want, err := full.Evaluate(ctx, c.in)
			if err != nil {
				t.Skipf("no decision: %v", err)
			}
			got, err := pruned.Evaluate(ctx, c.in)
			require.NoError(t, err)
			require.Equal(t, jsonOf(t, want), jsonOf(t, got))
			// The registry's settings alone (no evidence given, or one
			// kind's) raise no finding of a kind that is neither required
			// nor given.
			bare := c.in
			bare.Evidence = nil
			variants := []Input{bare}
			for _, it := range c.in.Evidence {
				one := c.in
				one.Evidence = []Item{it}
				variants = append(variants, one)
			}
			for _, in := range variants {
				want, err := full.Evaluate(ctx, in)
				require.NoError(t, err)
				got, err := pruned.Evaluate(ctx, in)
				require.NoError(t, err)
				require.Equal(t, jsonOf(t, want), jsonOf(t, got), "evidence %v", in.Evidence)
			}
			// The kinds verify would judge here: those given or required.
			repo, err := pruned.reg.Repo(c.in.Repo)
			require.NoError(t, err)
			kinds := slices.Clone(repo.Require)
			for _, it := range c.in.Evidence {
				if !slices.Contains(kinds, it.Kind) {
					kinds = append(kinds, it.Kind)
				}
			}
			for _, k := range kinds {
				want, err := full.EvaluateKinds(ctx, c.in, k)
				require.NoError(t, err)
				got, err := pruned.EvaluateKinds(ctx, c.in, k)
				require.NoError(t, err)
				require.Equal(t, jsonOf(t, want), jsonOf(t, got), "kind %s", k)
			}
			// The pruned engine compiled smaller sets than the full one.
			for key := range pruned.pack.sets {
				require.NotEqual(t, setKey(pruned.pack.releaseKinds()), key, "a case needed every kind")
			}
			n++
		})
	}
	require.Greater(t, n, 20)
}

func jsonOf(t *testing.T, d *policy.Decision) string {
	t.Helper()
	b, err := json.MarshalIndent(d, "", " ")
	require.NoError(t, err)
	return string(b)
}

// TestOneKindCompilesOneKind: an engine that judges one kind (verify
// <kind>) compiles that kind's modules and the base ones, once, however
// many goroutines judge at once; another kind is another set.
func TestOneKindCompilesOneKind(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg := filepath.Join(dir, "r.json")
	require.NoError(t, os.WriteFile(reg, []byte(`{"repos": {"acme/app": {"require": ["checksums", "signature"]}}}`), 0o644))
	e, err := New(ctx, WithRegistryPath(reg))
	require.NoError(t, err)
	require.Empty(t, e.pack.sets, "New compiles no release set")
	in := Input{Repo: "acme/app", Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
		Subjects: []SubjectInput{{Name: "app", Digest: map[string]string{"sha256": "5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73"}}}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := e.EvaluateKinds(ctx, in, policy.KindSignature)
			if !(err == nil && !d.Allowed && len(d.Findings) > 0 && d.Findings[0].Rule == "signature.present") {
				t.Errorf("EvaluateKinds(signature) = %+v, %v", d, err)
			}
		}()
	}
	wg.Wait()
	require.Len(t, e.pack.sets, 1)
	s := e.pack.sets["signature"]
	require.NotNil(t, s)
	for _, r := range s.rules {
		require.Equal(t, policy.KindSignature, r.info.Kind)
	}
	require.Equal(t, []policy.EvidenceKind{"signature"}, e.pack.closure([]policy.EvidenceKind{"signature"}))
	mods, err := e.pack.modulesOf(e.pack.closure([]policy.EvidenceKind{"signature"}))
	require.NoError(t, err)
	var names []string
	for _, m := range mods {
		names = append(names, m.name)
	}
	require.Equal(t, []string{"rego/hub.rego", "rego/lib.rego", "rego/lib_vsa.rego", "rego/signature.rego"}, names)

	d, err := e.Evaluate(ctx, in)
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.Len(t, e.pack.sets, 2)
	require.Contains(t, e.pack.sets, "checksums,signature")
	// The catalogue is every rule's, whatever was compiled and parsed.
	require.Greater(t, len(e.Rules()), 50)
	for i, m := range e.pack.mods {
		switch m.name {
		case "rego/hub.rego", "rego/lib.rego", "rego/lib_vsa.rego", "rego/signature.rego", "rego/checksums.rego":
			require.NotNil(t, e.pack.parses[i].mod, m.name)
		default:
			require.Nil(t, e.pack.parses[i].mod, "%s is parsed, though no set needs it", m.name)
		}
	}

	// The job rules compile on the first job decision, not in New.
	_, err = e.EvaluateJob(ctx, JobInput{Repo: "acme/app", Workflow: "release.yml", Job: "project-tests",
		RunsOn: "ubuntu-22.04", Timeout: time.Minute, Attempt: "a1", Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Contains(t, e.pack.sets, "job")
	for i, m := range e.pack.mods {
		if m.name == "rego/job.rego" {
			require.NotNil(t, e.pack.parses[i].mod, m.name)
		}
	}
}

// TestUserRulesCompileWithWhatTheyReferTo: a user rule that reads another
// kind's rules is judged with that kind compiled in, even when the release
// requires only checksums; a user module that conflicts with a built-in
// kind's rule is refused by New, though no eval would compile that kind.
func TestUserRulesCompileWithWhatTheyReferTo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg := filepath.Join(dir, "r.json")
	require.NoError(t, os.WriteFile(reg, []byte(`{"repos": {"acme/app": {"require": ["checksums"]}}}`), 0o644))
	src := "package hub.custom\n\n# METADATA\n# title: Signature rules loaded\n# custom:\n#   severity: low\nloaded contains f if {\n\tcount(data.hub.signature.identities) > 0\n\tf := {\"message\": \"signature rules are there\"}\n}\n"
	e, err := New(ctx, WithRegistryPath(reg), WithPolicy(PolicySource{Name: "user", FS: fstest.MapFS{"custom.rego": {Data: []byte(src)}}}))
	require.NoError(t, err)
	d, err := e.Evaluate(ctx, Input{Repo: "acme/app", Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
		Subjects: []SubjectInput{{Name: "app", Digest: map[string]string{"sha256": "5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73"}}}})
	require.NoError(t, err)
	var rules []string
	for _, f := range d.Findings {
		rules = append(rules, f.Rule)
	}
	require.Contains(t, rules, "custom.loaded")
	require.Contains(t, rules, "checksums.present")
	require.NotContains(t, rules, "signature.present", "signature is compiled in, not judged")

	conflict := "package hub.sbom\n\npresent := 1\n"
	_, err = New(ctx, WithRegistryPath(reg), WithPolicy(PolicySource{Name: "user", FS: fstest.MapFS{"sbom.rego": {Data: []byte(conflict)}}}))
	require.ErrorIs(t, err, ErrPolicy)
	require.Contains(t, err.Error(), "conflicting rules data.hub.sbom.present")

	nested := "package hub.sbom.present\n\nx := 1\n"
	_, err = New(ctx, WithRegistryPath(reg), WithPolicy(PolicySource{Name: "user", FS: fstest.MapFS{"n.rego": {Data: []byte(nested)}}}))
	require.ErrorIs(t, err, ErrPolicy, "a package under a kind's rule conflicts with it")
}

// TestPreparedSetsBounded: past maxPreparedSets, a new release set is judged
// by the query over every release kind, with the same decision.
func TestPreparedSetsBounded(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx)
	require.NoError(t, err)
	for i := range maxPreparedSets {
		e.pack.sets[string(rune('a'+i%26))+string(rune('0'+i))] = &preparedSet{}
	}
	s := e.pack.prepare(ctx, []policy.EvidenceKind{policy.KindChecksums}, true)
	require.NoError(t, s.err)
	require.Same(t, e.pack.sets[setKey(e.pack.releaseKinds())], s)
	require.NotContains(t, e.pack.sets, "checksums")
	// Admission is never folded into the release set.
	a := e.pack.prepare(ctx, []policy.EvidenceKind{AdmissionKind}, false)
	require.NoError(t, a.err)
	require.Same(t, e.pack.sets["admission"], a)
}
