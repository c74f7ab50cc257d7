package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/cli"
	"github.com/cicd-hub/hubgate/adapters/oci/ocitest"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

const ociBuilder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0"

func ociProvenance(t *testing.T, k *trusttest.Key, hex string) []byte {
	t.Helper()
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
			"externalParameters":   map[string]any{"workflow": map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"}},
			"internalParameters":   map[string]any{"github": map[string]any{"event_name": "push"}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/acme/app@refs/tags/v1.2.3", "digest": map[string]any{"gitCommit": trusttest.DefaultCommit}}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": ociBuilder}},
	}
	st := trusttest.Statement(t, "https://slsa.dev/provenance/v1", pred, map[string]string{"app": hex})
	return k.DSSEBundle(t, trusttest.InTotoPayloadType, st)
}

// ociSBOM is a CycloneDX SBOM of the image with manifest digest hex.
func ociSBOM(hex string) string {
	return `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
"metadata":{"component":{"type":"container","name":"app","purl":"pkg:oci/app@sha256:` + hex + `","hashes":[{"alg":"SHA-256","content":"` + hex + `"}]}},
"components":[{"type":"library","name":"x","version":"1.0.0","purl":"pkg:golang/example.com/x@v1.0.0"}]}`
}

type ociRelease struct {
	dir, registry string
	reg           *ocitest.Registry
	key           *trusttest.Key
}

func newOCIRelease(t *testing.T, o ocitest.Options) *ociRelease {
	t.Helper()
	r := &ociRelease{dir: t.TempDir(), reg: ocitest.Start(t, o), key: trusttest.NewKey(t, "ecdsa")}
	pem, err := json.Marshal(string(r.key.PEM(t)))
	require.NoError(t, err)
	r.registry = r.write(t, "registry.cue", `org: referrers: require: ["application/vnd.cyclonedx+json", "application/vnd.dev.sigstore.bundle.v0.3+json"]
repos: "acme/app": {require: ["checksums", "sbom", "provenance"], provenance: keys: [`+string(pem)+`]}`)
	return r
}

func (r *ociRelease) write(t *testing.T, name, s string) string {
	t.Helper()
	p := filepath.Join(r.dir, name)
	require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
	return p
}

func ociRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func (r *ociRelease) eval(t *testing.T, image string, extra ...string) (int, *policy.Decision, string) {
	t.Helper()
	name, _, _ := strings.Cut(image, "@")
	sums := r.write(t, "SHA256SUMS", hexOf(image)+"  "+name+"\n")
	args := append([]string{"eval", "--registry", r.registry, "--repo", "acme/app", "--image", image, "--plain-http", "--checksums", sums,
		"--registry-config", r.write(t, "empty.json", `{"auths":{}}`), "--now", "2026-11-28T00:00:00Z", "-o", "json"}, extra...)
	code, out, errs := ociRun(args...)
	if code == 2 {
		return code, nil, errs
	}
	var d policy.Decision
	require.NoError(t, json.Unmarshal([]byte(out), &d), "stdout: %s\nstderr: %s", out, errs)
	return code, &d, errs
}

func (r *ociRelease) attach(t *testing.T, image string, files ...string) {
	t.Helper()
	args := append([]string{"attach", "--image", image, "--plain-http", "--registry-config", r.write(t, "empty.json", `{"auths":{}}`)}, files...)
	if r.reg.User != "" {
		args[5] = r.reg.DockerConfig(t)
	}
	code, out, errs := ociRun(args...)
	require.Equal(t, 0, code, "attach: %s %s", out, errs)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), len(files), out)
}

func hexOf(image string) string { return image[strings.LastIndex(image, ":")+1:] }

func ruleList(d *policy.Decision) []string {
	var ids []string
	if d != nil {
		for _, f := range d.Findings {
			ids = append(ids, f.Rule+": "+f.Message)
		}
	}
	return ids
}

func hasRule(d *policy.Decision, prefix string) bool {
	for _, f := range d.Findings {
		if strings.HasPrefix(f.Rule, prefix) {
			return true
		}
	}
	return false
}

