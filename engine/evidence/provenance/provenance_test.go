package provenance_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const (
	ghIssuer   = "https://token.actions.githubusercontent.com"
	ghSAN      = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
	genericGen = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0"
	commit     = "0123456789abcdef0123456789abcdef01234567"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// SLSAv1 is an SLSA v1 predicate from the GitHub workflow build type.
func SLSAv1(builder, repo, ref string) map[string]any {
	return map[string]any{
		"buildDefinition": map[string]any{
			"buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
			"externalParameters": map[string]any{
				"workflow": map[string]any{"ref": ref, "repository": "https://github.com/" + repo, "path": ".github/workflows/release.yml"},
			},
			"resolvedDependencies": []any{map[string]any{
				"uri": "git+https://github.com/" + repo + "@" + ref, "digest": map[string]any{"gitCommit": commit},
			}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": builder}},
	}
}

// statementV02 is an in-toto Statement v0.1 with an SLSA v0.2 predicate.
func statementV02(t *testing.T, builder, repo, ref string, digest string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"subject":       []any{map[string]any{"name": "app.tar.gz", "digest": map[string]string{"sha256": digest}}},
		"predicateType": provenance.PredicateSLSAv02,
		"predicate": map[string]any{
			"builder":   map[string]any{"id": builder},
			"buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
			"invocation": map[string]any{"configSource": map[string]any{
				"uri": "git+https://github.com/" + repo + "@" + ref, "digest": map[string]any{"sha1": commit}, "entryPoint": ".github/workflows/release.yml",
			}},
		},
	})
	require.NoError(t, err)
	return b
}

func TestParseKeyless(t *testing.T) {
	ss := trusttest.New(t)
	art := sha([]byte("app"))
	opts := trust.Options{Root: ss.Root}

	t.Run("SLSA v1 in a sigstore bundle", func(t *testing.T) {
		stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, SLSAv1(genericGen, "acme/app", "refs/tags/v1.2.3"), map[string]string{"app.tar.gz": art})
		res := provenance.Parse(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{}), opts)
		require.Empty(t, res.Problems)
		require.Len(t, res.Attestations, 1)
		a := res.Attestations[0]
		require.True(t, a.Verified, a.Reason)
		assert.Equal(t, provenance.FormatBundle, a.Format)
		assert.Equal(t, ghIssuer, a.Issuer)
		assert.Equal(t, ghSAN, a.SAN)
		assert.False(t, a.Keyed)
		s := a.Statement
		require.NotNil(t, s)
		assert.Equal(t, provenance.PredicateSLSAv1, s.PredicateType)
		assert.Equal(t, []provenance.Subject{{Name: "app.tar.gz", Digest: map[string]string{"sha256": art}}}, s.Subjects)
		assert.Equal(t, genericGen, s.BuilderID)
		assert.Equal(t, "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml", s.BuilderName)
		assert.Equal(t, "refs/tags/v2.0.0", s.BuilderRef)
		assert.Equal(t, "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1", s.BuildType)
		assert.Equal(t, provenance.Source{URI: "github.com/acme/app", RawURI: "https://github.com/acme/app", Ref: "refs/tags/v1.2.3", Commit: commit, Path: "predicate.buildDefinition.externalParameters.workflow"}, s.Source)
	})
	t.Run("SLSA v0.2 in a sigstore bundle", func(t *testing.T) {
		stmt := statementV02(t, genericGen, "acme/app", "refs/tags/v1.2.3", art)
		res := provenance.Parse(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{}), opts)
		require.Empty(t, res.Problems)
		require.Len(t, res.Attestations, 1)
		a := res.Attestations[0]
		require.True(t, a.Verified, a.Reason)
		s := a.Statement
		assert.Equal(t, "https://in-toto.io/Statement/v0.1", s.Type)
		assert.Equal(t, provenance.PredicateSLSAv02, s.PredicateType)
		assert.Equal(t, genericGen, s.BuilderID)
		assert.Equal(t, "github.com/acme/app", s.Source.URI)
		assert.Equal(t, "refs/tags/v1.2.3", s.Source.Ref)
		assert.Equal(t, commit, s.Source.Commit)
		assert.Equal(t, "predicate.invocation.configSource", s.Source.Path)
	})
	t.Run("a bundle over a message is no attestation", func(t *testing.T) {
		res := provenance.Parse(ss.MessageBundle(t, ghSAN, ghIssuer, []byte("x"), trusttest.BundleOptions{}), opts)
		require.Len(t, res.Attestations, 1)
		assert.False(t, res.Attestations[0].Verified)
		assert.Nil(t, res.Attestations[0].Statement)
	})
	t.Run("tampered statement", func(t *testing.T) {
		stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, SLSAv1(genericGen, "acme/app", "refs/tags/v1.2.3"), map[string]string{"app.tar.gz": art})
		b := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{})
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		evil := trusttest.Statement(t, provenance.PredicateSLSAv1, SLSAv1(genericGen, "evil/app", "refs/tags/v1.2.3"), map[string]string{"app.tar.gz": art})
		m["dsseEnvelope"].(map[string]any)["payload"] = b64(evil)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		res := provenance.Parse(b, opts)
		require.Len(t, res.Attestations, 1)
		assert.False(t, res.Attestations[0].Verified)
		assert.Contains(t, res.Attestations[0].Reason, "not verified")
		assert.Nil(t, res.Attestations[0].Statement, "an unverified statement is never read")
	})
	t.Run("keyless DSSE with no tlog entry", func(t *testing.T) {
		stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, SLSAv1(genericGen, "acme/app", "refs/tags/v1.2.3"), map[string]string{"app.tar.gz": art})
		res := provenance.Parse(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{NoTlog: true}), opts)
		require.Len(t, res.Attestations, 1)
		assert.False(t, res.Attestations[0].Verified)
	})
	t.Run("verified payload that is not a statement", func(t *testing.T) {
		res := provenance.Parse(ss.DSSEBundle(t, ghSAN, ghIssuer, []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x","predicate":{}}`), trusttest.BundleOptions{}), opts)
		require.Len(t, res.Attestations, 1)
		assert.False(t, res.Attestations[0].Verified)
		require.Len(t, res.Problems, 1)
		assert.Equal(t, "payload", res.Problems[0].Path)
		assert.Contains(t, res.Problems[0].Message, "subject")
	})
}

func b64(b []byte) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	_ = enc.Encode(b)
	var s string
	_ = json.Unmarshal(buf.Bytes(), &s)
	return s
}

