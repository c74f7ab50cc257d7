package engine_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// TestAttestedSBOMEndToEnd: `hubgate eval --sbom` reads an SBOM attested as
// cosign attest --type cyclonedx writes it (a sigstore bundle of an in-toto
// statement whose predicate is the SBOM): it is judged like a plain one once
// its signature verified, bound by the statement's subjects, and its signer
// judged as every signed kind's. Each way it can be bad denies, by the rule
// that names it.
func TestAttestedSBOMEndToEnd(t *testing.T) {
	r := newSigningRelease(t, `repos: "acme/app": {require: ["checksums", "sbom"]}`)
	digest := hexSHA(r.art)
	// The SBOM's own metadata.component names no digest: the statement's
	// subject is what binds it.
	var cdx map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"type":"file","name":"somewhere-else"}},"components":[{"type":"library","name":"left-pad","version":"1.0","purl":"pkg:npm/left-pad@1.0"}]}`), &cdx))
	att := func(t *testing.T, name, san string, subjectDigest string, o trusttest.BundleOptions) string {
		st := trusttest.Statement(t, "https://cyclonedx.org/bom", cdx, map[string]string{"app.tar.gz": subjectDigest})
		return r.write(t, name, r.ss.DSSEBundle(t, san, sigIssuer, st, o))
	}

	good := att(t, "app.cdx.sigstore.json", sigSAN, digest, trusttest.BundleOptions{})
	code, d, errs := r.eval(t, "--sbom", good)
	require.Equal(t, 0, code, "findings: %v %s", ruleIDs(d), errs)
	var sbomInput bool
	for _, in := range d.Inputs {
		if in.Kind == policy.KindSBOM && strings.HasSuffix(in.Path, "app.cdx.sigstore.json") {
			sbomInput = true
		}
	}
	assert.True(t, sbomInput, "the attested SBOM is an input: %+v", d.Inputs)

	negatives := []struct {
		name, rule, want string
		file             func(t *testing.T) string
		args             []string
	}{
		{"attested by another identity", "sbom.signer", "evil/app", func(t *testing.T) string {
			return att(t, "evil.json", "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1", digest, trusttest.BundleOptions{})
		}, nil},
		{"attested for another digest", "sbom.describes_subject", "none of them a release subject", func(t *testing.T) string {
			return att(t, "other.json", sigSAN, strings.Repeat("0", 64), trusttest.BundleOptions{})
		}, nil},
		// The virtual log signs five minutes after the wall clock.
		{"signed after --now", "sbom.evidence", "after the evaluation time", func(t *testing.T) string {
			return good
		}, []string{"--now", time.Now().UTC().Format(time.RFC3339)}},
		{"tampered statement", "sbom.evidence", "attested sbom: not verified", func(t *testing.T) string {
			var m map[string]any
			require.NoError(t, json.Unmarshal(r.ss.DSSEBundle(t, sigSAN, sigIssuer, trusttest.Statement(t, "https://cyclonedx.org/bom", cdx, map[string]string{"app.tar.gz": strings.Repeat("0", 64)}), trusttest.BundleOptions{}), &m))
			good := map[string]any{}
			b := r.ss.DSSEBundle(t, sigSAN, sigIssuer, trusttest.Statement(t, "https://cyclonedx.org/bom", cdx, map[string]string{"app.tar.gz": digest}), trusttest.BundleOptions{})
			require.NoError(t, json.Unmarshal(b, &good))
			// The payload of one signed statement under another's signature.
			m["dsseEnvelope"].(map[string]any)["payload"] = good["dsseEnvelope"].(map[string]any)["payload"]
			out, err := json.Marshal(m)
			require.NoError(t, err)
			return r.write(t, "tampered.json", out)
		}, nil},
	}
	for _, c := range negatives {
		t.Run(c.name, func(t *testing.T) {
			code, d, errs := r.eval(t, append([]string{"--sbom", c.file(t)}, c.args...)...)
			require.Equal(t, 1, code, "findings: %v %s", ruleIDs(d), errs)
			assert.False(t, d.Allowed)
			f := findRule(d, c.rule)
			require.NotNil(t, f, "want %s in %v", c.rule, ruleIDs(d))
			assert.Contains(t, f.Message+" "+f.Actual, c.want)
		})
	}
}
