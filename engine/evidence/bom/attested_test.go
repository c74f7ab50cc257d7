package bom_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const (
	attestedCDX = `{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"type":"container","name":"ghcr.io/acme/api"}},` +
		`"components":[{"type":"library","name":"left-pad","version":"1.0","purl":"pkg:npm/left-pad@1.0"},{"type":"library","name":"bad","purl":"not a purl"}]}`
	attestedSPDX = `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"api","dataLicense":"CC0-1.0","documentNamespace":"https://example.com/api",` +
		`"creationInfo":{"created":"2026-11-01T00:00:00Z","creators":["Tool: syft"]},"packages":[{"SPDXID":"SPDXRef-p","name":"left-pad","versionInfo":"1.0","downloadLocation":"NOASSERTION"}]}`
	imageHex = "1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"
	release  = "https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1"
	actions  = "https://token.actions.githubusercontent.com"
)

func statement(t *testing.T, predicateType, predicate string, digests ...string) []byte {
	t.Helper()
	var subjects []map[string]any
	for _, d := range digests {
		subjects = append(subjects, map[string]any{"name": "ghcr.io/acme/api", "digest": map[string]string{"sha256": d}})
	}
	b, err := json.Marshal(map[string]any{
		"_type": "https://in-toto.io/Statement/v1", "subject": subjects,
		"predicateType": predicateType, "predicate": json.RawMessage(predicate),
	})
	require.NoError(t, err)
	return b
}

// keyedEnvelope is a bare DSSE envelope of payload signed by k, as cosign
// attest --key writes one without --new-bundle-format.
func keyedEnvelope(t *testing.T, k *trusttest.Key, payload []byte) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"payloadType": trusttest.InTotoPayloadType,
		"payload":     base64.StdEncoding.EncodeToString(payload),
		"signatures":  []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(k.Sign(t, trusttest.PAE(trusttest.InTotoPayloadType, payload)))}},
	})
	require.NoError(t, err)
	return b
}

func trustOf(o trust.Options) bom.TrustFunc {
	return func() (trust.Options, error) { return o, nil }
}

