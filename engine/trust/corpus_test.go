package trust_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

const corpusDir = "../../fixtures/trust"

type corpusCase struct {
	Name           string            `json:"name"`
	Bundle         string            `json:"bundle"`
	TrustedRoot    string            `json:"trusted_root"`
	Key            string            `json:"key"`
	KeyValidity    any               `json:"key_validity"`
	Expected       string            `json:"expected"`
	ArtifactDigest map[string]string `json:"artifact_digest"`
	Issuer         string            `json:"issuer"`
	SAN            string            `json:"san"`
	SANRegex       string            `json:"san_regex"`
	VerifierOpts   []string          `json:"verifier_opts"`
}

// ourPolicy are the sigstore-go verifier options hubgate's policy amounts
// to; a case asking for others tests sigstore-go's knobs, not a verdict on
// the bundle, and is skipped.
var ourPolicy = []string{"WithTransparencyLog(1)", "WithObserverTimestamps(1)", "WithIntegratedTimestamps(1)", "WithSignedCertificateTimestamps(1)"}

// TestCorpus runs the real sigstore-go bundles of the corpus (copied into
// fixtures/trust/sigstore-go) and checks hubgate reaches the verdict
// index.json records.
func TestCorpus(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpusDir, "sigstore-go", "index.json"))
	require.NoError(t, err)
	var idx struct {
		Cases []corpusCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &idx))
	ran := 0
	for _, c := range idx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Expected != "pass" && c.Expected != "fail" {
				t.Skip("summary-only case")
			}
			for _, o := range c.VerifierOpts {
				if !slices.Contains(ourPolicy, o) {
					t.Skipf("exercises sigstore-go option %s, not a verdict on the bundle", o)
				}
			}
			if len(c.VerifierOpts) > 0 && !slices.Contains(c.VerifierOpts, "WithTransparencyLog(1)") {
				t.Skip("hubgate always requires a transparency-log entry; the case tests verifying without one")
			}
			if c.KeyValidity != nil {
				t.Skip("key validity windows are not modelled by registry keys")
			}
			ran++
			verdict, v := corpusVerify(t, c)
			assert.Equal(t, c.Expected, verdict)
			if verdict == "pass" && c.SANRegex != "" {
				// hubgate anchors identity regexps: the corpus' prefix
				// pattern does not match the whole SAN, its extension does.
				_, ok := trust.MatchIdentity([]trust.Identity{{Issuer: regexp.QuoteMeta(c.Issuer), Subject: c.SANRegex}}, v.Issuer, v.SAN, v.Claims)
				assert.False(t, ok, "an unanchored prefix regexp must not match")
				_, ok = trust.MatchIdentity([]trust.Identity{{Issuer: regexp.QuoteMeta(c.Issuer), Subject: c.SANRegex + ".*"}}, v.Issuer, v.SAN, v.Claims)
				assert.True(t, ok)
			}
		})
	}
	assert.GreaterOrEqual(t, ran, 6)
}

func corpusVerify(t *testing.T, c corpusCase) (string, *trust.Verified) {
	t.Helper()
	tr, err := trust.LoadTrustedRoot(filepath.Join(corpusDir, c.TrustedRoot))
	require.NoError(t, err)
	bb, err := os.ReadFile(filepath.Join(corpusDir, c.Bundle))
	require.NoError(t, err)
	opts := trust.Options{Root: tr}
	if c.Key != "" {
		kb, err := os.ReadFile(filepath.Join(corpusDir, c.Key))
		require.NoError(t, err)
		k, err := trust.ParsePublicKey(kb)
		require.NoError(t, err)
		opts.Keys = []*trust.PublicKey{k}
	}
	opts.Digest = c.ArtifactDigest
	v, err := trust.VerifyBundle(bb, opts)
	if err != nil {
		t.Logf("not verified: %v", err)
		return "fail", nil
	}
	if c.Key != "" {
		return "pass", v
	}
	if c.Issuer != "" && v.Issuer != c.Issuer {
		return "fail", v
	}
	if c.SAN != "" && v.SAN != c.SAN {
		return "fail", v
	}
	return "pass", v
}