func TestParseKeyedAndJSONL(t *testing.T) {
	ss := trusttest.New(t)
	k := trusttest.NewKey(t, "ecdsa")
	pk, err := trust.ParsePublicKey(k.PEM(t))
	require.NoError(t, err)
	art := sha([]byte("app"))
	stmt := trusttest.Statement(t, provenance.PredicateSLSAv1, SLSAv1(genericGen, "acme/app", "refs/tags/v1.2.3"), map[string]string{"app.tar.gz": art})
	env := k.Envelope(t, provenance.InTotoPayloadType, stmt)

	t.Run("bare DSSE with a trusted key", func(t *testing.T) {
		res := provenance.Parse(env, trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{pk}})
		require.Empty(t, res.Problems)
		require.Len(t, res.Attestations, 1)
		a := res.Attestations[0]
		require.True(t, a.Verified, a.Reason)
		assert.True(t, a.Keyed)
		assert.Equal(t, pk.ID, a.KeyID)
		assert.Equal(t, provenance.FormatDSSE, a.Format)
		assert.Equal(t, "github.com/acme/app", a.Statement.Source.URI)
	})
	t.Run("bare DSSE with no trusted key", func(t *testing.T) {
		res := provenance.Parse(env, trust.Options{Root: ss.Root})
		require.Len(t, res.Attestations, 1)
		assert.False(t, res.Attestations[0].Verified)
		assert.Contains(t, res.Attestations[0].Reason, "trusted key")
	})
	t.Run("intoto.jsonl with an envelope and a bundle", func(t *testing.T) {
		bundle := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{})
		jsonl := bytes.Join([][]byte{env, {}, bundle, {}}, []byte("\n"))
		res := provenance.Parse(jsonl, trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{pk}})
		require.Empty(t, res.Problems)
		require.Len(t, res.Attestations, 2)
		assert.Equal(t, 1, res.Attestations[0].Line)
		assert.Equal(t, 3, res.Attestations[1].Line)
		assert.Equal(t, "line 3", res.Attestations[1].Path)
		assert.True(t, res.Attestations[0].Verified)
		assert.True(t, res.Attestations[1].Verified)
		assert.Equal(t, ghSAN, res.Attestations[1].SAN)
	})
	t.Run("intoto.jsonl with a bad line", func(t *testing.T) {
		res := provenance.Parse(bytes.Join([][]byte{env, []byte("{not json")}, []byte("\n")), trust.Options{Keys: []*trust.PublicKey{pk}})
		require.Len(t, res.Attestations, 1)
		require.Len(t, res.Problems, 1)
		assert.Equal(t, 2, res.Problems[0].Line)
	})
}