// TestEvalImage judges the referrers of an image in a real registry, with
// the same rules as local files.
func TestEvalImage(t *testing.T) {
	r := newOCIRelease(t, ocitest.Options{})
	sbomOf := func(image string) string { return r.write(t, "sbom-"+hexOf(image)+".json", ociSBOM(hexOf(image))) }

	good := r.reg.PushImage(t, "acme/app", "good")
	r.attach(t, good, sbomOf(good), r.write(t, "prov.sigstore.json", string(ociProvenance(t, r.key, hexOf(good)))))
	code, d, errs := r.eval(t, good)
	require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
	assert.Equal(t, "sha256:"+hexOf(good), "sha256:"+d.Subjects[0].Digest["sha256"])
	var kinds []string
	for _, in := range d.Inputs {
		if in.Kind == policy.KindChecksums {
			continue
		}
		kinds = append(kinds, string(in.Kind))
		assert.Contains(t, in.Path, r.reg.Host+"/acme/app@sha256:", "inputs name their referrer")
	}
	assert.ElementsMatch(t, []string{"sbom", "provenance", "referrers"}, kinds)

	// The summary of an image is for its manifest digest, ready to attach.
	key, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	priv, err := key.MarshalPrivateKeyPEM()
	require.NoError(t, err)
	out := filepath.Join(r.dir, "app.vsa.json")
	code, d, errs = r.eval(t, good, "--vsa-out", out, "--sign-key", r.write(t, "ci.key", string(priv)))
	require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	_, err = vsa.VerifyBundle(b, key.Public(), "sha256:"+hexOf(good))
	require.NoError(t, err)
	r.attach(t, good, out)
	// Under a registry that neither requires summaries nor names their
	// keys, eval reads the VSA referrer (an input of kind vsa) and does
	// not judge it.
	code, d, errs = r.eval(t, good)
	require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
	var vsaInputs []string
	for _, in := range d.Inputs {
		if in.Kind == policy.KindVSA {
			vsaInputs = append(vsaInputs, in.Path)
		}
	}
	require.Len(t, vsaInputs, 1, "%+v", d.Inputs)
	assert.Contains(t, vsaInputs[0], r.reg.Host+"/acme/app@sha256:")
	assert.NotContains(t, errs, "listed, not judged")

	// Missing provenance.
	noProv := r.reg.PushImage(t, "acme/app", "no-provenance")
	r.attach(t, noProv, sbomOf(noProv))
	code, d, _ = r.eval(t, noProv)
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "provenance.present"), "%v", ruleList(d))

	// Missing SBOM.
	noSBOM := r.reg.PushImage(t, "acme/app", "no-sbom")
	r.attach(t, noSBOM, r.write(t, "p2.json", string(ociProvenance(t, r.key, hexOf(noSBOM)))))
	code, d, _ = r.eval(t, noSBOM)
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "sbom.present"), "%v", ruleList(d))

	// Provenance made for another digest, attached to this image.
	other := r.reg.PushImage(t, "acme/app", "other")
	r.attach(t, other, sbomOf(other), r.write(t, "p3.json", string(ociProvenance(t, r.key, hexOf(good)))))
	code, d, _ = r.eval(t, other)
	require.Equal(t, 1, code, "%v", ruleList(d))
	assert.True(t, hasRule(d, "provenance."), "%v", ruleList(d))

	// Signed by another key.
	stranger := r.reg.PushImage(t, "acme/app", "stranger")
	r.attach(t, stranger, sbomOf(stranger), r.write(t, "p4.json", string(ociProvenance(t, trusttest.NewKey(t, "ecdsa"), hexOf(stranger)))))
	code, d, _ = r.eval(t, stranger)
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "provenance.signed"), "%v", ruleList(d))

	// Tampered: the statement changed after signing.
	tampered := r.reg.PushImage(t, "acme/app", "tampered")
	b = ociProvenance(t, r.key, hexOf(tampered))
	var bundle map[string]any
	require.NoError(t, json.Unmarshal(b, &bundle))
	env := bundle["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	require.NoError(t, err)
	env["payload"] = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte("refs/tags/v1.2.3"), []byte("refs/tags/v9.9.9"), 1))
	tb, _ := json.Marshal(bundle)
	r.attach(t, tampered, sbomOf(tampered), r.write(t, "p5.json", string(tb)))
	code, d, _ = r.eval(t, tampered)
	require.Equal(t, 1, code, "%v", ruleList(d))

	// Local evidence combines with --image and is judged with it: a
	// local provenance signed by another key denies the good image.
	code, d, _ = r.eval(t, good, "--provenance", r.write(t, "local.json", string(ociProvenance(t, trusttest.NewKey(t, "ecdsa"), hexOf(good)))))
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "provenance.signed"), "%v", ruleList(d))

	// An SBOM attested with the release key (cosign attest --type
	// cyclonedx --key) is read from its bundle, after it verified.
	attested := r.reg.PushImage(t, "acme/app", "attested-sbom")
	attestSBOM := func(k *trusttest.Key, name string) string {
		st := trusttest.Statement(t, "https://cyclonedx.org/bom", json.RawMessage(ociSBOM(hexOf(attested))), map[string]string{"app": hexOf(attested)})
		return r.write(t, name, string(k.DSSEBundle(t, trusttest.InTotoPayloadType, st)))
	}
	r.attach(t, attested, attestSBOM(r.key, "sbom.att.json"), r.write(t, "p6.json", string(ociProvenance(t, r.key, hexOf(attested)))))
	code, d, errs = r.eval(t, attested)
	require.NotNil(t, d, errs)
	for _, f := range d.Findings {
		assert.False(t, strings.HasPrefix(f.Rule, "sbom.") || strings.HasPrefix(f.Rule, "provenance."), "%s: %s", f.Rule, f.Message)
	}
	var sbomInputs int
	for _, in := range d.Inputs {
		if in.Kind == policy.KindSBOM {
			sbomInputs++
			assert.Contains(t, in.Path, r.reg.Host+"/acme/app@sha256:")
		}
	}
	assert.Equal(t, 1, sbomInputs, "%+v", d.Inputs)
	// The same SBOM attested with a key the registry does not list.
	strangerSBOM := r.reg.PushImage(t, "acme/app", "stranger-sbom")
	r.attach(t, strangerSBOM, attestSBOM(trusttest.NewKey(t, "ecdsa"), "sbom.stranger.json"), r.write(t, "p7.json", string(ociProvenance(t, r.key, hexOf(strangerSBOM)))))
	code, d, _ = r.eval(t, strangerSBOM)
	require.Equal(t, 1, code, "%v", ruleList(d))
	assert.True(t, hasRule(d, "sbom.evidence"), "%v", ruleList(d))

	// A tag without a digest is refused.
	code, _, errs = r.eval(t, r.reg.Host+"/acme/app:latest")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "not pinned by digest")

	// A stopped registry: exit 2, "could not reach", not a denial.
	r.reg.Stop()
	code, _, errs = r.eval(t, good)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "could not reach evidence")
	assert.Contains(t, errs, "oci.unreachable")
}

