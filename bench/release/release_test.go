package release_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/bench/release"
)

// TestWriteIsDeterministic: two releases written apart are byte-identical,
// signatures included.
func TestWriteIsDeterministic(t *testing.T) {
	small := release.Sizes{Components: 50, Matches: 10, Statements: 5, Egress: 40, Allow: 10, Determinism: 8, SubjectBytes: 1000}
	a, b := t.TempDir(), t.TempDir()
	_, err := release.Write(a, small)
	require.NoError(t, err)
	_, err = release.Write(b, small)
	require.NoError(t, err)
	ents, err := os.ReadDir(a)
	require.NoError(t, err)
	require.Greater(t, len(ents), 10)
	for _, e := range ents {
		x, err := os.ReadFile(filepath.Join(a, e.Name()))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		require.NoError(t, err)
		require.True(t, bytes.Equal(x, y), e.Name())
	}
}
