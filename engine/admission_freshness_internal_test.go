package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// answers is a VSA checker with a fixed answer per digest.
type answers map[string][]admission.VSASummary

func (a answers) VerifyVSA(_ context.Context, digest string, _ admission.Requirement) admission.VSAResult {
	s, ok := a[digest]
	if !ok {
		return admission.VSAResult{Error: "no verification summary for " + digest, Summaries: []admission.VSASummary{}}
	}
	return admission.VSAResult{Summaries: s}
}

// TestAdmissionWindowsAreTheWholeJudgement: the decisions of an engine that
// keeps the judged claims of each image check (vsa_check_windows) equal
// those of one that judges every summary in the admission rule, review
// after review and as time passes; the kept judgement never freezes the
// time (a summary that ages out is denied with the warm cache), and a
// change of the requirement is not served from the cache.
func TestAdmissionWindowsAreTheWholeJudgement(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	summary := func(at time.Time, result, repo string) admission.VSASummary {
		return admission.VSASummary{Verified: true, Result: result, Repo: repo, ResourceURI: "git+https://github.com/" + repo,
			TimeVerified: at.Format(time.RFC3339), TimeVerifiedNS: at.UnixNano(), PolicyDigests: []string{}, VerifiedLevels: []string{"SLSA_BUILD_LEVEL_3"}}
	}
	digest := func(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }
	checker := answers{
		digest('a'): {summary(t0.Add(-time.Hour), "PASSED", "acme/api")},
		digest('b'): {summary(t0.Add(-100*time.Hour), "PASSED", "acme/api")},
		digest('c'): {summary(t0.Add(-time.Hour), "FAILED", "acme/api"), summary(t0.Add(-2*time.Hour), "PASSED", "acme/other")},
		digest('d'): {summary(t0.Add(time.Hour), "PASSED", "acme/api")},
		digest('e'): {{Verified: false, Error: "verify vsa: signature does not verify"}, summary(t0.Add(-3*time.Hour), "PASSED", "acme/api")},
	}
	// Times at the ends of the int64 range (vsa.Facts clamps to it): the
	// windows go past it, and are judged as the summaries are.
	edge := func(ns int64) admission.VSASummary {
		s := summary(t0, "PASSED", "acme/api")
		s.TimeVerifiedNS = ns
		return s
	}
	checker[digest('0')] = []admission.VSASummary{edge(math.MinInt64)}
	checker[digest('9')] = []admission.VSASummary{edge(math.MaxInt64)}
	var cs []string
	for i, c := range "abcdeaf09" {
		cs = append(cs, fmt.Sprintf(`{"name":"c%d","image":"ghcr.io/acme/svc%c@%s"}`, i, c, digest(byte(c))))
	}
	obj := admission.Object{Kind: "Pod", Namespace: "ns", Operation: "CREATE",
		Raw: []byte(`{"metadata":{"name":"p"},"spec":{"containers":[` + strings.Join(cs, ",") + `]}}`)}

	kept, err := New(ctx)
	require.NoError(t, err)
	judged, err := New(ctx)
	require.NoError(t, err)
	judged.windows = &windowsQuery{p: judged.pack}
	judged.windows.once.Do(func() {}) // defined stays false: no windows

	vsaFindings := func(e *Engine, cfg admission.Config, now time.Time) (string, []policy.Finding) {
		t.Helper()
		d, err := e.EvaluateAdmission(ctx, AdmissionInput{Config: cfg, Object: obj, Checker: checker, Now: now})
		require.NoError(t, err)
		var fs []policy.Finding
		for _, f := range d.Findings {
			if f.Rule == "admission.vsa" {
				fs = append(fs, f)
			}
		}
		b, err := json.Marshal(d.Findings)
		require.NoError(t, err)
		return string(b), fs
	}
	targets := func(fs []policy.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Target)
		}
		return out
	}
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}}}
	for _, now := range []time.Time{t0, t0.Add(69 * time.Hour), t0.Add(100 * time.Hour), t0.Add(166 * time.Hour), t0.Add(300 * time.Hour)} {
		for range 2 { // the second review of each is served from the cache
			want, _ := vsaFindings(judged, cfg, now)
			got, _ := vsaFindings(kept, cfg, now)
			require.JSONEq(t, want, got, "at %s", now)
		}
	}
	assert.Equal(t, 8, kept.windows.cache.Len(), "one kept judgement per distinct check: a to f, 0 and 9, svca reviewed twice per pod")

	// With the warm cache: at t0 a and e pass (c's passing summary is for
	// another repo, d is from the future, f has none), b passes until
	// it is 168h old, and every one has aged out at t0+300h.
	_, fs := vsaFindings(kept, cfg, t0)
	assert.Equal(t, []string{"c2", "c3", "c6", "c7", "c8"}, targets(fs), "svc0 is centuries old, svc9 from the far future")
	_, fs = vsaFindings(kept, cfg, t0.Add(69*time.Hour))
	assert.Equal(t, []string{"c1", "c2", "c6", "c7", "c8"}, targets(fs), "b is 169h old")
	_, fs = vsaFindings(kept, cfg, t0.Add(300*time.Hour))
	assert.Len(t, fs, 9)
	assert.Contains(t, fs[0].Message, "summary is not fresh")

	// A stricter requirement is a new key, never the kept judgement.
	strict := cfg
	strict.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}, RequiredLevels: []string{"SLSA_BUILD_LEVEL_4"}}}
	want, fs := vsaFindings(judged, strict, t0)
	got, _ := vsaFindings(kept, strict, t0)
	require.JSONEq(t, want, got)
	assert.Len(t, fs, 9, "no summary meets level 4")
}

