package cli_test

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// reFailed reads the rule ids of the "hubgate: FAILED: KIND of NAME: ids"
// line verify writes when it denies.
var reFailed = regexp.MustCompile(`(?m)^hubgate: FAILED: \S+ of \S*: ([a-z_., ]+?)(?: \(in .*\))?$`)

// verifyVerdict runs a verify command and returns its exit code and the
// rule ids of its failing findings, sorted.
func verifyVerdict(t *testing.T, args []string) (int, []string) {
	t.Helper()
	code, out, errs := run(t, args...)
	require.Contains(t, []int{0, 1}, code, "stdout: %s\nstderr: %s", out, errs)
	ids := []string{}
	if m := reFailed.FindStringSubmatch(errs); m != nil {
		ids = strings.Split(m[1], ", ")
	}
	require.Equal(t, code == 1, len(ids) > 0, "stdout: %s\nstderr: %s", out, errs)
	slices.Sort(ids)
	return code, slices.Compact(ids)
}

// evalVerdict runs eval and returns its exit code and the rule ids of the
// failing findings of kind, sorted.
func evalVerdict(t *testing.T, kind policy.EvidenceKind, args []string) (int, []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "decision.json")
	code, stdout, errs := run(t, append(args, "-o", "json="+out)...)
	require.Contains(t, []int{0, 1}, code, "stdout: %s\nstderr: %s", stdout, errs)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var d policy.Decision
	require.NoError(t, json.Unmarshal(b, &d))
	ids := []string{}
	for _, f := range d.Findings {
		if o := f.Effective(); (o == policy.OutcomeFail || o == policy.OutcomeError) && f.Kind() == kind {
			ids = append(ids, f.Rule)
		}
	}
	for _, f := range d.Findings {
		if o := f.Effective(); (o == policy.OutcomeFail || o == policy.OutcomeError) && f.Kind() != kind {
			t.Fatalf("eval failed outside %s, so its verdict is not comparable: %+v", kind, f)
		}
	}
	slices.Sort(ids)
	return code, slices.Compact(ids)
}

// tamper changes the signature bytes of a sigstore bundle.
func tamper(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var b map[string]any
	require.NoError(t, json.Unmarshal(bundle, &b))
	bad := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 71)))
	switch {
	case b["dsseEnvelope"] != nil:
		b["dsseEnvelope"].(map[string]any)["signatures"].([]any)[0].(map[string]any)["sig"] = bad
	case b["messageSignature"] != nil:
		b["messageSignature"].(map[string]any)["signature"] = bad
	default:
		t.Fatal("bundle without a signature")
	}
	out, err := json.Marshal(b)
	require.NoError(t, err)
	return out
}

// sums writes a SHA256SUMS for the artifact, so eval's checksums check
// passes and its verdict is the provenance's or the signature's.
func sums(t *testing.T, dir, artifact string) string {
	t.Helper()
	b, err := os.ReadFile(artifact)
	require.NoError(t, err)
	return write(t, dir, "SHA256SUMS-"+filepath.Base(artifact), []byte(shaHex(b)+"  "+filepath.Base(artifact)+"\n"))
}