// TestCorpusFacts checks the verified facts of the real public-good
// provenance bundle.
func TestCorpusFacts(t *testing.T) {
	tr, err := trust.LoadTrustedRoot(filepath.Join(corpusDir, "sigstore-go/examples/trusted-root-public-good.json"))
	require.NoError(t, err)
	bb, err := os.ReadFile(filepath.Join(corpusDir, "sigstore-go/examples/bundle-provenance.json"))
	require.NoError(t, err)
	v, err := trust.VerifyBundle(bb, trust.Options{Root: tr})
	require.NoError(t, err)
	assert.Equal(t, "https://token.actions.githubusercontent.com", v.Issuer)
	assert.Equal(t, "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main", v.SAN)
	assert.Equal(t, "application/vnd.in-toto+json", v.PayloadType)
	// The certificate's Fulcio extensions, as the public-good Fulcio wrote
	// them.
	assert.Equal(t, "https://github.com/sigstore/sigstore-js", v.Claims.SourceRepositoryURI)
	assert.Equal(t, "refs/heads/main", v.Claims.SourceRepositoryRef)
	assert.Len(t, v.Claims.SourceRepositoryDigest, 40)
	assert.Equal(t, v.SAN, v.Claims.BuildSignerURI)
	assert.NotEmpty(t, v.Claims.BuildTrigger)
	// The default identity wants the release workflow at a tag: this
	// main-branch run is refused, a branch pattern accepts it.
	_, ok := trust.MatchIdentity([]trust.Identity{trust.DefaultIdentity("sigstore/sigstore-js", "", "")}, v.Issuer, v.SAN, v.Claims)
	assert.False(t, ok)
	_, ok = trust.MatchIdentity([]trust.Identity{trust.DefaultIdentity("sigstore/sigstore-js", "release.yml", "refs/heads/main")}, v.Issuer, v.SAN, v.Claims)
	assert.True(t, ok)
	assert.Greater(t, v.TlogIndex, int64(0))
	assert.Contains(t, string(v.Payload), `"predicateType":"https://slsa.dev/provenance/v0.2"`)

	t.Run("the embedded root verifies it too", func(t *testing.T) {
		_, err := trust.VerifyBundle(bb, trust.Options{})
		require.NoError(t, err)
	})
	t.Run("a virtual root does not", func(t *testing.T) {
		other, err := trust.LoadTrustedRoot(filepath.Join(corpusDir, "sigstore-go/testdata/trusted-roots/scaffolding.json"))
		require.NoError(t, err)
		_, err = trust.VerifyBundle(bb, trust.Options{Root: other})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
}

// TestRekorFakeProofs: the hub's fake Rekor proof shapes are not bundles.
func TestRekorFakeProofs(t *testing.T) {
	for _, f := range []string{"index.json", "proof.json"} {
		t.Run(f, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(corpusDir, "rekor-fake", f))
			require.NoError(t, err)
			_, err = trust.VerifyBundle(b, trust.Options{})
			require.ErrorIs(t, err, trust.ErrBundle)
		})
	}
}

// BenchmarkVerifyKeyless verifies one real keyless bundle (the public-good
// sigstore-js provenance: Fulcio chain, SCT, Rekor inclusion proof), from
// bytes, with the trusted root parsed once.
func BenchmarkVerifyKeyless(b *testing.B) {
	tr, err := trust.LoadTrustedRoot(filepath.Join(corpusDir, "sigstore-go/examples/trusted-root-public-good.json"))
	require.NoError(b, err)
	bb, err := os.ReadFile(filepath.Join(corpusDir, "sigstore-go/examples/bundle-provenance.json"))
	require.NoError(b, err)
	opts := trust.Options{Root: tr, Digest: policy.Digest{"sha512": "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := trust.VerifyBundle(bb, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadTrustedRoot parses the embedded public-good root.
func BenchmarkLoadTrustedRoot(b *testing.B) {
	raw := trust.DefaultTrustedRootJSON()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := trust.ParseTrustedRoot(raw); err != nil {
			b.Fatal(err)
		}
	}
}
