package trust_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

const (
	ghIssuer = "https://token.actions.githubusercontent.com"
	ghSAN    = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// editBundle decodes a bundle, lets f change it, and encodes it again.
func editBundle(t *testing.T, b []byte, f func(*protobundle.Bundle)) []byte {
	t.Helper()
	var pb protobundle.Bundle
	require.NoError(t, protojson.Unmarshal(b, &pb))
	f(&pb)
	out, err := protojson.Marshal(&pb)
	require.NoError(t, err)
	return out
}

func TestVerifyBundleKeyless(t *testing.T) {
	ss := trusttest.New(t)
	artifact := []byte("hello, release")
	stmt := trusttest.Statement(t, "https://slsa.dev/provenance/v1", map[string]any{"buildDefinition": map[string]any{}}, map[string]string{"app.tar.gz": sha(artifact)})
	dsse := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{})
	msg := ss.MessageBundle(t, ghSAN, ghIssuer, artifact, trusttest.BundleOptions{})

	t.Run("dsse without artifact returns the verified statement", func(t *testing.T) {
		v, err := trust.VerifyBundle(dsse, trust.Options{Root: ss.Root})
		require.NoError(t, err)
		assert.Equal(t, trust.ContentDSSE, v.Content)
		assert.Equal(t, "v0.3", v.BundleVersion)
		assert.False(t, v.Keyed)
		assert.Equal(t, ghIssuer, v.Issuer)
		assert.Equal(t, ghSAN, v.SAN)
		assert.Equal(t, trusttest.InTotoPayloadType, v.PayloadType)
		assert.JSONEq(t, string(stmt), string(v.Payload))
		assert.Equal(t, int64(0), v.TlogIndex)
		require.NotEmpty(t, v.Timestamps)
		assert.Equal(t, "tlog", v.Timestamps[0].Kind)
		assert.False(t, v.TlogTime.IsZero())
	})
	t.Run("dsse in a v0.2 bundle", func(t *testing.T) {
		v, err := trust.VerifyBundle(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{Version: "v0.2"}), trust.Options{Root: ss.Root})
		require.NoError(t, err)
		assert.Equal(t, "v0.2", v.BundleVersion)
		assert.Equal(t, ghSAN, v.SAN)
	})
	t.Run("dsse with a subject digest", func(t *testing.T) {
		_, err := trust.VerifyBundle(dsse, trust.Options{Root: ss.Root, Digest: policy.Digest{"sha256": sha(artifact)}})
		require.NoError(t, err)
	})
	t.Run("dsse with another digest fails", func(t *testing.T) {
		_, err := trust.VerifyBundle(dsse, trust.Options{Root: ss.Root, Digest: policy.Digest{"sha256": sha([]byte("other"))}})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
	t.Run("message signature v0.1 with digest", func(t *testing.T) {
		v, err := trust.VerifyBundle(msg, trust.Options{Root: ss.Root, Digest: policy.Digest{"sha256": sha(artifact)}})
		require.NoError(t, err)
		assert.Equal(t, trust.ContentMessageSignature, v.Content)
		assert.Equal(t, "v0.1", v.BundleVersion)
		assert.Equal(t, ghSAN, v.SAN)
		assert.Equal(t, int64(1000), v.TlogIndex)
	})
	t.Run("message signature with artifact", func(t *testing.T) {
		_, err := trust.VerifyBundle(msg, trust.Options{Root: ss.Root, Artifact: bytes.NewReader(artifact)})
		require.NoError(t, err)
	})
	t.Run("message signature over another artifact fails", func(t *testing.T) {
		_, err := trust.VerifyBundle(msg, trust.Options{Root: ss.Root, Artifact: bytes.NewReader([]byte("tampered"))})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
	t.Run("message signature without artifact fails", func(t *testing.T) {
		_, err := trust.VerifyBundle(msg, trust.Options{Root: ss.Root})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
	t.Run("message signature with a bad digest algorithm", func(t *testing.T) {
		_, err := trust.VerifyBundle(msg, trust.Options{Root: ss.Root, Digest: policy.Digest{"md5": "00"}})
		require.ErrorIs(t, err, trust.ErrArtifact)
	})
	t.Run("message signature with two digests", func(t *testing.T) {
		_, err := trust.VerifyBundle(msg, trust.Options{Root: ss.Root, Digest: policy.Digest{"sha256": sha(artifact), "sha512": strings.Repeat("0", 128)}})
		require.ErrorIs(t, err, trust.ErrArtifact)
	})
}

func TestVerifyBundleKeylessNegative(t *testing.T) {
	ss := trusttest.New(t)
	other := trusttest.New(t)
	stmt := trusttest.Statement(t, "https://slsa.dev/provenance/v1", map[string]any{}, map[string]string{"a": sha([]byte("a"))})
	good := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{})

	tests := []struct {
		name   string
		bundle []byte
		root   *trust.Options
		want   error
	}{
		{
			name: "tampered payload",
			bundle: editBundle(t, good, func(pb *protobundle.Bundle) {
				p := pb.GetDsseEnvelope().Payload
				pb.GetDsseEnvelope().Payload = bytes.Replace(p, []byte(`"a"`), []byte(`"b"`), 1)
			}),
			want: trust.ErrNotVerified,
		},
		{
			name: "tampered signature",
			bundle: editBundle(t, good, func(pb *protobundle.Bundle) {
				pb.GetDsseEnvelope().Signatures[0].Sig[10] ^= 0xff
			}),
			want: trust.ErrNotVerified,
		},
		{
			name:   "bundle from another trust root",
			bundle: other.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{}),
			want:   trust.ErrNotVerified,
		},
		{
			name:   "certificate with no tlog entry cannot prove its signing time",
			bundle: ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{NoTlog: true}),
			want:   trust.ErrNotVerified,
		},
		{
			name:   "certificate with no tlog entry, only a TSA time, still needs the log",
			bundle: ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{NoTlog: true, TSA: true}),
			want:   trust.ErrNotVerified,
		},
		{
			name:   "expired certificate: logged after its validity",
			bundle: ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{IntegratedTime: time.Now().Add(30 * time.Minute)}),
			want:   trust.ErrNotVerified,
		},
		{
			name:   "certificate not yet valid at log time",
			bundle: ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{IntegratedTime: time.Now().Add(-10 * time.Minute)}),
			want:   trust.ErrNotVerified,
		},
		{
			name: "tampered log entry body",
			bundle: editBundle(t, good, func(pb *protobundle.Bundle) {
				pb.VerificationMaterial.TlogEntries[0].IntegratedTime++
			}),
			want: trust.ErrNotVerified,
		},
		{
			name:   "not a bundle",
			bundle: []byte(`{"payloadType":"x","payload":"","signatures":[]}`),
			want:   trust.ErrBundle,
		},
		{
			name:   "empty",
			bundle: nil,
			want:   trust.ErrBundle,
		},
	}
	reasons := map[string]string{
		"tampered payload":               "payload hash",
		"tampered signature":             "signature does not match",
		"tampered log entry body":        "0 < 1",
		"bundle from another trust root": "0 < 1",
		"certificate with no tlog entry cannot prove its signing time":         "0 < 1",
		"certificate with no tlog entry, only a TSA time, still needs the log": "0 < 1",
		"expired certificate: logged after its validity":                       "integrated time outside certificate validity",
		"certificate not yet valid at log time":                                "integrated time outside certificate validity",
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := trust.VerifyBundle(tc.bundle, trust.Options{Root: ss.Root})
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), reasons[tc.name])
			assert.Nil(t, v)
		})
	}
	t.Run("the public-good root rejects a virtual bundle", func(t *testing.T) {
		_, err := trust.VerifyBundle(good, trust.Options{})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
}

func TestVerifyKeyed(t *testing.T) {
	ss := trusttest.New(t)
	artifact := []byte("artifact bytes")
	stmt := trusttest.Statement(t, "https://slsa.dev/provenance/v1", map[string]any{}, map[string]string{"a": sha(artifact)})
	for _, typ := range []string{"ecdsa", "ed25519", "rsa"} {
		t.Run(typ, func(t *testing.T) {
			k := trusttest.NewKey(t, typ)
			pk, err := trust.ParsePublicKey(k.PEM(t))
			require.NoError(t, err)
			wrong, err := trust.ParsePublicKey(trusttest.NewKey(t, typ).PEM(t))
			require.NoError(t, err)

			v, err := trust.VerifyBundle(k.DSSEBundle(t, trusttest.InTotoPayloadType, stmt), trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{wrong, pk}})
			require.NoError(t, err)
			assert.True(t, v.Keyed)
			assert.Equal(t, pk.ID, v.KeyID)
			assert.Empty(t, v.SAN)
			assert.Equal(t, int64(-1), v.TlogIndex)
			assert.JSONEq(t, string(stmt), string(v.Payload))

			_, err = trust.VerifyBundle(k.DSSEBundle(t, trusttest.InTotoPayloadType, stmt), trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{wrong}})
			require.ErrorIs(t, err, trust.ErrNotVerified, "wrong key")

			_, err = trust.VerifyBundle(k.DSSEBundle(t, trusttest.InTotoPayloadType, stmt), trust.Options{Root: ss.Root})
			require.ErrorIs(t, err, trust.ErrNoKey, "no key")

			mb := k.MessageBundle(t, artifact)
			_, err = trust.VerifyBundle(mb, trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{wrong, pk}, Artifact: bytes.NewReader(artifact)})
			require.NoError(t, err, "message signature with artifact")
			_, err = trust.VerifyBundle(mb, trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{pk}, Artifact: bytes.NewReader([]byte("other"))})
			require.ErrorIs(t, err, trust.ErrNotVerified, "message signature over another artifact")

			env, err := trust.ParseEnvelope(k.Envelope(t, trusttest.InTotoPayloadType, stmt))
			require.NoError(t, err)
			v, err = trust.VerifyEnvelope(env, trust.Options{Keys: []*trust.PublicKey{pk}})
			require.NoError(t, err)
			assert.True(t, v.Keyed)
			assert.Equal(t, trust.ContentDSSE, v.Content)
			assert.JSONEq(t, string(stmt), string(v.Payload))
			_, err = trust.VerifyEnvelope(env, trust.Options{Keys: []*trust.PublicKey{wrong}})
			require.ErrorIs(t, err, trust.ErrNotVerified, "bare envelope, wrong key")
			_, err = trust.VerifyEnvelope(env, trust.Options{})
			require.ErrorIs(t, err, trust.ErrNoKey, "bare envelope, no key")
		})
	}
}

