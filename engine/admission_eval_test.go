package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// noSummary answers every image: no verification summary.
type noSummary struct{}

func (noSummary) VerifyVSA(context.Context, string, admission.Requirement) admission.VSAResult {
	return admission.VSAResult{Error: "no verification summary"}
}

const admPod = `{"metadata":{"name":"web","annotations":{
	"ci-intel.dev/sbom-referrer":"oci://ghcr.io/acme/sbom@sha256:1111111111111111111111111111111111111111111111111111111111111111",
	"ci-intel.dev/provenance-referrer":"oci://ghcr.io/acme/prov@sha256:2222222222222222222222222222222222222222222222222222222222222222"}},
	"spec":{"containers":[{"name":"api","image":"ghcr.io/acme/api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]}}`

// TestEvaluateAdmissionWaivers: admission findings get the registry's
// admission.waivers like release findings get a repo's: an unexpired
// waiver for the rule and target lets the object in, an expired one is
// refused and fails, one for another target does nothing.
func TestEvaluateAdmissionWaivers(t *testing.T) {
	e, err := engine.New(context.Background())
	require.NoError(t, err)
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}}}
	waiver := func(target, expires string) []admission.Waiver {
		return []admission.Waiver{{Rule: admission.RuleVSA, Target: target, Reason: "store migration", Owner: "platform", Expires: expires}}
	}
	tests := []struct {
		name    string
		waivers []admission.Waiver
		allowed bool
		rules   []string
		outcome policy.Outcome
	}{
		{name: "no waiver denies", allowed: false, rules: []string{admission.RuleVSA}, outcome: policy.OutcomeFail},
		{name: "waiver admits", waivers: waiver("api", "2026-12-31"), allowed: true, rules: []string{admission.RuleVSA}, outcome: policy.OutcomePass},
		{name: "waiver for any target admits", waivers: waiver("", "2026-12-31T00:00:00Z"), allowed: true, rules: []string{admission.RuleVSA}, outcome: policy.OutcomePass},
		{name: "expired waiver is refused", waivers: waiver("api", "2026-11-27"), allowed: false, rules: []string{admission.RuleVSA, "waiver.expired"}, outcome: policy.OutcomeFail},
		{name: "waiver for another container does nothing", waivers: waiver("sidecar", "2026-12-31"), allowed: false, rules: []string{admission.RuleVSA}, outcome: policy.OutcomeFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.Waivers = tc.waivers
			require.NoError(t, c.Validate())
			d, err := e.EvaluateAdmission(context.Background(), engine.AdmissionInput{
				Config: c, Object: admission.Object{Kind: "Pod", Namespace: "shop", Raw: []byte(admPod)}, Checker: noSummary{}, Now: now,
			})
			require.NoError(t, err)
			assert.Equal(t, tc.allowed, d.Allowed)
			assert.Equal(t, tc.outcome, d.Outcome)
			var rules []string
			for _, f := range d.Findings {
				rules = append(rules, f.Rule)
			}
			assert.Equal(t, tc.rules, rules)
			assert.Equal(t, e.PolicyDigest(), d.Policy.Digest)
			require.Len(t, d.Checks, 1)
			assert.Equal(t, engine.AdmissionKind, d.Checks[0].Kind)
		})
	}
	t.Run("the clock is the input's", func(t *testing.T) {
		c := cfg
		c.Waivers = waiver("api", "2026-12-31")
		in := engine.AdmissionInput{Config: c, Object: admission.Object{Kind: "Pod", Namespace: "shop", Raw: []byte(admPod)}, Checker: noSummary{}}
		_, err := e.EvaluateAdmission(context.Background(), in)
		require.ErrorIs(t, err, engine.ErrInput)
		in.Now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
		d, err := e.EvaluateAdmission(context.Background(), in)
		require.NoError(t, err)
		assert.False(t, d.Allowed, "the waiver has expired at the injected time")
	})
	t.Run("admission rules are in the catalogue, not in release decisions", func(t *testing.T) {
		var ids []string
		for _, r := range e.Rules() {
			if r.Kind == engine.AdmissionKind {
				ids = append(ids, r.ID)
			}
		}
		assert.ElementsMatch(t, []string{admission.RuleReferrerAnnotations, admission.RuleDigestPinned, admission.RuleRegistryAllowed,
			admission.RuleVSA, admission.RuleSecretless, admission.RulePullRequestTarget}, ids)
	})
}
