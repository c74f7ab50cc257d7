package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// TestEvaluateVSA: the claims of a summary that verified are judged by the
// hub.vsa rule (hub.lib.vsa_problems), with real signed summaries: the
// judgement vsa.Summary.Check made before.
func TestEvaluateVSA(t *testing.T) {
	e, err := engine.New(context.Background())
	require.NoError(t, err)
	k, err := vsa.GenerateKey(vsa.AlgorithmEd25519)
	require.NoError(t, err)
	const img = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	const pol = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	const other = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	t0 := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	sign := func(passed bool) admission.VSASummary {
		o := policy.OutcomePass
		if !passed {
			o = policy.OutcomeFail
		}
		d := &policy.Decision{Outcome: o, Allowed: passed, Repo: "acme/api", Policy: policy.PolicyRef{Digest: pol}, Time: t0}
		b, err := vsa.Sign(d, policy.Subject{Name: "ghcr.io/acme/api", Digest: policy.Digest{"sha256": img}}, k, vsa.Options{VerifierID: "https://ci.example/hubgate"})
		require.NoError(t, err)
		s, err := vsa.VerifyBundle(b, k.Public(), "sha256:"+img)
		require.NoError(t, err)
		return admission.SummaryFacts(s)
	}
	good, failed := sign(true), sign(false)
	week := admission.VSAConfig{MaxAge: admission.Duration(168 * time.Hour)}
	for _, tc := range []struct {
		name string
		s    admission.VSASummary
		cfg  admission.VSAConfig
		now  time.Time
		want string // "" when allowed
	}{
		{"valid", good, week, t0.Add(time.Hour), ""},
		{"accepted policy and verifier", good, admission.VSAConfig{MaxAge: week.MaxAge, PolicyDigests: []string{other, pol}, VerifierID: "https://ci.example/hubgate"}, t0, ""},
		{"failed", failed, week, t0, `verification result is not PASSED: "FAILED"`},
		{"expired", good, week, t0.Add(169 * time.Hour), "summary is not fresh: verified at 2026-11-28T00:00:00Z, 169h0m0s old, max 168h0m0s"},
		{"exactly max age", good, week, t0.Add(168 * time.Hour), ""},
		{"from the future", good, week, t0.Add(-time.Hour), "summary is not fresh: verified at 2026-11-28T00:00:00Z, in the future"},
		{"within clock skew", good, week, t0.Add(-time.Minute), ""},
		{"no max age", good, admission.VSAConfig{}, t0, "summary is not fresh: no maximum age configured"},
		{"policy not accepted", good, admission.VSAConfig{MaxAge: week.MaxAge, PolicyDigests: []string{other}}, t0, "policy digest not accepted: [" + pol + "]"},
		{"other verifier", good, admission.VSAConfig{MaxAge: week.MaxAge, VerifierID: "https://other"}, t0, `verifier id not accepted: "https://ci.example/hubgate", want "https://other"`},
		{"did not verify", admission.UnverifiedFacts(assert.AnError), week, t0, assert.AnError.Error()},
		{"zero facts", admission.VSASummary{}, week, t0, "summary did not verify"},
		{"verified but no claims", admission.VSASummary{Verified: true}, week, t0, `verification result is not PASSED: ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := e.EvaluateVSA(context.Background(), engine.VSAInput{Summary: tc.s, Digest: "sha256:" + img, Config: tc.cfg, Now: tc.now})
			require.NoError(t, err)
			require.Len(t, d.Checks, 1)
			assert.Equal(t, engine.KindVSAVerify, d.Checks[0].Kind)
			if tc.want == "" {
				assert.True(t, d.Allowed, "%+v", d.Findings)
				assert.Empty(t, d.Findings)
				return
			}
			assert.False(t, d.Allowed)
			require.Len(t, d.Findings, 1)
			assert.Equal(t, "vsa_verify.summary", d.Findings[0].Rule)
			assert.Equal(t, tc.want, d.Findings[0].Message)
		})
	}
	_, err = e.EvaluateVSA(context.Background(), engine.VSAInput{Summary: good})
	assert.ErrorIs(t, err, engine.ErrInput, "no time")

}