// TestEvalImageVSA: a repo that requires a verification summary accepts
// an image only with a summary among its referrers that verifies against
// the registry's vsa.keys, for this image's digest and repo, fresh and
// PASSED.
func TestEvalImageVSA(t *testing.T) {
	r := newOCIRelease(t, ocitest.Options{})
	ci, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	priv, err := ci.MarshalPrivateKeyPEM()
	require.NoError(t, err)
	signKey := r.write(t, "ci.key", string(priv))
	stranger, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	spriv, err := stranger.MarshalPrivateKeyPEM()
	require.NoError(t, err)
	strangerKey := r.write(t, "stranger.key", string(spriv))
	provPEM, err := json.Marshal(string(r.key.PEM(t)))
	require.NoError(t, err)
	vsaPEM, err := json.Marshal(string(ci.Public().MarshalPEM()))
	require.NoError(t, err)
	ciRegistry := r.registry
	deploy := r.write(t, "deploy.cue", `org: referrers: require: ["application/vnd.cyclonedx+json", "application/vnd.dev.sigstore.bundle.v0.3+json"]
repos: "acme/app": {require: ["checksums", "vsa"], provenance: keys: [`+string(provPEM)+`], vsa: {keys: [`+string(vsaPEM)+`], max_age: "72h"}}`)

	// summary runs CI's eval of image (SBOM and provenance attached) and
	// writes its signed summary with key.
	summary := func(image, key string) string {
		t.Helper()
		r.attach(t, image, r.write(t, "sbom-"+hexOf(image)+".json", ociSBOM(hexOf(image))), r.write(t, "prov-"+hexOf(image)+".json", string(ociProvenance(t, r.key, hexOf(image)))))
		out := filepath.Join(r.dir, hexOf(image)+"-"+filepath.Base(key)+".vsa.json")
		r.registry = ciRegistry
		code, d, errs := r.eval(t, image, "--vsa-out", out, "--sign-key", key)
		require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
		r.registry = deploy
		return out
	}
	deployEval := func(image string, extra ...string) (int, *policy.Decision) {
		t.Helper()
		r.registry = deploy
		code, d, errs := r.eval(t, image, extra...)
		require.NotEqual(t, 2, code, errs)
		return code, d
	}
	finding := func(d *policy.Decision, rule string) string {
		for _, f := range d.Findings {
			if f.Rule == rule {
				return f.Message
			}
		}
		return ""
	}

	good := r.reg.PushImage(t, "acme/app", "good")
	r.attach(t, good, summary(good, signKey))
	code, d := deployEval(good)
	require.Equal(t, 0, code, "%v", ruleList(d))

	// No summary attached.
	none := r.reg.PushImage(t, "acme/app", "none")
	code, d = deployEval(none)
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "vsa.present"), "%v", ruleList(d))

	// Signed by a key the registry does not name.
	foreign := r.reg.PushImage(t, "acme/app", "foreign")
	r.attach(t, foreign, summary(foreign, strangerKey))
	code, d = deployEval(foreign)
	require.Equal(t, 1, code)
	assert.Contains(t, finding(d, "vsa.accepted"), "not signed by a trusted key")

	// The good image's summary, attached to another image.
	copied := r.reg.PushImage(t, "acme/app", "copied")
	goodVSA, err := os.ReadFile(summary(good, signKey))
	require.NoError(t, err)
	r.attach(t, copied, r.write(t, "copied.vsa.json", string(goodVSA)))
	code, d = deployEval(copied)
	require.Equal(t, 1, code)
	assert.Contains(t, finding(d, "vsa.accepted"), "about sha256:"+hexOf(good))

	// Tampered after signing: the claims are never read.
	tampered := r.reg.PushImage(t, "acme/app", "tampered")
	b, err := os.ReadFile(summary(tampered, signKey))
	require.NoError(t, err)
	var bundle map[string]any
	require.NoError(t, json.Unmarshal(b, &bundle))
	env := bundle["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	require.NoError(t, err)
	env["payload"] = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte("acme/app"), []byte("acme/apq"), 1))
	tb, _ := json.Marshal(bundle)
	tamperedOnly := r.reg.PushImage(t, "acme/app", "tampered-only")
	r.attach(t, tamperedOnly, r.write(t, "tampered.vsa.json", string(tb)))
	code, d = deployEval(tamperedOnly)
	require.Equal(t, 1, code)
	assert.Contains(t, finding(d, "vsa.accepted"), "not signed by a trusted key", "%v", ruleList(d))

	// Too old for the deploy-time registry (72h), and from the future.
	code, d = deployEval(good, "--now", "2026-12-05T00:00:00Z")
	require.Equal(t, 1, code)
	assert.Contains(t, finding(d, "vsa.accepted"), "168h0m0s old, max 72h")
	code, d = deployEval(good, "--now", "2026-11-27T00:00:00Z")
	require.Equal(t, 1, code)
	assert.True(t, hasRule(d, "vsa.evidence"), "%v", ruleList(d))
	assert.Contains(t, finding(d, "vsa.accepted"), "in the future")

	// A local --vsa file is judged the same way.
	code, d = deployEval(none, "--vsa", r.write(t, "local.vsa.json", string(goodVSA)))
	require.Equal(t, 1, code)
	assert.Contains(t, finding(d, "vsa.accepted"), "about sha256:"+hexOf(good))
}

func TestEvalImageAuth(t *testing.T) {
	r := newOCIRelease(t, ocitest.Options{Auth: true, User: "ci", Password: "pw-" + t.Name()})
	image := r.reg.PushImage(t, "acme/app", "good")
	r.attach(t, image, r.write(t, "sbom.cdx.json", ociSBOM(hexOf(image))), r.write(t, "prov.json", string(ociProvenance(t, r.key, hexOf(image)))))
	code, d, errs := r.eval(t, image, "--registry-config", r.reg.DockerConfig(t))
	require.Equal(t, 0, code, "%v %s", ruleList(d), errs)
	code, _, errs = r.eval(t, image)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "oci.unauthorized")
}
