package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/oci/ocitest"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// cosign runs the cached cosign v3 binary offline, in dir, with its home
// and TUF cache inside dir.
func cosign(t *testing.T, bin, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=", "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"), "DOCKER_CONFIG="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// offline are the flags cosign v3 needs with no Sigstore services and a
// plain-HTTP loopback registry.
var offline = []string{"--use-signing-config=false", "--tlog-upload=false", "--new-bundle-format", "--allow-http-registry", "--yes"}

// TestCosignInterop: an attestation attached by cosign v3 itself is found
// and verified by hubgate eval --image, and the VSA hubgate attaches is
// found and verified by cosign verify-attestation, with the same key.
func TestCosignInterop(t *testing.T) {
	bin := ocitest.Binary(t, "HUBGATE_COSIGN_BIN", ocitest.CosignVersion, "cosign")
	r := newOCIRelease(t, ocitest.Options{})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths":{}}`), 0o600))
	out, err := cosign(t, bin, dir, "generate-key-pair")
	require.NoError(t, err, out)
	pub, err := os.ReadFile(filepath.Join(dir, "cosign.pub"))
	require.NoError(t, err)

	image := r.reg.PushImage(t, "acme/app", "cosign")
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
			"externalParameters":   map[string]any{"workflow": map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"}},
			"internalParameters":   map[string]any{"github": map[string]any{"event_name": "push"}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/acme/app@refs/tags/v1.2.3", "digest": map[string]any{"gitCommit": trusttest.DefaultCommit}}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": ociBuilder}},
	}
	pb, err := json.Marshal(pred)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pred.json"), pb, 0o600))
	args := append([]string{"attest", "--key", "cosign.key", "--predicate", "pred.json", "--type", "slsaprovenance1"}, offline...)
	out, err = cosign(t, bin, dir, append(args, image)...)
	require.NoError(t, err, out)
	r.attach(t, image, r.write(t, "sbom.json", ociSBOM(hexOf(image))))

	// hubgate finds cosign's attestation and verifies it with cosign.pub.
	pemJSON, _ := json.Marshal(string(pub))
	keyed := r.write(t, "cosign-registry.cue", `org: referrers: require: ["application/vnd.cyclonedx+json", "application/vnd.dev.sigstore.bundle.v0.3+json"]
repos: "acme/app": {require: ["checksums", "sbom", "provenance"], provenance: keys: [`+string(pemJSON)+`]}`)
	code, d, errs := r.eval(t, image, "--registry", keyed)
	require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
	var prov bool
	for _, in := range d.Inputs {
		prov = prov || in.Kind == policy.KindProvenance
	}
	assert.True(t, prov, "cosign's attestation was read as provenance")
	// The same attestation against another key is denied.
	code, d, _ = r.eval(t, image)
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "provenance.signed"), "%v", ruleList(d))

	// An SBOM attested by cosign (--type cyclonedx) is read from its
	// bundle, verified with cosign.pub: no plain SBOM referrer needed.
	attested := r.reg.PushImage(t, "acme/app", "cosign-sbom")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sbom.cdx.json"), []byte(ociSBOM(hexOf(attested))), 0o600))
	args = append([]string{"attest", "--key", "cosign.key", "--predicate", "sbom.cdx.json", "--type", "cyclonedx"}, offline...)
	out, err = cosign(t, bin, dir, append(args, attested)...)
	require.NoError(t, err, out)
	args = append([]string{"attest", "--key", "cosign.key", "--predicate", "pred.json", "--type", "slsaprovenance1"}, offline...)
	out, err = cosign(t, bin, dir, append(args, attested)...)
	require.NoError(t, err, out)
	sbomOnly := r.write(t, "cosign-sbom-registry.cue", `org: referrers: require: ["application/vnd.dev.sigstore.bundle.v0.3+json"]
repos: "acme/app": {require: ["checksums", "sbom", "provenance"], provenance: keys: [`+string(pemJSON)+`]}`)
	code, d, errs = r.eval(t, attested, "--registry", sbomOnly)
	require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
	var sbomFrom []string
	for _, in := range d.Inputs {
		if in.Kind == policy.KindSBOM {
			sbomFrom = append(sbomFrom, in.Path)
		}
	}
	require.Len(t, sbomFrom, 1, "cosign's SBOM attestation was read as the SBOM: %+v", d.Inputs)
	// Against another key, the SBOM is not read.
	other := r.write(t, "other-key-registry.cue", `repos: "acme/app": {require: ["checksums", "sbom"], provenance: keys: [`+string(mustJSON(t, string(trusttest.NewKey(t, "ecdsa").PEM(t))))+`]}`)
	code, d, _ = r.eval(t, attested, "--registry", other)
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "sbom.evidence"), "%v", ruleList(d))

	// cosign finds and verifies the VSA hubgate attaches.
	key, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vsa.pub"), key.Public().MarshalPEM(), 0o600))
	dec := &policy.Decision{Outcome: policy.OutcomePass, Allowed: true, Repo: "acme/app", Policy: policy.PolicyRef{Digest: "sha256:" + strings.Repeat("1", 64)}, Time: time.Now().UTC().Add(-time.Minute).Truncate(time.Second)}
	name, _, _ := strings.Cut(image, "@")
	b, err := vsa.Sign(dec, policy.Subject{Name: name, Digest: policy.Digest{"sha256": hexOf(image)}}, key, vsa.Options{})
	require.NoError(t, err)
	r.attach(t, image, r.write(t, "vsa.sigstore.json", string(b)))
	verify := []string{"verify-attestation", "--insecure-ignore-tlog", "--new-bundle-format", "--allow-http-registry", "--type", "https://slsa.dev/verification_summary/v1"}
	out, err = cosign(t, bin, dir, append(verify, "--key", "vsa.pub", image)...)
	require.NoError(t, err, out)
	out, err = cosign(t, bin, dir, append(verify, "--key", "cosign.pub", image)...)
	require.Error(t, err, "another key: %s", out)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
