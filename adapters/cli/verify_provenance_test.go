package cli_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const genericGen = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"

func slsaV1(t *testing.T, builder, repo, ref, digest string) []byte {
	t.Helper()
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":          "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
			"externalParameters": map[string]any{"workflow": map[string]any{"ref": ref, "repository": "https://github.com/" + repo, "path": ".github/workflows/release.yml"}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": builder}},
	}
	return trusttest.Statement(t, "https://slsa.dev/provenance/v1", pred, map[string]string{"app.tar.gz": digest})
}

func TestVerifyProvenanceCommand(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	art := []byte("release bytes")
	artPath := write(t, dir, "app.tar.gz", art)
	rootPath := write(t, dir, "trusted_root.json", ss.RootJSON)
	builder := genericGen + "@refs/tags/v2.1.0"
	// slsa-github-generator signs with the reusable workflow's identity.
	good := write(t, dir, "good.sigstore.json", ss.DSSEBundle(t, builder, ghIssuer, slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art)), trusttest.BundleOptions{}))
	branchBuilder := genericGen + "@refs/heads/main"
	atMain := write(t, dir, "main.sigstore.json", ss.DSSEBundle(t, branchBuilder, ghIssuer, slsaV1(t, branchBuilder, "acme/app", "refs/tags/v1.2.3", shaHex(art)), trusttest.BundleOptions{}))
	evilSigner := write(t, dir, "evil.sigstore.json", ss.DSSEBundle(t, "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main", ghIssuer, slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art)), trusttest.BundleOptions{}))
	k := trusttest.NewKey(t, "ecdsa")
	keyPath := write(t, dir, "key.pub", k.PEM(t))
	keyedEnv := write(t, dir, "keyed.intoto.jsonl", k.Envelope(t, trusttest.InTotoPayloadType, slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art))))
	hub, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "provenance", "hub-slsa-provenance-unsigned.json"))
	require.NoError(t, err)

	args := func(prov string, extra ...string) []string {
		return append([]string{"verify", "provenance", "--provenance", prov, "--trusted-root", rootPath, "--artifact", artPath, "--source-uri", "github.com/acme/app"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"default builder at a release tag", args(good), 0, "PASSED"},
		{"source tag", args(good, "--source-tag", "v1.2.3"), 0, "PASSED"},
		{"builder id without ref", args(atMain, "--builder-id", genericGen), 0, "PASSED"},
		{"keyed DSSE jsonl", args(keyedEnv, "--key", keyPath), 0, "signed with key"},
		{"wrong tag", args(good, "--source-tag", "v9.9.9"), 1, "tag: expected refs/tags/v9.9.9"},
		{"branch instead of tag", args(good, "--source-branch", "main"), 1, "branch: expected refs/heads/main"},
		{"wrong source repo", []string{"verify", "provenance", "--provenance", good, "--trusted-root", rootPath, "--artifact", artPath, "--source-uri", "github.com/evil/app"}, 1, "source: expected github.com/evil/app"},
		{"default builder at a branch", args(atMain), 1, "builder: expected"},
		{"builder id with another ref", args(good, "--builder-id", genericGen+"@refs/tags/v2.0.0"), 1, "builder: expected"},
		{"signer is not the builder", args(evilSigner), 1, "signer"},
		{"subject digest mismatch", []string{"verify", "provenance", "--provenance", good, "--trusted-root", rootPath, "--digest", "sha256:" + shaHex([]byte("x")), "--source-uri", "github.com/acme/app"}, 1, "no subject has digest"},
		{"the hub's unsigned provenance", args(hub), 1, "no signatures"},
		{"keyed DSSE without the key", args(keyedEnv), 1, "trusted key"},
		{"no source uri", []string{"verify", "provenance", "--provenance", good, "--artifact", artPath}, 2, "--source-uri"},
		{"tag and branch", args(good, "--source-tag", "v1", "--source-branch", "main"), 2, "only one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.args...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			assert.Contains(t, out+errs, tc.want)
		})
	}
}

func TestVerifyProvenanceCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "trust", "sigstore-go")
	base := []string{"verify", "provenance",
		"--provenance", filepath.Join(dir, "examples/bundle-provenance.json"),
		"--trusted-root", filepath.Join(dir, "examples/trusted-root-public-good.json"),
		"--digest", "sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751",
		"--source-uri", "github.com/sigstore/sigstore-js"}
	// Built by the GitHub runner, not an SLSA builder: untrusted by default.
	code, out, errs := run(t, base...)
	assert.Equal(t, 1, code, out+errs)
	assert.Contains(t, errs, "builder")
	// Trusting that builder explicitly passes, from the repo's own workflow.
	code, out, errs = run(t, append(base, "--builder-id", "https://github.com/actions/runner", "--source-branch", "main")...)
	assert.Equal(t, 0, code, out+errs)
}
