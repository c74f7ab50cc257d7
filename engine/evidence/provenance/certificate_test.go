package provenance_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

// claimed is what a predicate states about its build.
type claimed struct {
	builder, repo, ref, commit, trigger string
}

var good = claimed{builder: genericGen, repo: "acme/app", ref: "refs/tags/v1.2.3", commit: commit, trigger: "push"}

func v1Predicate(c claimed) map[string]any {
	p := SLSAv1(c.builder, c.repo, c.ref)
	bd := p["buildDefinition"].(map[string]any)
	bd["resolvedDependencies"] = []any{map[string]any{"uri": "git+https://github.com/" + c.repo + "@" + c.ref, "digest": map[string]any{"gitCommit": c.commit}}}
	if c.trigger != "" {
		bd["internalParameters"] = map[string]any{"github": map[string]any{"event_name": c.trigger}}
	}
	return p
}

func v02Statement(t *testing.T, c claimed, digest string) []byte {
	t.Helper()
	inv := map[string]any{"configSource": map[string]any{
		"uri": "git+https://github.com/" + c.repo + "@" + c.ref, "digest": map[string]any{"sha1": c.commit}, "entryPoint": ".github/workflows/release.yml",
	}}
	if c.trigger != "" {
		inv["environment"] = map[string]any{"github_event_name": c.trigger}
	}
	b, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"subject":       []any{map[string]any{"name": "app.tar.gz", "digest": map[string]string{"sha256": digest}}},
		"predicateType": provenance.PredicateSLSAv02,
		"predicate": map[string]any{
			"builder":    map[string]any{"id": c.builder},
			"buildType":  "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
			"invocation": inv,
		},
	})
	require.NoError(t, err)
	return b
}

// builderCert is the certificate slsa-github-generator's reusable workflow
// gets when acme/app calls it on a push of refs/tags/v1.2.3.
func builderCert() trusttest.Cert {
	c := trusttest.GitHubCert(genericGen, ghIssuer)
	c.Extensions.SourceRepositoryURI = "https://github.com/acme/app"
	c.Extensions.SourceRepositoryRef = "refs/tags/v1.2.3"
	c.Extensions.SourceRepositoryDigest = commit
	c.Extensions.BuildTrigger = "push"
	return c
}

// TestCertificateAgreement is issue 14.1: the predicate must agree with the
// certificate's Fulcio extensions on source repository, ref, commit,
// builder id and trigger, for SLSA v1 and v0.2.
func TestCertificateAgreement(t *testing.T) {
	ss := trusttest.New(t)
	art := sha([]byte("app"))
	opts := trust.Options{Root: ss.Root}
	with := func(f func(c *claimed)) claimed { c := good; f(&c); return c }
	tests := []struct {
		name  string
		pred  claimed
		field string
		cert  string
		got   string
	}{
		{name: "agrees", pred: good},
		{name: "other source repository", pred: with(func(c *claimed) { c.repo = "acme/other" }), field: provenance.FieldSource, cert: "https://github.com/acme/app", got: "github.com/acme/other"},
		{name: "other ref", pred: with(func(c *claimed) { c.ref = "refs/tags/v9.9.9" }), field: provenance.FieldRef, cert: "refs/tags/v1.2.3", got: "refs/tags/v9.9.9"},
		{name: "other commit", pred: with(func(c *claimed) { c.commit = "ffffffffffffffffffffffffffffffffffffffff" }), field: provenance.FieldCommit, cert: commit, got: "ffffffffffffffffffffffffffffffffffffffff"},
		{name: "other builder", pred: with(func(c *claimed) {
			c.builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v2.0.0"
		}), field: provenance.FieldBuilder, cert: genericGen, got: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v2.0.0"},
		{name: "other trigger", pred: with(func(c *claimed) { c.trigger = "workflow_dispatch" }), field: provenance.FieldTrigger, cert: "push", got: "workflow_dispatch"},
		{name: "trigger not stated", pred: with(func(c *claimed) { c.trigger = "" }), field: provenance.FieldTrigger, cert: "push", got: ""},
	}
	for _, v := range []string{"v1", "v0.2"} {
		for _, tt := range tests {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				var stmt []byte
				if v == "v1" {
					stmt = trusttest.Statement(t, provenance.PredicateSLSAv1, v1Predicate(tt.pred), map[string]string{"app.tar.gz": art})
				} else {
					stmt = v02Statement(t, tt.pred, art)
				}
				res := provenance.Parse(ss.DSSEBundleCert(t, builderCert(), stmt, trusttest.BundleOptions{}), opts)
				require.Empty(t, res.Problems)
				require.Len(t, res.Attestations, 1)
				a := res.Attestations[0]
				require.True(t, a.Verified, a.Reason)
				assert.Equal(t, "https://github.com/acme/app", a.Claims.SourceRepositoryURI)
				if tt.field == "" {
					assert.Empty(t, a.CertificateMismatches)
					assert.Equal(t, "push", a.Statement.Trigger)
					return
				}
				require.Len(t, a.CertificateMismatches, 1, "%+v", a.CertificateMismatches)
				m := a.CertificateMismatches[0]
				assert.Equal(t, tt.field, m.Field)
				assert.Equal(t, tt.cert, m.Certificate)
				assert.Equal(t, tt.got, m.Predicate)
				assert.Contains(t, m.CertificateSource, "certificate extension")
				assert.NotEmpty(t, m.PredicatePath)
			})
		}
	}

	t.Run("a runner builder id is not compared with the build signer", func(t *testing.T) {
		p := with(func(c *claimed) { c.builder = "https://github.com/actions/runner/github-hosted" })
		stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, v1Predicate(p), map[string]string{"app.tar.gz": art})
		res := provenance.Parse(ss.DSSEBundleCert(t, builderCert(), stmt, trusttest.BundleOptions{}), opts)
		require.Len(t, res.Attestations, 1)
		assert.Empty(t, res.Attestations[0].CertificateMismatches)
	})
	t.Run("what the certificate does not carry is not compared", func(t *testing.T) {
		c := trusttest.Cert{SAN: genericGen, Extensions: certificate.Extensions{Issuer: ghIssuer}}
		stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, v1Predicate(with(func(c *claimed) { c.repo = "acme/other" })), map[string]string{"app.tar.gz": art})
		res := provenance.Parse(ss.DSSEBundleCert(t, c, stmt, trusttest.BundleOptions{}), opts)
		require.Len(t, res.Attestations, 1)
		assert.Empty(t, res.Attestations[0].CertificateMismatches)
	})
	t.Run("a key-signed envelope has no certificate to compare", func(t *testing.T) {
		k := trusttest.NewKey(t, "ecdsa")
		pk, err := trust.ParsePublicKey(k.PEM(t))
		require.NoError(t, err)
		stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, v1Predicate(with(func(c *claimed) { c.repo = "acme/other" })), map[string]string{"app.tar.gz": art})
		res := provenance.Parse(k.Envelope(t, trusttest.InTotoPayloadType, stmt), trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{pk}})
		require.Len(t, res.Attestations, 1)
		a := res.Attestations[0]
		require.True(t, a.Verified, a.Reason)
		assert.True(t, a.Keyed)
		assert.Equal(t, []provenance.Mismatch{}, a.CertificateMismatches)
	})
}