func TestVerifyEnvelopeNegative(t *testing.T) {
	k := trusttest.NewKey(t, "ecdsa")
	pk, err := trust.ParsePublicKey(k.PEM(t))
	require.NoError(t, err)
	stmt := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"` + sha([]byte("a")) + `"}}],"predicateType":"x","predicate":{}}`)
	good := k.Envelope(t, trusttest.InTotoPayloadType, stmt)

	t.Run("tampered payload", func(t *testing.T) {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		other := trusttest.Statement(t, "x", map[string]any{}, map[string]string{"b": sha([]byte("b"))})
		m["payload"] = trusttestB64(other)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		env, err := trust.ParseEnvelope(b)
		require.NoError(t, err)
		_, err = trust.VerifyEnvelope(env, trust.Options{Keys: []*trust.PublicKey{pk}})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
	t.Run("tampered payload type", func(t *testing.T) {
		env, err := trust.ParseEnvelope(good)
		require.NoError(t, err)
		env.PayloadType = "text/plain"
		_, err = trust.VerifyEnvelope(env, trust.Options{Keys: []*trust.PublicKey{pk}})
		require.ErrorIs(t, err, trust.ErrNotVerified)
	})
	t.Run("the hub's unsigned provenance", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "provenance", "hub-slsa-provenance-unsigned.json"))
		require.NoError(t, err)
		var envs []json.RawMessage
		require.NoError(t, json.Unmarshal(b, &envs))
		require.Len(t, envs, 2)
		for _, raw := range envs {
			env, err := trust.ParseEnvelope(raw)
			require.NoError(t, err)
			_, err = trust.VerifyEnvelope(env, trust.Options{Keys: []*trust.PublicKey{pk}})
			require.ErrorIs(t, err, trust.ErrUnsigned)
		}
	})
	for _, tc := range []struct{ name, in string }{
		{"not json", "nope"},
		{"no payload type", `{"payload":"eA==","signatures":[]}`},
		{"payload not base64", `{"payloadType":"x","payload":"!!","signatures":[]}`},
		{"sig not base64", `{"payloadType":"x","payload":"eA==","signatures":[{"sig":"!!"}]}`},
		{"unknown field", `{"payloadType":"x","payload":"eA==","signatures":[],"extra":1}`},
		{"trailing data", `{"payloadType":"x","payload":"eA==","signatures":[]} {}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trust.ParseEnvelope([]byte(tc.in))
			require.ErrorIs(t, err, trust.ErrEnvelope)
		})
	}
}

