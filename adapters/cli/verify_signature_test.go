package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/cli"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const (
	ghIssuer = "https://token.actions.githubusercontent.com"
	ghSAN    = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestVerifySignatureCommand(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	art := []byte("release bytes")
	artPath := write(t, dir, "app.tar.gz", art)
	rootPath := write(t, dir, "trusted_root.json", ss.RootJSON)
	bundle := write(t, dir, "app.sigstore.json", ss.MessageBundle(t, ghSAN, ghIssuer, art, trusttest.BundleOptions{}))
	otherRoot := write(t, dir, "other_root.json", trusttest.New(t).RootJSON)
	k := trusttest.NewKey(t, "ecdsa")
	keyPath := write(t, dir, "key.pub", k.PEM(t))
	keyed := write(t, dir, "keyed.sigstore.json", k.MessageBundle(t, art))
	wrongKey := write(t, dir, "wrong.pub", trusttest.NewKey(t, "ecdsa").PEM(t))

	base := []string{"verify", "signature", "--bundle", bundle, "--trusted-root", rootPath}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"exact identity", append(base, "--artifact", artPath, "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer), 0, "PASSED"},
		{"digest instead of artifact", append(base, "--digest", "sha256:"+shaHex(art), "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer), 0, "PASSED"},
		{"identity regexp", append(base, "--artifact", artPath, "--certificate-identity-regexp", `https://github\.com/acme/app/.*`, "--certificate-oidc-issuer", ghIssuer), 0, "PASSED"},
		{"identity regexp matching only unanchored", append(base, "--artifact", artPath, "--certificate-identity-regexp", `github\.com/acme/app`, "--certificate-oidc-issuer", ghIssuer), 1, "signature.identity"},
		{"wrong SAN", append(base, "--artifact", artPath, "--certificate-identity", "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.3", "--certificate-oidc-issuer", ghIssuer), 1, "signature.identity"},
		{"wrong issuer", append(base, "--artifact", artPath, "--certificate-identity", ghSAN, "--certificate-oidc-issuer", "https://accounts.google.com"), 1, "signature.identity"},
		{"wrong artifact", append(base, "--digest", "sha256:"+shaHex([]byte("x")), "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer), 1, "signature.verified"},
		{"another trust root", []string{"verify", "signature", "--bundle", bundle, "--trusted-root", otherRoot, "--artifact", artPath, "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer}, 1, "signature.verified"},
		{"embedded root rejects a virtual bundle", []string{"verify", "signature", "--bundle", bundle, "--artifact", artPath, "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer}, 1, "signature.verified"},
		{"keyed", []string{"verify", "signature", "--bundle", keyed, "--artifact", artPath, "--key", keyPath}, 0, "PASSED"},
		{"keyed, wrong key", []string{"verify", "signature", "--bundle", keyed, "--artifact", artPath, "--key", wrongKey}, 1, "signature.verified"},
		{"keyless bundle with --key", append(base, "--artifact", artPath, "--key", keyPath), 1, "provenance.keys_only"},
		{"no bundle", []string{"verify", "signature", "--artifact", artPath}, 2, "--bundle"},
		{"artifact and digest", append(base, "--artifact", artPath, "--digest", "sha256:00", "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer), 2, "exactly one"},
		{"no identity", append(base, "--artifact", artPath, "--certificate-oidc-issuer", ghIssuer), 2, "--certificate-identity"},
		{"no issuer", append(base, "--artifact", artPath, "--certificate-identity", ghSAN), 2, "--certificate-oidc-issuer"},
		{"bad digest", append(base, "--digest", "sha256:zz", "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer), 2, "--digest"},
		{"bad regexp", append(base, "--artifact", artPath, "--certificate-identity-regexp", "(", "--certificate-oidc-issuer", ghIssuer), 2, "identity pattern"},
		{"missing trusted root", []string{"verify", "signature", "--bundle", bundle, "--trusted-root", filepath.Join(dir, "nope.json"), "--artifact", artPath, "--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer}, 2, "--trusted-root " + filepath.Join(dir, "nope.json") + ": no such file or directory"},
	}
	// The virtual sigstore signs a few minutes ahead of the wall clock.
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, append(tc.args, "--now", later)...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			assert.Contains(t, out+errs, tc.want)
		})
	}
}

func TestVerifySignatureCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "trust", "sigstore-go")
	code, out, errs := run(t, "verify", "signature",
		"--bundle", filepath.Join(dir, "testdata/bundles/othername.sigstore.json"),
		"--trusted-root", filepath.Join(dir, "testdata/trusted-roots/scaffolding.json"),
		"--digest", "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b",
		"--certificate-identity", "foo!oidc.local", "--certificate-oidc-issuer", "http://oidc.local:8080")
	assert.Equal(t, 0, code, out+errs)

	code, out, errs = run(t, "verify", "signature",
		"--bundle", filepath.Join(dir, "testdata/bundles/othername.sigstore.json"),
		"--trusted-root", filepath.Join(dir, "testdata/trusted-roots/scaffolding.json"),
		"--digest", "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b",
		"--certificate-identity", "foo@oidc.local", "--certificate-oidc-issuer", "http://oidc.local:8080")
	assert.Equal(t, 1, code, out+errs)

	code, out, errs = run(t, "verify", "signature",
		"--bundle", filepath.Join(dir, "examples/bundle-provenance.json"),
		"--digest", "sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751",
		"--certificate-identity", "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
		"--certificate-oidc-issuer", ghIssuer)
	assert.Equal(t, 0, code, out+errs)
}
