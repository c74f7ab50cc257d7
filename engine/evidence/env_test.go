package evidence_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/policy"
)

func TestReadFileSharedPerEval(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sbom.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"bomFormat":"CycloneDX"}`), 0o600))
	var mu sync.Mutex
	opens := 0
	cache := evidence.NewCache(func(name string) (fs.File, error) {
		mu.Lock()
		opens++
		mu.Unlock()
		return os.Open(name)
	})
	a := &evidence.Env{Cache: cache}
	b := &evidence.Env{Cache: cache}
	parses := 0
	parse := func(b []byte) any { parses++; return len(b) }
	va, err := a.Parsed(policy.KindSBOM, "", p, "test", parse)
	require.NoError(t, err)
	vb, err := b.Parsed(policy.KindSBOM, "", p, "test", parse)
	require.NoError(t, err)
	_, err = b.ReadFile(policy.KindSBOM, "", p)
	require.NoError(t, err)
	assert.Equal(t, 1, opens, "one open per evaluation")
	assert.Equal(t, 1, parses, "one parse per evaluation and namespace")
	assert.Equal(t, va, vb)
	// Each Env still records its own input, with the digest of the bytes.
	require.Len(t, a.Inputs(), 1)
	require.Len(t, b.Inputs(), 2)
	assert.Equal(t, a.Inputs()[0].Digest, b.Inputs()[0].Digest)
	assert.Len(t, a.Inputs()[0].Digest["sha256"], 64)

	// Another evaluation (another cache) reads again.
	c := &evidence.Env{Cache: evidence.NewCache(nil)}
	_, err = c.ReadFile(policy.KindSBOM, "", p)
	require.NoError(t, err)
	assert.Equal(t, 1, opens)
}

func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(p, make([]byte, 101), 0o600))
	env := &evidence.Env{MaxFileSize: 100, Cache: evidence.NewCache(nil)}
	_, err := env.ReadFile(policy.KindSBOM, "", p)
	require.ErrorIs(t, err, evidence.ErrTooLarge)
	assert.Empty(t, env.Inputs(), "a file that is not read is no input")

	// Fetched bytes (Item.Data) are bounded and recorded the same way,
	// and never opened.
	env = &evidence.Env{MaxFileSize: 100, Cache: evidence.NewCache(func(string) (fs.File, error) {
		return nil, errors.New("opened")
	}), Evidence: []evidence.Item{
		{Kind: policy.KindSBOM, Path: "oci://x", Data: []byte("small")},
		{Kind: policy.KindVEX, Path: "oci://y", Data: make([]byte, 101)},
	}}
	b, err := env.ReadFile(policy.KindSBOM, "", "oci://x")
	require.NoError(t, err)
	assert.Equal(t, "small", string(b))
	_, err = env.ReadFile(policy.KindVEX, "", "oci://y")
	require.ErrorIs(t, err, evidence.ErrTooLarge)
	_, err = env.ReadFile(policy.KindVEX, "", "oci://x")
	require.ErrorContains(t, err, "opened", "Data is matched by kind, role and path")
}

func TestReadFileProblem(t *testing.T) {
	// A fetched item the adapter could not use reads as its problem, even
	// with bytes beside it, and is no input; nothing is opened.
	env := &evidence.Env{Cache: evidence.NewCache(func(string) (fs.File, error) {
		return nil, errors.New("opened")
	}), Evidence: []evidence.Item{
		{Kind: policy.KindSBOM, Path: "oci://x", Data: []byte("forged"), Problem: "blob digest mismatch"},
	}}
	_, err := env.ReadFile(policy.KindSBOM, "", "oci://x")
	require.EqualError(t, err, "blob digest mismatch")
	assert.Empty(t, env.Inputs())
	_, err = env.ReadFile(policy.KindVEX, "", "oci://x")
	require.ErrorContains(t, err, "opened", "Problem is matched by kind, role and path")
}
