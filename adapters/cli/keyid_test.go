package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

// TestKeygenPrintsTheOneKeyIDForm: keygen prints the id verify signature,
// verify provenance and the decision's key_id facts use (hex), not the
// base64 bundle hint.
func TestKeygenPrintsTheOneKeyIDForm(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := run(t, "keygen", "--out", filepath.Join(dir, "k"))
	require.Equal(t, 0, code, stderr)
	pemBytes, err := os.ReadFile(filepath.Join(dir, "k.pub"))
	require.NoError(t, err)
	tk, err := trust.ParsePublicKey(pemBytes)
	require.NoError(t, err)
	vk, err := vsa.LoadPublicKey(pemBytes)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(stdout, "key id "+tk.ID+")\n"), stdout)
	assert.NotContains(t, stdout, vk.ID())
	assert.Equal(t, tk.ID, keyID(vk))
}