func TestParseRejects(t *testing.T) {
	k := trusttest.NewKey(t, "ecdsa")
	pk, err := trust.ParsePublicKey(k.PEM(t))
	require.NoError(t, err)
	opts := trust.Options{Keys: []*trust.PublicKey{pk}}

	t.Run("the hub's unsigned slsa-provenance.json", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "provenance", "hub-slsa-provenance-unsigned.json"))
		require.NoError(t, err)
		res := provenance.Parse(b, opts)
		require.Empty(t, res.Problems)
		require.Len(t, res.Attestations, 2)
		for i, a := range res.Attestations {
			assert.False(t, a.Verified)
			assert.Contains(t, a.Reason, "no signatures")
			assert.Nil(t, a.Statement)
			assert.Equal(t, i, a.Index)
		}
		assert.Equal(t, "[1]", res.Attestations[1].Path)
	})
	t.Run("a bare statement", func(t *testing.T) {
		res := provenance.Parse([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x","predicate":{}}`), opts)
		require.Len(t, res.Attestations, 1)
		assert.False(t, res.Attestations[0].Verified)
		assert.Contains(t, res.Attestations[0].Reason, "no signature")
	})
	t.Run("the hub's fake rekor proof", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "trust", "rekor-fake", "proof.json"))
		require.NoError(t, err)
		res := provenance.Parse(b, opts)
		assert.Empty(t, res.Attestations)
		require.Len(t, res.Problems, 1)
	})
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"empty array", "[]"},
		{"array of garbage", "[1,2]"},
		{"an object of nothing", "{}"},
		{"text", "hello\nworld"},
		{"bundle that is not one", `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := provenance.Parse([]byte(tc.in), opts)
			assert.NotEmpty(t, res.Problems)
			for _, a := range res.Attestations {
				assert.False(t, a.Verified)
			}
		})
	}
}

// TestCorpusProvenance reads the real public-good provenance bundles.
func TestCorpusProvenance(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "fixtures", "trust", "sigstore-go")
	tests := []struct {
		file, root         string
		predicate, builder string
		source, ref, com   string
	}{
		{"examples/bundle-provenance.json", "examples/trusted-root-public-good.json", provenance.PredicateSLSAv02, "https://github.com/actions/runner", "github.com/sigstore/sigstore-js", "refs/heads/main", "dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1"},
		{"testdata/bundles/sigstore.js@2.0.0-provenance.sigstore.json", "testdata/trusted-roots/public-good.json", provenance.PredicateSLSAv1, "https://github.com/actions/runner/github-hosted", "github.com/sigstore/sigstore-js", "refs/heads/main", "f0b49a04e5a62250e0f60fb128004a73110fe311"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			tr, err := trust.LoadTrustedRoot(filepath.Join(dir, tc.root))
			require.NoError(t, err)
			b, err := os.ReadFile(filepath.Join(dir, tc.file))
			require.NoError(t, err)
			res := provenance.Parse(b, trust.Options{Root: tr})
			require.Empty(t, res.Problems)
			require.Len(t, res.Attestations, 1)
			a := res.Attestations[0]
			require.True(t, a.Verified, a.Reason)
			assert.Equal(t, "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main", a.SAN)
			assert.Equal(t, tc.predicate, a.Statement.PredicateType)
			assert.Equal(t, tc.builder, a.Statement.BuilderID)
			assert.Equal(t, tc.source, a.Statement.Source.URI)
			assert.Equal(t, tc.ref, a.Statement.Source.Ref)
			assert.Equal(t, tc.com, a.Statement.Source.Commit)
			assert.False(t, builderTrusted(nil, a.Statement.BuilderID), "the GitHub runner is no trusted SLSA builder by default")
		})
	}
}

func TestBuilderTrusted(t *testing.T) {
	const name = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
	tests := []struct {
		name    string
		trusted []string
		id      string
		want    bool
	}{
		{"default at a release tag", nil, name + "@refs/tags/v2.0.0", true},
		{"default container generator", nil, "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0", true},
		{"default go builder", nil, "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v1.9.0", true},
		{"default container-based builder", nil, "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml@refs/tags/v1.9.0", true},
		{"default at a branch", nil, name + "@refs/heads/main", false},
		{"default at a pre-release tag", nil, name + "@refs/tags/v2.0.0-rc.1", false},
		{"default without ref", nil, name, false},
		{"default, other generator", nil, "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_nodejs_slsa3.yml@refs/tags/v2.0.0", false},
		{"default, fork", nil, "https://github.com/evil/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0", false},
		{"default, suffix", nil, name + "x@refs/tags/v2.0.0", false},
		{"configured without ref matches any ref", []string{name}, name + "@refs/heads/main", true},
		{"configured with ref is exact", []string{name + "@refs/tags/v2.0.0"}, name + "@refs/tags/v2.0.0", true},
		{"configured with ref, other ref", []string{name + "@refs/tags/v2.0.0"}, name + "@refs/tags/v2.0.1", false},
		{"configured, untrusted builder", []string{name}, "https://github.com/actions/runner/github-hosted", false},
		{"configured replaces defaults", []string{"https://example.com/builder"}, name + "@refs/tags/v2.0.0", false},
		{"empty id", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, builderTrusted(tc.trusted, tc.id))
		})
	}
}

func TestNormalizeSourceURI(t *testing.T) {
	for raw, want := range map[string][2]string{
		"git+https://github.com/Acme/App@refs/tags/v1":  {"github.com/Acme/App", "refs/tags/v1"},
		"https://GitHub.com/acme/app.git":               {"github.com/acme/app", ""},
		"github.com/acme/app/":                          {"github.com/acme/app", ""},
		"git+ssh://github.com/acme/app@refs/heads/main": {"github.com/acme/app", "refs/heads/main"},
	} {
		u, r := provenance.NormalizeSourceURI(raw)
		assert.Equal(t, want, [2]string{u, r}, raw)
	}
}