// TestCertificateAgreementPublicGood checks a real public-good npm
// provenance bundle (sigstore-js, from sigstore-go's examples; see
// fixtures/trust): its SLSA v0.2 predicate agrees with its certificate on
// source, ref, commit and trigger; its builder is the GitHub runner, not a
// workflow, so the builder id is not compared.
func TestCertificateAgreementPublicGood(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "trust", "sigstore-go", "examples", "bundle-provenance.json"))
	require.NoError(t, err)
	tr, err := trust.LoadTrustedRoot(filepath.Join("..", "..", "..", "fixtures", "trust", "sigstore-go", "examples", "trusted-root-public-good.json"))
	require.NoError(t, err)
	res := provenance.Parse(b, trust.Options{Root: tr})
	require.Empty(t, res.Problems)
	require.Len(t, res.Attestations, 1)
	a := res.Attestations[0]
	require.True(t, a.Verified, a.Reason)
	assert.Equal(t, "https://github.com/sigstore/sigstore-js", a.Claims.SourceRepositoryURI)
	assert.Equal(t, "push", a.Statement.Trigger)
	assert.Equal(t, "predicate.invocation.environment.GITHUB_EVENT_NAME", a.Statement.TriggerPath)
	assert.Equal(t, a.Claims.SourceRepositoryDigest, a.Statement.Source.Commit)
	assert.Empty(t, a.CertificateMismatches)
}

// TestBuilderMatches is issue 14.2: the three forms of a builder id that
// slsa-verifier's --builder-id accepts, for tags only.
func TestBuilderMatches(t *testing.T) {
	const gen = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"
	tag := gen + "@refs/tags/v2.1.0"
	tests := []struct {
		entry, id string
		want      bool
	}{
		{gen, tag, true},                                     // bare name
		{gen + "@refs/tags/v2.1.0", tag, true},               // full ref
		{gen + "@v2.1.0", tag, true},                         // short tag
		{gen + "@v2.1.1", tag, false},                        // another tag
		{gen + "@v2.1.0", gen + "@refs/heads/v2.1.0", false}, // a branch named like the tag
		{gen + "@main", gen + "@refs/heads/main", false},     // a branch never matches a short form
		{gen + "@main", gen + "@refs/tags/main", false},      // a non-semver short version never matches a tag
		{gen + "@v2.1", gen + "@refs/tags/v2.1", false},      // not vX.Y.Z
		{gen + "@v2.1.0-rc.1", gen + "@refs/tags/v2.1.0-rc.1", false},
		{gen + "@v02.1.0", gen + "@refs/tags/v02.1.0", false},
		{gen + "@refs/heads/main", gen + "@refs/heads/main", true}, // a full ref is exact, whatever it is
		{gen + "@v2.1.0", gen + "@v2.1.0", true},                   // an id that carries the short form
		{gen + "@v2.1.0", "https://github.com/evil/x/.github/workflows/builder_go_slsa3.yml@refs/tags/v2.1.0", false},
		{gen, "", false},
		{"", tag, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, builderTrusted([]string{tt.entry}, tt.id), "entry %q, id %q", tt.entry, tt.id)
	}
}