// TestParseAttested: an SBOM that comes as the predicate of a signed
// in-toto attestation is read only after its signature verified, with its
// signer and the subjects its statement binds it to; every way it can be
// bad is an error that names the field, never a document.
func TestParseAttested(t *testing.T) {
	s := trusttest.New(t)
	keyless := trust.Options{Root: s.Root}
	at := time.Now().Add(5 * time.Minute)

	t.Run("keyless bundle, CycloneDX", func(t *testing.T) {
		b := s.DSSEBundle(t, release, actions, statement(t, "https://cyclonedx.org/bom", attestedCDX, imageHex), trusttest.BundleOptions{IntegratedTime: at})
		doc, err := bom.Parse(b, bom.Options{Trust: trustOf(keyless)})
		require.NoError(t, err)
		assert.Equal(t, bom.FormatCycloneDXJSON, doc.Format)
		require.Len(t, doc.Components, 2)
		assert.Equal(t, "pkg:npm/left-pad@1.0", doc.Components[0].PURL)
		require.Len(t, doc.Issues, 1)
		assert.True(t, strings.HasPrefix(doc.Issues[0].Path, "payload.predicate.components"), doc.Issues[0].Path)
		a := doc.Attestation
		require.NotNil(t, a)
		assert.Equal(t, bom.AttestedBundle, a.Format)
		assert.Equal(t, []string{"sha256:" + imageHex}, a.SubjectDigests)
		assert.False(t, a.Keyed)
		assert.Equal(t, release, a.SAN)
		assert.Equal(t, actions, a.Issuer)
		require.NotEmpty(t, a.Timestamps)
		assert.WithinDuration(t, at, a.Timestamps[0].Time, time.Second)
	})
	t.Run("keyed envelope, SPDX", func(t *testing.T) {
		k := trusttest.NewKey(t, "ecdsa")
		pk, err := trust.ParsePublicKey(k.PEM(t))
		require.NoError(t, err)
		env := keyedEnvelope(t, k, statement(t, "https://spdx.dev/Document/v2.3", attestedSPDX, imageHex, strings.Repeat("a", 64)))
		doc, err := bom.Parse(env, bom.Options{Trust: trustOf(trust.Options{Root: s.Root, Keys: []*trust.PublicKey{pk}})})
		require.NoError(t, err)
		assert.Equal(t, bom.FormatSPDXJSON, doc.Format)
		require.NotNil(t, doc.Attestation)
		assert.True(t, doc.Attestation.Keyed)
		assert.Equal(t, bom.AttestedDSSE, doc.Attestation.Format)
		assert.Equal(t, []string{"sha256:" + imageHex, "sha256:" + strings.Repeat("a", 64)}, doc.Attestation.SubjectDigests)
		assert.Equal(t, "payload.predicate.creationInfo.created", doc.CreatedField)

		other := trusttest.NewKey(t, "ecdsa")
		opk, err := trust.ParsePublicKey(other.PEM(t))
		require.NoError(t, err)
		_, err = bom.Parse(env, bom.Options{Trust: trustOf(trust.Options{Root: s.Root, Keys: []*trust.PublicKey{opk}})})
		require.Error(t, err, "signed by a key the registry does not list")
		assert.Contains(t, err.Error(), "signatures")
	})

	bad := []struct {
		name, want string
		data       func(t *testing.T) []byte
		opts       bom.Options
	}{
		{"no trust material", "no trust material", func(t *testing.T) []byte {
			return s.DSSEBundle(t, release, actions, statement(t, "https://cyclonedx.org/bom", attestedCDX, imageHex), trusttest.BundleOptions{IntegratedTime: at})
		}, bom.Options{}},
		{"another sigstore's root", "verificationMaterial", func(t *testing.T) []byte {
			return s.DSSEBundle(t, release, actions, statement(t, "https://cyclonedx.org/bom", attestedCDX, imageHex), trusttest.BundleOptions{IntegratedTime: at})
		}, bom.Options{Trust: trustOf(trust.Options{Root: trusttest.New(t).Root})}},
		{"tampered payload", "verificationMaterial", func(t *testing.T) []byte {
			b := s.DSSEBundle(t, release, actions, statement(t, "https://cyclonedx.org/bom", attestedCDX, imageHex), trusttest.BundleOptions{IntegratedTime: at})
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			env := m["dsseEnvelope"].(map[string]any)
			env["payload"] = base64.StdEncoding.EncodeToString(statement(t, "https://cyclonedx.org/bom", attestedCDX, strings.Repeat("b", 64)))
			out, err := json.Marshal(m)
			require.NoError(t, err)
			return out
		}, bom.Options{Trust: trustOf(keyless)}},
		{"not an SBOM predicate", "payload.predicateType", func(t *testing.T) []byte {
			return s.DSSEBundle(t, release, actions, statement(t, "https://slsa.dev/provenance/v1", `{"buildDefinition":{}}`, imageHex), trusttest.BundleOptions{IntegratedTime: at})
		}, bom.Options{Trust: trustOf(keyless)}},
		{"predicate of the other format", "payload.predicateType", func(t *testing.T) []byte {
			return s.DSSEBundle(t, release, actions, statement(t, "https://spdx.dev/Document", attestedCDX, imageHex), trusttest.BundleOptions{IntegratedTime: at})
		}, bom.Options{Trust: trustOf(keyless)}},
		{"predicate that is no SBOM", "payload.predicate", func(t *testing.T) []byte {
			return s.DSSEBundle(t, release, actions, statement(t, "https://cyclonedx.org/bom", `{"hello":"world"}`, imageHex), trusttest.BundleOptions{IntegratedTime: at})
		}, bom.Options{Trust: trustOf(keyless)}},
		{"message signature", "messageSignature: attested sbom: the bundle holds a message signature", func(t *testing.T) []byte {
			return s.MessageBundle(t, release, actions, []byte(attestedCDX), trusttest.BundleOptions{IntegratedTime: at})
		}, bom.Options{Trust: trustOf(keyless)}},
		{"not a bundle", "attested sbom", func(t *testing.T) []byte {
			return []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":7}`)
		}, bom.Options{Trust: trustOf(keyless)}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			doc, err := bom.Parse(c.data(t), c.opts)
			require.Error(t, err)
			assert.Nil(t, doc)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
