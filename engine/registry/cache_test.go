package registry

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadCounting loads path with the cache in dir and reports whether CUE ran.
func loadCounting(t *testing.T, path, dir string) (*Registry, bool) {
	t.Helper()
	before := cueBuilds.Load()
	r, err := LoadPath(path, WithCache(dir))
	require.NoError(t, err)
	return r, cueBuilds.Load() != before
}

func threshold(t *testing.T, r *Registry) float64 {
	t.Helper()
	rp, err := r.Repo("acme/app")
	require.NoError(t, err)
	v, _ := rp.Data["vulnerabilities"].(map[string]any)["cvss_threshold"].(float64)
	return v
}

// TestCacheServesUnchangedRegistry: the second load of an unchanged registry
// skips CUE and gives the same registry (entries, digest, sections); a
// changed file, even of the same size, is never served from the cache.
func TestCacheServesUnchangedRegistry(t *testing.T) {
	dir, cache := t.TempDir(), filepath.Join(t.TempDir(), "c")
	p := filepath.Join(dir, "r.cue")
	write := func(s string) { require.NoError(t, os.WriteFile(p, []byte(s), 0o644)) }
	write(`repos: "acme/app": {require: ["checksums", "sbom"], vulnerabilities: cvss_threshold: 6.5, waivers: [{rule: "sbom.present", reason: "r", owner: "o", expires: "2026-12-31"}]}`)

	want, err := LoadPath(p)
	require.NoError(t, err)
	r1, ran := loadCounting(t, p, cache)
	require.True(t, ran, "first load runs CUE")
	r2, ran := loadCounting(t, p, cache)
	require.False(t, ran, "unchanged registry: served from the cache")
	for _, r := range []*Registry{r1, r2} {
		assert.Equal(t, want.Digest(), r.Digest())
		assert.Equal(t, want.Names(), r.Names())
		assert.Equal(t, want.sections, r.sections)
		for _, n := range want.Names() {
			a, err := want.Repo(n)
			require.NoError(t, err)
			b, err := r.Repo(n)
			require.NoError(t, err)
			assert.Equal(t, a, b, n)
		}
	}

	// Same size, one digit changed: CUE runs and the new value is served.
	write(`repos: "acme/app": {require: ["checksums", "sbom"], vulnerabilities: cvss_threshold: 5.5, waivers: [{rule: "sbom.present", reason: "r", owner: "o", expires: "2026-12-31"}]}`)
	r3, ran := loadCounting(t, p, cache)
	require.True(t, ran, "a changed file is never served stale")
	assert.Equal(t, 5.5, threshold(t, r3))
	assert.NotEqual(t, r1.Digest(), r3.Digest())
	r4, ran := loadCounting(t, p, cache)
	require.False(t, ran)
	assert.Equal(t, 5.5, threshold(t, r4))

	// Back to the first content: its entry is still there.
	write(`repos: "acme/app": {require: ["checksums", "sbom"], vulnerabilities: cvss_threshold: 6.5, waivers: [{rule: "sbom.present", reason: "r", owner: "o", expires: "2026-12-31"}]}`)
	r5, _ := loadCounting(t, p, cache)
	assert.Equal(t, 6.5, threshold(t, r5))

	// An invalid registry is an error every time, cache or not.
	write(`repos: "acme/app": {require: ["checksums"], vulnerabilities: cvss_threshold: "high"}`)
	for range 2 {
		_, err := LoadPath(p, WithCache(cache))
		require.ErrorIs(t, err, ErrInvalid)
	}
}

// TestCacheFallsBackToCUE: a missing, corrupt, truncated, tampered or
// misplaced entry, and an unusable cache folder, are ignored: the registry
// loads through CUE with the right values.
func TestCacheFallsBackToCUE(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.cue")
	require.NoError(t, os.WriteFile(p, []byte(`repos: "acme/app": {require: ["checksums"], vulnerabilities: cvss_threshold: 6.5}`), 0o644))
	entry := func(t *testing.T, cache string) string {
		t.Helper()
		_, ran := loadCounting(t, p, cache)
		require.True(t, ran)
		ents, err := os.ReadDir(cache)
		require.NoError(t, err)
		require.Len(t, ents, 1)
		return filepath.Join(cache, ents[0].Name())
	}
	for _, tc := range []struct {
		name   string
		mangle func(t *testing.T, path string)
	}{
		{"missing", func(t *testing.T, path string) { require.NoError(t, os.Remove(path)) }},
		{"empty", func(t *testing.T, path string) { require.NoError(t, os.WriteFile(path, nil, 0o600)) }},
		{"garbage", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("\x00\xff not json\n{"), 0o600))
		}},
		{"truncated", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, b[:len(b)-10], 0o600))
		}},
		{"payload changed, sum not", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Contains(t, string(b), "6.5")
			require.NoError(t, os.WriteFile(path, []byte(replaceOnce(string(b), "6.5", "9.5")), 0o600))
		}},
		{"another key's entry", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			line, _, _ := cutLine(b)
			var h cacheHeader
			require.NoError(t, json.Unmarshal(line, &h))
			h.Key = "0000" + h.Key[4:]
			nl, err := json.Marshal(h)
			require.NoError(t, err)
			_, rest, _ := cutLine(b)
			require.NoError(t, os.WriteFile(path, append(append(nl, '\n'), rest...), 0o600))
		}},
		{"a directory in its place", func(t *testing.T, path string) {
			require.NoError(t, os.Remove(path))
			require.NoError(t, os.Mkdir(path, 0o700))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			e := entry(t, cache)
			tc.mangle(t, e)
			r, ran := loadCounting(t, p, cache)
			require.True(t, ran, "a bad entry is never used")
			assert.Equal(t, 6.5, threshold(t, r))
		})
	}
	t.Run("cache folder is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(f, []byte("x"), 0o600))
		for range 2 {
			r, ran := loadCounting(t, p, f)
			require.True(t, ran)
			assert.Equal(t, 6.5, threshold(t, r))
		}
	})
}

// TestCacheDefaultRegistry: the embedded default registry is cached too.
func TestCacheDefaultRegistry(t *testing.T) {
	cache := t.TempDir()
	want, err := LoadDefault()
	require.NoError(t, err)
	for i := range 2 {
		before := cueBuilds.Load()
		r, err := LoadDefault(WithCache(cache))
		require.NoError(t, err)
		assert.Equal(t, i == 0, cueBuilds.Load() != before)
		assert.Equal(t, want.Names(), r.Names())
		assert.Equal(t, want.Digest(), r.Digest())
	}
}

func cutLine(b []byte) (line, rest []byte, ok bool) {
	for i, c := range b {
		if c == '\n' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

func replaceOnce(s, old, repl string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + repl + s[i+len(old):]
		}
	}
	return s
}