// TestVerifyProvenanceIsEval: verify provenance gives the verdict and the
// failing rules that eval gives on the same inputs, with the registry entry
// verify provenance documents for its flags (its --help).
func TestVerifyProvenanceIsEval(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	art := []byte("release bytes")
	artPath := write(t, dir, "app.tar.gz", art)
	rootPath := write(t, dir, "trusted_root.json", ss.RootJSON)
	builder := genericGen + "@refs/tags/v2.1.0"
	signed := func(name, signer, ref string, stmt []byte) (string, []byte) {
		c := trusttest.GitHubCert(signer, ghIssuer).CalledFrom("acme/app", ref)
		b := ss.DSSEBundleCert(t, c, stmt, trusttest.BundleOptions{})
		return write(t, dir, name, b), b
	}
	good, goodBundle := signed("good.sigstore.json", builder, "refs/tags/v1.2.3", slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art)))
	atMain, _ := signed("main.sigstore.json", genericGen+"@refs/heads/main", "refs/tags/v1.2.3", slsaV1(t, genericGen+"@refs/heads/main", "acme/app", "refs/tags/v1.2.3", shaHex(art)))
	evil := write(t, dir, "evil.sigstore.json", ss.DSSEBundle(t, "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main", ghIssuer, slsaV1(t, builder, "acme/app", "refs/tags/v1.2.3", shaHex(art)), trusttest.BundleOptions{}))
	tampered := write(t, dir, "tampered.sigstore.json", tamper(t, goodBundle))
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)

	// The registry entry verify provenance makes of its flags.
	registry := func(extra string) string {
		return write(t, t.TempDir(), "registry.cue", []byte(`repos: "acme/app": {
	require: ["checksums", "provenance"]
	provenance: {
		source: "github.com/acme/app"
		identities: [{issuer: "https://token\\.actions\\.githubusercontent\\.com", subject: "(?i)https://github\\.com/acme/app/\\.github/workflows/.+"}]
		`+extra+`
	}
}
`))
	}
	tests := []struct {
		name       string
		prov       string
		verifyArgs []string // beyond --provenance, --artifact, --source-uri
		registry   string   // the provenance settings they mean
		wantCode   int
	}{
		{name: "trusted builder at a release tag", prov: good, wantCode: 0},
		{name: "source tag", prov: good, verifyArgs: []string{"--source-tag", "v1.2.3"}, registry: `refs: ["refs/tags/v1.2.3"]`, wantCode: 0},
		{name: "explicit builder", prov: atMain, verifyArgs: []string{"--builder-id", genericGen}, registry: `builders: ["` + genericGen + `"]`, wantCode: 0},
		{name: "wrong builder", prov: atMain, wantCode: 1},
		{name: "wrong builder id", prov: good, verifyArgs: []string{"--builder-id", genericGen + "@v2.1.1"}, registry: `builders: ["` + genericGen + `@v2.1.1"]`, wantCode: 1},
		{name: "wrong ref", prov: good, verifyArgs: []string{"--source-tag", "v9.9.9"}, registry: `refs: ["refs/tags/v9.9.9"]`, wantCode: 1},
		{name: "branch instead of tag", prov: good, verifyArgs: []string{"--source-branch", "main"}, registry: `refs: ["refs/heads/main"]`, wantCode: 1},
		{name: "wrong identity", prov: evil, wantCode: 1},
		{name: "tampered bundle", prov: tampered, wantCode: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vcode, vids := verifyVerdict(t, append([]string{"verify", "provenance", "--provenance", tc.prov, "--artifact", artPath,
				"--source-uri", "github.com/acme/app", "--trusted-root", rootPath, "--now", later}, tc.verifyArgs...))
			ecode, eids := evalVerdict(t, policy.KindProvenance, []string{"eval", "--registry", registry(tc.registry), "--repo", "acme/app",
				"--subject", artPath, "--checksums", sums(t, dir, artPath), "--provenance", tc.prov, "--trusted-root", rootPath, "--now", later})
			assert.Equal(t, tc.wantCode, vcode)
			assert.Equal(t, ecode, vcode, "verify and eval disagree on the verdict")
			assert.Equal(t, eids, vids, "verify and eval disagree on the failing rules")
		})
	}

	// npm provenance names its subject by sha512: verify by that digest
	// alone gives what eval gives for the tarball (whose sha512 the
	// collector computes because the statement names it so).
	npm := filepath.Join("..", "..", "fixtures", "attestations", "npm")
	tgz := filepath.Join(npm, "sigstore-js-2.1.0.tgz")
	b, err := os.ReadFile(tgz)
	require.NoError(t, err)
	sum := sha512.Sum512(b)
	npmRegistry := write(t, t.TempDir(), "registry.cue", []byte(`repos: "sigstore/sigstore-js": {
	require: ["checksums", "provenance"]
	provenance: {
		source: "github.com/sigstore/sigstore-js"
		identities: [{issuer: "https://token\\.actions\\.githubusercontent\\.com", subject: "(?i)https://github\\.com/sigstore/sigstore-js/\\.github/workflows/.+"}]
		builders: ["https://github.com/actions/runner/github-hosted"]
		refs: ["refs/heads/main"]
	}
}
`))
	for _, bundle := range []string{"sigstore-js-2.1.0-bundle.json", "sigstore-js-2.1.0_with_2_bundles.jsonl"} {
		for _, builderID := range []string{"https://github.com/actions/runner/github-hosted", "https://github.com/actions/runner/self-hosted"} {
			t.Run("npm "+bundle+" "+filepath.Base(builderID), func(t *testing.T) {
				prov := filepath.Join(npm, bundle)
				const now = "2026-11-28T00:00:00Z"
				vcode, vids := verifyVerdict(t, []string{"verify", "provenance", "--provenance", prov,
					"--digest", "sha512:" + hex.EncodeToString(sum[:]), "--source-uri", "github.com/sigstore/sigstore-js",
					"--builder-id", builderID, "--source-branch", "main", "--now", now})
				reg := npmRegistry
				if builderID != "https://github.com/actions/runner/github-hosted" {
					src, err := os.ReadFile(npmRegistry)
					require.NoError(t, err)
					reg = write(t, t.TempDir(), "registry.cue", []byte(strings.ReplaceAll(string(src), "github-hosted", "self-hosted")))
				}
				ecode, eids := evalVerdict(t, policy.KindProvenance, []string{"eval", "--registry", reg, "--repo", "sigstore/sigstore-js",
					"--subject", tgz, "--checksums", filepath.Join(npm, "SHA256SUMS"), "--provenance", prov, "--now", now})
				assert.Equal(t, ecode, vcode, "verify and eval disagree on the verdict")
				assert.Equal(t, eids, vids, "verify and eval disagree on the failing rules")
				if strings.HasSuffix(builderID, "github-hosted") {
					assert.Equal(t, 0, vcode, "the real npm provenance verifies by its sha512 digest")
				} else {
					assert.Equal(t, []string{"provenance.builder_trusted"}, vids)
				}
			})
		}
	}
}