func TestParsePublicKey(t *testing.T) {
	for _, tc := range []struct {
		name, typ string
	}{{"ecdsa", "ecdsa-p256"}, {"ed25519", "ed25519"}, {"rsa", "rsa-2048"}} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := trust.ParsePublicKey(trusttest.NewKey(t, tc.name).PEM(t))
			require.NoError(t, err)
			assert.Equal(t, tc.typ, k.Type)
			assert.Len(t, k.ID, 64)
		})
	}
	t.Run("private key PEM is refused", func(t *testing.T) {
		_, err := trust.ParsePublicKey(trusttest.NewKey(t, "ecdsa").PrivatePEM(t))
		require.ErrorIs(t, err, trust.ErrKey)
	})
	t.Run("not PEM", func(t *testing.T) {
		_, err := trust.ParsePublicKey([]byte("ssh-ed25519 AAAA"))
		require.ErrorIs(t, err, trust.ErrKey)
	})
}

func TestLoadTrustedRoot(t *testing.T) {
	tr, err := trust.LoadTrustedRoot("")
	require.NoError(t, err)
	assert.NotEmpty(t, tr.FulcioCertificateAuthorities())
	assert.Len(t, tr.RekorLogs(), 2)
	assert.NotEmpty(t, tr.CTLogs())

	_, err = trust.LoadTrustedRoot(filepath.Join(t.TempDir(), "missing.json"))
	require.ErrorIs(t, err, trust.ErrTrustedRoot)

	p := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"mediaType": 3}`), 0o600))
	_, err = trust.LoadTrustedRoot(p)
	require.ErrorIs(t, err, trust.ErrTrustedRoot)
}

func TestMatchIdentity(t *testing.T) {
	ids := []trust.Identity{{Issuer: `https://token\.actions\.githubusercontent\.com`, Subject: `https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*`}}
	own := trust.Claims{SourceRepositoryURI: "https://github.com/acme/app", SourceRepositoryRef: "refs/tags/v1.2.3", BuildSignerURI: ghSAN, BuildTrigger: "push"}
	def := []trust.Identity{trust.DefaultIdentity("acme/app", "", "")}
	with := func(f func(c *trust.Claims)) trust.Claims { c := own; f(&c); return c }
	tests := []struct {
		name        string
		ids         []trust.Identity
		issuer, san string
		claims      trust.Claims
		want        bool
	}{
		{"exact", ids, ghIssuer, ghSAN, trust.Claims{}, true},
		{"wrong issuer", ids, "https://accounts.google.com", ghSAN, own, false},
		{"wrong SAN", ids, ghIssuer, "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1", own, false},
		{"SAN with a prefix matches only unanchored", ids, ghIssuer, "https://evil.example/" + ghSAN, own, false},
		{"issuer with a suffix matches only unanchored", ids, ghIssuer + ".evil.example", ghSAN, own, false},
		{"user anchors are harmless", []trust.Identity{{Issuer: "^" + ids[0].Issuer + "$", Subject: "^" + ids[0].Subject + "$"}}, ghIssuer, ghSAN, own, true},
		{"alternation stays anchored", []trust.Identity{{Issuer: "x|" + ids[0].Issuer, Subject: "y|https://github"}}, ghIssuer, ghSAN, own, false},
		{"empty SAN never matches", []trust.Identity{{Issuer: ".*", Subject: ".*"}}, ghIssuer, "", own, false},
		{"invalid pattern never matches", []trust.Identity{{Issuer: "(", Subject: ".*"}}, ghIssuer, ghSAN, own, false},
		{"invalid extension pattern never matches", []trust.Identity{{Issuer: ".*", Subject: ".*", BuildTrigger: "("}}, ghIssuer, ghSAN, own, false},
		{"extension pattern matches", []trust.Identity{{Issuer: ".*", Subject: ".*", BuildTrigger: "push|release", BuildSignerURI: `https://github\.com/acme/app/.+`}}, ghIssuer, ghSAN, own, true},
		{"extension pattern is anchored", []trust.Identity{{Issuer: ".*", Subject: ".*", BuildTrigger: "pus"}}, ghIssuer, ghSAN, own, false},
		{"extension pattern needs the extension", []trust.Identity{{Issuer: ".*", Subject: ".*", BuildTrigger: ".*"}}, ghIssuer, ghSAN, trust.Claims{}, false},
		{"default: release workflow at a tag in the repo", def, ghIssuer, ghSAN, own, true},
		{"default: pr.yml", def, ghIssuer, "https://github.com/acme/app/.github/workflows/pr.yml@refs/tags/v1.2.3", own, false},
		{"default: release.yml at a branch", def, ghIssuer, "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/evil",
			with(func(c *trust.Claims) { c.SourceRepositoryRef = "refs/heads/evil" }), false},
		{"default: reusable workflow called from another repo", def, ghIssuer, ghSAN,
			with(func(c *trust.Claims) { c.SourceRepositoryURI = "https://github.com/evil/app" }), false},
		{"default: source ref a branch", def, ghIssuer, ghSAN, with(func(c *trust.Claims) { c.SourceRepositoryRef = "refs/heads/main" }), false},
		{"default: no extensions", def, ghIssuer, ghSAN, trust.Claims{}, false},
		{"default: other repo", def, ghIssuer, "https://github.com/acme/app2/.github/workflows/release.yml@refs/tags/v1", with(func(c *trust.Claims) { c.SourceRepositoryURI = "https://github.com/acme/app2" }), false},
		{"default: dot is literal", def, ghIssuer, "https://githubXcom/acme/app/.github/workflows/release.yml@refs/tags/v1", own, false},
		{"default: other workflow file name", []trust.Identity{trust.DefaultIdentity("acme/app", "publish.yml", "")}, ghIssuer, ghSAN, own, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ok := trust.MatchIdentity(tc.ids, tc.issuer, tc.san, tc.claims)
			assert.Equal(t, tc.want, ok)
		})
	}
	require.ErrorIs(t, trust.CheckIdentities([]trust.Identity{{Issuer: "(", Subject: "x"}}), trust.ErrIdentity)
	require.ErrorIs(t, trust.CheckIdentities([]trust.Identity{{Issuer: "x", Subject: "x", SourceRepositoryRef: "("}}), trust.ErrIdentity)
	require.NoError(t, trust.CheckIdentities(ids))
	require.NoError(t, trust.CheckIdentities(def))
}

