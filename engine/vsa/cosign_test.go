package vsa_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/vsa"
)

// TestCosignV3VSA: a summary signed by cosign v3.1.3 itself
// (`cosign attest-blob --new-bundle-format`, keyed, no log: see
// fixtures/attestations/cosign/README.md) verifies like hubgate's own, with
// the same key and digest checks.
func TestCosignV3VSA(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "attestations", "cosign")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return b
	}
	pub, err := vsa.LoadPublicKey(read("cosign.pub"))
	require.NoError(t, err)
	other, err := vsa.LoadPublicKey(read("other.pub"))
	require.NoError(t, err)
	const digest = "sha256:fe7158b4bd93a79eff107674c92c2b723d89723fd41ac5c3aba9f51f8136aed5"
	bundle := read("cosign-vsa.sigstore.json")

	s, err := vsa.VerifyBundle(bundle, pub, digest)
	require.NoError(t, err)
	assert.Equal(t, "PASSED", s.Result)
	assert.Equal(t, "jguida941/ci-cd-hub", s.Repo)

	_, err = vsa.VerifyBundle(bundle, other, digest)
	assert.ErrorContains(t, err, "signature does not verify", "another key")
	_, err = vsa.VerifyBundle(bundle, pub, "sha256:0000000000000000000000000000000000000000000000000000000000000000")
	assert.Error(t, err, "another digest")
	// cosign's provenance attestation is not a summary.
	_, err = vsa.VerifyBundle(read("cosign-provenance.sigstore.json"), pub, digest)
	assert.Error(t, err, "a provenance statement is not a VSA")
}