// TestVerifySignatureIsEval: verify signature gives the verdict and the
// failing rules that eval gives on the same inputs, with the registry entry
// verify signature documents for its flags (its --help); --key trusts that
// key alone.
func TestVerifySignatureIsEval(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	art := []byte("release bytes")
	artPath := write(t, dir, "app.tar.gz", art)
	rootPath := write(t, dir, "trusted_root.json", ss.RootJSON)
	goodBundle := ss.MessageBundle(t, ghSAN, ghIssuer, art, trusttest.BundleOptions{})
	good := write(t, dir, "app.sigstore.json", goodBundle)
	tampered := write(t, dir, "tampered.sigstore.json", tamper(t, goodBundle))
	k := trusttest.NewKey(t, "ecdsa")
	keyPEM := k.PEM(t)
	keyPath := write(t, dir, "key.pub", keyPEM)
	keyedBundle := k.MessageBundle(t, art)
	keyed := write(t, dir, "keyed.sigstore.json", keyedBundle)
	keyedTampered := write(t, dir, "keyed-tampered.sigstore.json", tamper(t, keyedBundle))
	otherKeyPEM := trusttest.NewKey(t, "ecdsa").PEM(t)
	otherKey := write(t, dir, "other.pub", otherKeyPEM)
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)

	identity := func(issuer, subject string) string {
		return "identities: [{issuer: " + strconv.Quote(issuer) + ", subject: " + strconv.Quote(subject) + "}]"
	}
	keys := func(pem []byte) string { return "keys: [" + strconv.Quote(string(pem)) + "], keys_only: true" }
	tests := []struct {
		name       string
		bundle     string
		verifyArgs []string
		registry   string // the provenance settings they mean
		wantCode   int
	}{
		{name: "exact identity", bundle: good, verifyArgs: []string{"--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer},
			registry: identity(regexp.QuoteMeta(ghIssuer), regexp.QuoteMeta(ghSAN)), wantCode: 0},
		{name: "identity regexp", bundle: good, verifyArgs: []string{"--certificate-identity-regexp", `https://github\.com/acme/app/.*`, "--certificate-oidc-issuer", ghIssuer},
			registry: identity(regexp.QuoteMeta(ghIssuer), `https://github\.com/acme/app/.*`), wantCode: 0},
		{name: "wrong identity", bundle: good, verifyArgs: []string{"--certificate-identity", "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.3", "--certificate-oidc-issuer", ghIssuer},
			registry: identity(regexp.QuoteMeta(ghIssuer), regexp.QuoteMeta("https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.3")), wantCode: 1},
		{name: "wrong issuer", bundle: good, verifyArgs: []string{"--certificate-identity", ghSAN, "--certificate-oidc-issuer", "https://accounts.google.com"},
			registry: identity(regexp.QuoteMeta("https://accounts.google.com"), regexp.QuoteMeta(ghSAN)), wantCode: 1},
		{name: "unanchored regexp", bundle: good, verifyArgs: []string{"--certificate-identity-regexp", `github\.com/acme/app`, "--certificate-oidc-issuer", ghIssuer},
			registry: identity(regexp.QuoteMeta(ghIssuer), `github\.com/acme/app`), wantCode: 1},
		{name: "tampered bundle", bundle: tampered, verifyArgs: []string{"--certificate-identity", ghSAN, "--certificate-oidc-issuer", ghIssuer},
			registry: identity(regexp.QuoteMeta(ghIssuer), regexp.QuoteMeta(ghSAN)), wantCode: 1},
		{name: "the key", bundle: keyed, verifyArgs: []string{"--key", keyPath}, registry: keys(keyPEM), wantCode: 0},
		{name: "another key", bundle: keyed, verifyArgs: []string{"--key", otherKey}, registry: keys(otherKeyPEM), wantCode: 1},
		{name: "tampered keyed bundle", bundle: keyedTampered, verifyArgs: []string{"--key", keyPath}, registry: keys(keyPEM), wantCode: 1},
		{name: "a trusted certificate is not the key", bundle: good, verifyArgs: []string{"--key", keyPath}, registry: keys(keyPEM), wantCode: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vcode, vids := verifyVerdict(t, append([]string{"verify", "signature", "--bundle", tc.bundle, "--artifact", artPath,
				"--trusted-root", rootPath, "--now", later}, tc.verifyArgs...))
			reg := write(t, t.TempDir(), "registry.cue", []byte(`repos: "verify/signature": {
	require: ["checksums", "signature"]
	provenance: {`+tc.registry+`}
}
`))
			ecode, eids := evalVerdict(t, policy.KindSignature, []string{"eval", "--registry", reg, "--repo", "verify/signature",
				"--subject", artPath, "--checksums", sums(t, dir, artPath), "--signature", tc.bundle, "--trusted-root", rootPath, "--now", later})
			assert.Equal(t, tc.wantCode, vcode)
			assert.Equal(t, ecode, vcode, "verify and eval disagree on the verdict")
			assert.Equal(t, eids, vids, "verify and eval disagree on the failing rules")
		})
	}
}