// TestKeptInputIsTheAnswer: a review served from the kept judgement gets
// the Rego input of its own checker answer, the very term an earlier
// review converted, equal to what the JSON round trip of its facts gives.
func TestKeptInputIsTheAnswer(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	d := "sha256:" + strings.Repeat("a", 64)
	checker := answers{d: {{Verified: true, Result: "PASSED", Repo: "acme/api", TimeVerified: t0.Format(time.RFC3339),
		TimeVerifiedNS: t0.UnixNano(), PolicyDigests: []string{"sha256:1"}, VerifiedLevels: []string{"SLSA_BUILD_LEVEL_3"}}}}
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}}}
	obj := admission.Object{Kind: "Pod", Namespace: "ns", Operation: "CREATE",
		Raw: []byte(`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"ghcr.io/acme/api@` + d + `"},{"name":"b","image":"ghcr.io/acme/api@` + d + `"},{"name":"c","image":"busybox"}]}}`)}
	e, err := New(ctx)
	require.NoError(t, err)

	review := func() (*admission.Facts, map[*admission.VSAResult]*ast.Term) {
		t.Helper()
		facts, err := admission.Collect(ctx, cfg, obj, checker)
		require.NoError(t, err)
		judged, err := e.windows.set(ctx, facts, cfg, time.Minute)
		require.NoError(t, err)
		require.Len(t, judged, 1, "one distinct answer")
		return facts, judged
	}
	before, first := review()
	facts, second := review()
	require.Same(t, facts.Images[0].VSA, facts.Images[1].VSA)
	require.Same(t, facts.Images[0].Mapping, facts.Images[1].Mapping, "images under one prefix share its mapping")
	require.NotSame(t, before.Images[0].VSA, facts.Images[0].VSA, "each review has its own answer")
	require.Same(t, first[before.Images[0].VSA], second[facts.Images[0].VSA], "the second review reuses the kept term")
	require.NotEmpty(t, facts.Images[0].VSA.Windows)

	got, err := factsAST(facts, second)
	require.NoError(t, err)
	b, err := json.Marshal(facts)
	require.NoError(t, err)
	want, err := ast.ValueFromReader(bytes.NewReader(b))
	require.NoError(t, err)
	require.Equal(t, 0, want.Compare(got), "got %v\nwant %v", got, want)
}
