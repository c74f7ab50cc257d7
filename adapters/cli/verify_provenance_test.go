package cli_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const genericGen = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"

func slsaV1(t *testing.T, builder, repo, ref, digest string) []byte {
	t.Helper()
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
			"externalParameters":   map[string]any{"workflow": map[string]any{"ref": ref, "repository": "https://github.com/" + repo, "path": ".github/workflows/release.yml"}},
			"internalParameters":   map[string]any{"github": map[string]any{"event_name": "push"}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/" + repo + "@" + ref, "digest": map[string]any{"gitCommit": trusttest.DefaultCommit}}},
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
	// slsa-github-generator signs with the reusable workflow's identity,
	// called from acme/app.
	signed := func(name, signer, repo, ref string, stmt []byte) string {
		c := trusttest.GitHubCert(signer, ghIssuer).CalledFrom(repo, ref)
		return write(t, dir, name, ss.DSSEBundleCert(t, c, stmt, trusttest.BundleOptions{}))
	}
	good := signed("good.sigstore.json", builder, "acme/app", "refs/tags/v1.2.3", slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art)))
	branchBuilder := genericGen + "@refs/heads/main"
	atMain := signed("main.sigstore.json", branchBuilder, "acme/app", "refs/tags/v1.2.3", slsaV1(t, branchBuilder, "acme/app", "refs/tags/v1.2.3", shaHex(art)))
	// Issue 14.1: the predicate names acme/other, the certificate acme/app.
	otherRepo := signed("other-repo.sigstore.json", builder, "acme/app", "refs/tags/v1.2.3", slsaV1(t, builder, "acme/other", "refs/tags/v1.2.3", shaHex(art)))
	otherRef := signed("other-ref.sigstore.json", builder, "acme/app", "refs/heads/main", slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art)))
	otherBuilder := signed("other-builder.sigstore.json", builder, "acme/app", "refs/tags/v1.2.3", slsaV1(t, genericGen+"@refs/tags/v2.2.0", "acme/app", "refs/tags/v1.2.3", shaHex(art)))
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
		{"builder id with the full tag ref", args(good, "--builder-id", genericGen+"@refs/tags/v2.1.0"), 0, "PASSED"},
		{"builder id with the short tag", args(good, "--builder-id", genericGen+"@v2.1.0"), 0, "PASSED"},
		{"short tag against a branch", args(atMain, "--builder-id", genericGen+"@main"), 1, "provenance.builder_trusted"},
		{"short tag of another version", args(good, "--builder-id", genericGen+"@v2.1.1"), 1, "provenance.builder_trusted"},
		{"predicate names another repo than the certificate", []string{"verify", "provenance", "--provenance", otherRepo, "--trusted-root", rootPath, "--artifact", artPath, "--source-uri", "github.com/acme/other"}, 1, "the predicate's source repository is github.com/acme/other"},
		{"predicate names another ref than the certificate", args(otherRef), 1, "the predicate's ref is refs/tags/v1.2.3"},
		{"predicate names another builder than the certificate", args(otherBuilder, "--builder-id", genericGen), 1, "the predicate's builder id is"},
		{"keyed DSSE jsonl", args(keyedEnv, "--key", keyPath), 0, "PASSED"},
		{"wrong tag", args(good, "--source-tag", "v9.9.9"), 1, "a ref matching one of refs/tags/v9.9.9"},
		{"branch instead of tag", args(good, "--source-branch", "main"), 1, "a ref matching one of refs/heads/main"},
		{"wrong source repo", []string{"verify", "provenance", "--provenance", good, "--trusted-root", rootPath, "--artifact", artPath, "--source-uri", "github.com/evil/app"}, 1, "provenance.source"},
		{"default builder at a branch", args(atMain), 1, "provenance.builder_trusted"},
		{"builder id with another ref", args(good, "--builder-id", genericGen+"@refs/tags/v2.0.0"), 1, "provenance.builder_trusted"},
		{"signer is not the builder", args(evilSigner), 1, "provenance.identity"},
		{"subject digest mismatch", []string{"verify", "provenance", "--provenance", good, "--trusted-root", rootPath, "--digest", "sha256:" + shaHex([]byte("x")), "--source-uri", "github.com/acme/app"}, 1, "provenance.subject_digest"},
		{"the hub's unsigned provenance", args(hub), 1, "provenance.signed"},
		{"keyed DSSE without the key", args(keyedEnv), 1, "provenance.signed"},
		{"no source uri", []string{"verify", "provenance", "--provenance", good, "--artifact", artPath}, 2, "--source-uri"},
		{"tag and branch", args(good, "--source-tag", "v1", "--source-branch", "main"), 2, "only one"},
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
