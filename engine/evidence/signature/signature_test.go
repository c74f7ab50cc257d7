package signature_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/signature"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const (
	ghIssuer = "https://token.actions.githubusercontent.com"
	ghSAN    = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestVerify(t *testing.T) {
	ss := trusttest.New(t)
	app, lib := []byte("app bytes"), []byte("lib bytes")
	subjects := []signature.Subject{
		{Name: "lib.tar.gz", Digest: map[string]string{"sha256": sha(lib)}},
		{Name: "app.tar.gz", Digest: map[string]string{"sha256": sha(app)}},
	}
	opts := trust.Options{Root: ss.Root}
	k := trusttest.NewKey(t, "ed25519")
	pk, err := trust.ParsePublicKey(k.PEM(t))
	require.NoError(t, err)
	appPath := filepath.Join(t.TempDir(), "app.tar.gz")
	require.NoError(t, os.WriteFile(appPath, app, 0o600))

	t.Run("keyless message signature covers the second subject", func(t *testing.T) {
		r, err := signature.Verify(ss.MessageBundle(t, ghSAN, ghIssuer, app, trusttest.BundleOptions{}), subjects, opts)
		require.NoError(t, err)
		require.True(t, r.Verified, r.Reason)
		assert.Equal(t, "app.tar.gz", r.Subject)
		assert.Equal(t, "sha256:"+sha(app), r.Digest)
		assert.Equal(t, ghIssuer, r.Issuer)
		assert.Equal(t, ghSAN, r.SAN)
		assert.False(t, r.Keyed)
		assert.Equal(t, int64(1000), r.TlogIndex)
		assert.Equal(t, trust.ContentMessageSignature, r.Content)
	})
	t.Run("keyless DSSE covers a subject", func(t *testing.T) {
		stmt := trusttest.Statement(t, "https://example.com/predicate", map[string]any{}, map[string]string{"app.tar.gz": sha(app)})
		r, err := signature.Verify(ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{}), subjects, opts)
		require.NoError(t, err)
		require.True(t, r.Verified, r.Reason)
		assert.Equal(t, "app.tar.gz", r.Subject)
		assert.Equal(t, trust.ContentDSSE, r.Content)
	})
	t.Run("keyed ed25519 message signature over the file", func(t *testing.T) {
		files := []signature.Subject{{Name: "app.tar.gz", Digest: map[string]string{"sha256": sha(app)}, Path: appPath}}
		r, err := signature.Verify(k.MessageBundle(t, app), files, trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{pk}})
		require.NoError(t, err)
		require.True(t, r.Verified, r.Reason)
		assert.True(t, r.Keyed)
		assert.Equal(t, pk.ID, r.KeyID)
		assert.Empty(t, r.SAN)
	})

	negatives := []struct {
		name   string
		bundle []byte
		subs   []signature.Subject
		opts   trust.Options
		reason string
	}{
		{
			name:   "subject digest mismatch: message signature",
			bundle: ss.MessageBundle(t, ghSAN, ghIssuer, []byte("other"), trusttest.BundleOptions{}),
			subs:   subjects, opts: opts,
			reason: "none of the subjects",
		},
		{
			name:   "subject digest mismatch: DSSE",
			bundle: ss.DSSEBundle(t, ghSAN, ghIssuer, trusttest.Statement(t, "x", map[string]any{}, map[string]string{"o": sha([]byte("other"))}), trusttest.BundleOptions{}),
			subs:   subjects, opts: opts,
			reason: "include none of the subjects",
		},
		{
			name:   "bundle from another trust root",
			bundle: trusttest.New(t).MessageBundle(t, ghSAN, ghIssuer, app, trusttest.BundleOptions{}),
			subs:   subjects, opts: opts,
			reason: "not verified",
		},
		{
			name:   "expired certificate with no tlog time",
			bundle: ss.MessageBundle(t, ghSAN, ghIssuer, app, trusttest.BundleOptions{NoTlog: true}),
			subs:   subjects, opts: opts,
			reason: "0 < 1",
		},
		{
			name:   "keyed signature with no trusted key",
			bundle: k.MessageBundle(t, app),
			subs:   subjects, opts: opts,
			reason: "no trusted key",
		},
		{
			name:   "no subjects",
			bundle: ss.MessageBundle(t, ghSAN, ghIssuer, app, trusttest.BundleOptions{}),
			opts:   opts,
			reason: "no subject",
		},
	}
	for _, tc := range negatives {
		t.Run(tc.name, func(t *testing.T) {
			r, err := signature.Verify(tc.bundle, tc.subs, tc.opts)
			require.NoError(t, err)
			assert.False(t, r.Verified)
			assert.Contains(t, r.Reason, tc.reason)
			assert.Empty(t, r.SAN, "no identity from an unverified bundle")
			assert.Empty(t, r.Subject)
		})
	}
	t.Run("tampered signature", func(t *testing.T) {
		b := ss.MessageBundle(t, ghSAN, ghIssuer, app, trusttest.BundleOptions{})
		b = tamperSig(t, b)
		r, err := signature.Verify(b, subjects, opts)
		require.NoError(t, err)
		assert.False(t, r.Verified)
	})
	t.Run("not a bundle", func(t *testing.T) {
		_, err := signature.Verify([]byte(`{"hello":1}`), subjects, opts)
		require.ErrorIs(t, err, trust.ErrBundle)
	})
}

// tamperSig flips a byte of the base64 signature of a message-signature
// bundle.
func tamperSig(t *testing.T, b []byte) []byte {
	t.Helper()
	s := string(b)
	const key = `"signature":"`
	i := indexOf(s, key)
	require.GreaterOrEqual(t, i, 0)
	j := i + len(key) + 10
	c := byte('A')
	if s[j] == 'A' {
		c = 'B'
	}
	return []byte(s[:j] + string(c) + s[j+1:])
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestCorpusMessageKeyed verifies the real keyed bundle of the corpus
// (bundle-publish.json, a DSSE with publish_key.pub).
func TestCorpusKeyed(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "fixtures", "trust", "sigstore-go", "examples")
	tr, err := trust.LoadTrustedRoot(filepath.Join(dir, "trusted-root-public-good.json"))
	require.NoError(t, err)
	kb, err := os.ReadFile(filepath.Join(dir, "publish_key.pub"))
	require.NoError(t, err)
	pk, err := trust.ParsePublicKey(kb)
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "bundle-publish.json"))
	require.NoError(t, err)
	subj := []signature.Subject{{Name: "sigstore-1.3.0.tgz", Digest: map[string]string{"sha512": "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"}}}
	r, err := signature.Verify(b, subj, trust.Options{Root: tr, Keys: []*trust.PublicKey{pk}})
	require.NoError(t, err)
	require.True(t, r.Verified, r.Reason)
	assert.True(t, r.Keyed)
	assert.Equal(t, "sigstore-1.3.0.tgz", r.Subject)
	assert.Greater(t, r.TlogIndex, int64(0))

	r, err = signature.Verify(b, subj, trust.Options{Root: tr})
	require.NoError(t, err)
	assert.False(t, r.Verified, "keyed bundle without the key")
}
