package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	benchrel "github.com/cicd-hub/hubgate/bench/release"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// fullRelease writes bench/release's full release (issue 15's table) and
// returns it with its engine Input.
func fullRelease(tb testing.TB) (*benchrel.Release, engine.Input) {
	tb.Helper()
	r, err := benchrel.Write(tb.TempDir(), benchrel.Full)
	require.NoError(tb, err)
	in := engine.Input{
		Repo: benchrel.Repo, Now: benchrel.Now,
		Subjects: []engine.SubjectInput{{Path: r.Subject}},
		Evidence: []engine.Item{
			{Kind: policy.KindChecksums, Path: r.Checksums},
			{Kind: policy.KindSBOM, Path: r.SBOM},
			{Kind: policy.KindVulnerabilities, Path: r.Vulns},
			{Kind: policy.KindVEX, Path: r.VEX},
			{Kind: policy.KindProvenance, Path: r.Provenance},
			{Kind: policy.KindSignature, Path: r.Signature},
			{Kind: policy.KindEgress, Path: r.Egress},
			{Kind: policy.KindDeterminism, Role: "original", Path: r.DetOriginal},
			{Kind: policy.KindDeterminism, Role: "rebuild", Path: r.DetRebuild},
			{Kind: policy.KindDeterminism, Role: "original-time", Value: "2026-11-26T08:00:00Z"},
			{Kind: policy.KindDeterminism, Role: "rebuild-time", Value: "2026-11-27T09:00:00Z"},
		},
	}
	return r, in
}

// BenchmarkNew is engine.New, the fixed cost of every process: the
// embedded registry, and the full release's (one repo, 500 egress hosts).
func BenchmarkNew(b *testing.B) {
	ctx := context.Background()
	b.Run("registry=default", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := engine.New(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("registry=full-release", func(b *testing.B) {
		r, _ := fullRelease(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := engine.New(ctx, engine.WithRegistryPath(r.Registry)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRegistryLoad is the registry load alone, as eval does it.
func BenchmarkRegistryLoad(b *testing.B) {
	r, _ := fullRelease(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.LoadPath(r.Registry); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateFullRelease is one Evaluate of the full release with the
// engine built once (the webhook's and the library's case).
func BenchmarkEvaluateFullRelease(b *testing.B) {
	ctx := context.Background()
	r, in := fullRelease(b)
	e, err := engine.New(ctx, engine.WithRegistryPath(r.Registry))
	require.NoError(b, err)
	d, err := e.Evaluate(ctx, in)
	require.NoError(b, err)
	checkFullRelease(b, d)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// checkFullRelease: every check of the full release ran on real evidence:
// all pass but vulnerabilities, which fails on the scores above the
// threshold that no VEX statement covers.
func checkFullRelease(tb testing.TB, d *policy.Decision) {
	tb.Helper()
	want := map[policy.EvidenceKind]policy.Outcome{
		policy.KindChecksums: policy.OutcomePass, policy.KindSBOM: policy.OutcomePass, policy.KindVEX: policy.OutcomePass,
		policy.KindVulnerabilities: policy.OutcomeFail, policy.KindProvenance: policy.OutcomePass,
		policy.KindSignature: policy.OutcomePass, policy.KindEgress: policy.OutcomePass, policy.KindDeterminism: policy.OutcomePass,
	}
	got := map[policy.EvidenceKind]policy.Outcome{}
	for _, c := range d.Checks {
		got[c.Kind] = c.Outcome
	}
	require.Equal(tb, want, got)
	require.Greater(tb, len(d.Findings), 1000)
}

// TestFullRelease runs the benchmark's release once, so that a change that
// breaks it (an unverifiable signature, a kind left out) fails a test.
func TestFullRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and evaluates a 10k-component release")
	}
	ctx := context.Background()
	r, in := fullRelease(t)
	e, err := engine.New(ctx, engine.WithRegistryPath(r.Registry))
	require.NoError(t, err)
	d, err := e.Evaluate(ctx, in)
	require.NoError(t, err)
	checkFullRelease(t, d)
	require.False(t, d.Allowed)
}