// TestVerifiedClaims checks that the Fulcio extensions of a verified
// certificate reach the facts, and that a certificate without them leaves
// them empty.
func TestVerifiedClaims(t *testing.T) {
	ss := trusttest.New(t)
	stmt := trusttest.Statement(t, "x", map[string]any{}, map[string]string{"a": sha([]byte("a"))})
	v, err := trust.VerifyBundle(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{}), trust.Options{Root: ss.Root})
	require.NoError(t, err)
	assert.Equal(t, ghSAN, v.SAN)
	assert.Equal(t, ghIssuer, v.Issuer)
	assert.Equal(t, trust.Claims{
		SourceRepositoryURI: "https://github.com/acme/app", SourceRepositoryRef: "refs/tags/v1.2.3",
		SourceRepositoryDigest: trusttest.DefaultCommit, BuildSignerURI: ghSAN, BuildConfigURI: ghSAN, BuildTrigger: "push",
		RunnerEnvironment: "github-hosted", RunInvocationURI: "https://github.com/acme/app/actions/runs/1/attempts/1",
	}, v.Claims)
	m, err := trust.VerifyBundle(ss.MessageBundle(t, ghSAN, ghIssuer, []byte("x"), trusttest.BundleOptions{}), trust.Options{Root: ss.Root, Artifact: bytes.NewReader([]byte("x"))})
	require.NoError(t, err)
	assert.Equal(t, v.Claims.SourceRepositoryURI, m.Claims.SourceRepositoryURI)

	e, err := trust.VerifyBundle(ss.DSSEBundleCert(t, trusttest.Cert{SAN: "someone@example.com", Extensions: certificate.Extensions{Issuer: "https://accounts.example"}}, stmt, trusttest.BundleOptions{}), trust.Options{Root: ss.Root})
	require.NoError(t, err)
	assert.Equal(t, "someone@example.com", e.SAN)
	assert.Equal(t, trust.Claims{}, e.Claims)
}

func trusttestB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestExpiredWindows(t *testing.T) {
	ss := trusttest.New(t)
	stmt := trusttest.Statement(t, "x", map[string]any{}, map[string]string{"a": sha([]byte("a"))})
	v, err := trust.VerifyBundle(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{}), trust.Options{Root: ss.Root})
	require.NoError(t, err)
	assert.Empty(t, trust.ExpiredWindows(ss.Root, v, time.Now()), "the virtual root is current")
	// The virtual log and CA end within two hours of now.
	got := trust.ExpiredWindows(ss.Root, v, time.Now().Add(24*time.Hour))
	require.Len(t, got, 2)
	assert.Contains(t, got[0], "certificate authority https://virtual.fulcio.sigstore.dev")
	assert.Contains(t, got[1], "transparency log https://rekor.localhost")
	assert.Empty(t, trust.ExpiredWindows(ss.Root, &trust.Verified{Signer: trust.Signer{Keyed: true}}, time.Now().Add(24*time.Hour)))
}
