package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// kindsEngine is an engine whose repo acme/app requires checksums and
// vulnerabilities; the fixtures' VEX statements (2024) are within the
// org's maximum age.
func kindsEngine(t *testing.T) *engine.Engine {
	t.Helper()
	reg, err := registry.Load(fstest.MapFS{"r.cue": {Data: []byte(`org: vulnerabilities: vex_max_age: "87600h"
repos: "acme/app": require: ["checksums", "vulnerabilities"]
`)}}, "r.cue")
	require.NoError(t, err)
	e, err := engine.New(context.Background(), engine.WithRegistry(reg))
	require.NoError(t, err)
	return e
}

// kindsInput is a release whose checksums fail (the list names another
// artifact) and whose vulnerabilities pass (bound, suppressed by VEX).
func kindsInput(t *testing.T, evidence ...policy.EvidenceKind) engine.Input {
	t.Helper()
	fixture := func(name string) string { return filepath.Join("..", "fixtures", name) }
	dg, err := policy.ParseDigest("sha256:" + vulnDemoHexExt)
	require.NoError(t, err)
	sums := writeFile(t, filepath.Join(t.TempDir(), "SHA256SUMS"), strings.Repeat("0", 64)+"  other\n")
	all := map[policy.EvidenceKind][]engine.Item{
		policy.KindChecksums:       {{Kind: policy.KindChecksums, Path: sums}},
		policy.KindVulnerabilities: {{Kind: policy.KindVulnerabilities, Path: fixture("vulns/hub-sbom-scan.grype.json")}},
		policy.KindVEX:             {{Kind: policy.KindVEX, Path: fixture("vex/hub-vex.cdx.json")}},
	}
	in := engine.Input{Repo: "acme/app", Now: now, Subjects: []engine.SubjectInput{{Name: "demo", Digest: dg}}}
	for _, k := range evidence {
		in.Evidence = append(in.Evidence, all[k]...)
	}
	return in
}

const vulnDemoHexExt = "1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

// ofKinds keeps the findings of kinds.
func ofKinds(fs []policy.Finding, kinds ...policy.EvidenceKind) []policy.Finding {
	return slices.DeleteFunc(slices.Clone(fs), func(f policy.Finding) bool { return !slices.Contains(kinds, f.Kind()) })
}

// checkOf returns the check of kind, or false.
func checkOf(d *policy.Decision, kind policy.EvidenceKind) (policy.Check, bool) {
	for _, c := range d.Checks {
		if c.Kind == kind {
			return c, true
		}
	}
	return policy.Check{}, false
}

// TestEvaluateKinds: EvaluateKinds judges the named kinds alone, as
// Evaluate judges them on the same inputs; an unknown kind is an error, and
// a named kind without its evidence fails closed.
func TestEvaluateKinds(t *testing.T) {
	ctx := context.Background()
	e := kindsEngine(t)
	in := kindsInput(t, policy.KindChecksums, policy.KindVulnerabilities, policy.KindVEX)

	full, err := e.Evaluate(ctx, in)
	require.NoError(t, err)
	require.False(t, full.Allowed, "the checksums fail the whole release")
	fc, ok := checkOf(full, policy.KindChecksums)
	require.True(t, ok)
	require.Equal(t, policy.OutcomeFail, fc.Outcome)

	t.Run("only the named kinds, as Evaluate judges them", func(t *testing.T) {
		kinds := []policy.EvidenceKind{policy.KindVulnerabilities, policy.KindVEX}
		d, err := e.EvaluateKinds(ctx, in, kinds...)
		require.NoError(t, err)
		assert.True(t, d.Allowed, "the checksums are not judged: %+v", d.Checks)
		for _, c := range d.Checks {
			if c.Kind.Valid() {
				assert.Contains(t, kinds, c.Kind, "a check of a kind not named: %+v", c)
			}
		}
		_, ok := checkOf(d, policy.KindChecksums)
		assert.False(t, ok)
		for _, k := range kinds {
			want, ok := checkOf(full, k)
			require.True(t, ok, k)
			got, ok := checkOf(d, k)
			require.True(t, ok, k)
			assert.Equal(t, want, got, "the %s check of EvaluateKinds is Evaluate's", k)
		}
		assert.Equal(t, ofKinds(full.Findings, kinds...), d.Findings, "the findings are Evaluate's, of the named kinds")
		for _, inp := range d.Inputs {
			assert.Contains(t, kinds, inp.Kind, "only the named kinds' evidence is read: %+v", inp)
		}
	})

	t.Run("a failing kind alone", func(t *testing.T) {
		d, err := e.EvaluateKinds(ctx, in, policy.KindChecksums)
		require.NoError(t, err)
		assert.False(t, d.Allowed)
		got, ok := checkOf(d, policy.KindChecksums)
		require.True(t, ok)
		assert.Equal(t, fc, got)
		assert.Equal(t, ofKinds(full.Findings, policy.KindChecksums), d.Findings)
	})

	t.Run("unknown or no kind", func(t *testing.T) {
		_, err := e.EvaluateKinds(ctx, in, "nope")
		require.Error(t, err)
		assert.True(t, errors.Is(err, engine.ErrInput), err)
		assert.Contains(t, err.Error(), `unknown evidence kind "nope"`)
		_, err = e.EvaluateKinds(ctx, in)
		require.Error(t, err)
		assert.True(t, errors.Is(err, engine.ErrInput), err)
	})

	t.Run("a required kind without evidence fails closed", func(t *testing.T) {
		d, err := e.EvaluateKinds(ctx, kindsInput(t, policy.KindChecksums), policy.KindVulnerabilities)
		require.NoError(t, err)
		assert.False(t, d.Allowed)
		c, ok := checkOf(d, policy.KindVulnerabilities)
		require.True(t, ok)
		assert.NotEqual(t, policy.OutcomePass, c.Outcome)
		var rules []string
		for _, f := range d.Findings {
			rules = append(rules, f.Rule)
		}
		assert.Contains(t, rules, "vulnerabilities.present")
	})

	t.Run("a kind neither required nor given verifies nothing", func(t *testing.T) {
		d, err := e.EvaluateKinds(ctx, kindsInput(t), policy.KindSBOM)
		require.NoError(t, err)
		assert.False(t, d.Allowed, "nothing was verified: %+v", d.Checks)
	})

	t.Run("facts of the judged kinds", func(t *testing.T) {
		d, facts, err := e.EvaluateKindsFacts(ctx, in, policy.KindVulnerabilities, policy.KindVEX)
		require.NoError(t, err)
		assert.True(t, d.Allowed)
		assert.Len(t, facts, 2)
		vf, ok := facts[policy.KindVulnerabilities].(*engine.VulnerabilitiesFacts)
		require.True(t, ok)
		require.Len(t, vf.Findings, 2)
		assert.True(t, vf.Findings[0].Suppressed, "%+v", vf.Findings[0])
	})
}
