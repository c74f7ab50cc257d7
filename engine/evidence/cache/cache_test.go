package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/blake3"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

func b3(s string) string {
	h := blake3.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func s256(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// writeCache writes files under a temp dir and a manifest listing them.
func writeCache(t *testing.T, alg string, files map[string]string) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	var entries []map[string]any
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		d := b3(content)
		if alg == SHA256 {
			d = s256(content)
		}
		entries = append(entries, map[string]any{"path": name, "size": len(content), alg: d})
	}
	b, err := json.Marshal(map[string]any{"version": 1, "cache_dir": "~/.cache/pip", "entry_count": len(entries), "algorithm": alg, "entries": entries})
	require.NoError(t, err)
	return dir, b
}

func TestBlake3KnownAnswer(t *testing.T) {
	// BLAKE3 of the empty input, from the reference test vectors.
	assert.Equal(t, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", b3(""))
}

func TestCheck(t *testing.T) {
	files := map[string]string{"a.whl": "wheel bytes", "sub/dir/b.tar.gz": "tarball"}
	tests := []struct {
		name       string
		alg        string
		mutate     func(t *testing.T, dir string)
		verified   int
		missing    []string
		mismatched []string
		unlisted   []string
	}{
		{name: "clean blake3", alg: BLAKE3, verified: 2},
		{name: "clean sha256", alg: SHA256, verified: 2},
		{name: "one extra unlisted file", alg: BLAKE3, verified: 2, unlisted: []string{"sub/injected.py"},
			mutate: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "injected.py"), []byte("evil"), 0o600))
			}},
		{name: "missing file", alg: BLAKE3, verified: 1, missing: []string{"a.whl"},
			mutate: func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "a.whl"))) }},
		{name: "tampered file", alg: SHA256, verified: 1, mismatched: []string{"sub/dir/b.tar.gz"},
			mutate: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "dir", "b.tar.gz"), []byte("tarbalL"), 0o600))
			}},
		{name: "listed file replaced by symlink", alg: BLAKE3, verified: 1, mismatched: []string{"a.whl"},
			mutate: func(t *testing.T, dir string) {
				outside := filepath.Join(t.TempDir(), "x")
				require.NoError(t, os.WriteFile(outside, []byte("wheel bytes"), 0o600))
				require.NoError(t, os.Remove(filepath.Join(dir, "a.whl")))
				require.NoError(t, os.Symlink(outside, filepath.Join(dir, "a.whl")))
			}},
		{name: "unlisted symlinked directory is not followed", alg: BLAKE3, verified: 2, unlisted: []string{"escape"},
			mutate: func(t *testing.T, dir string) {
				outside := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600))
				require.NoError(t, os.Symlink(outside, filepath.Join(dir, "escape")))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, mb := writeCache(t, tt.alg, files)
			if tt.mutate != nil {
				tt.mutate(t, dir)
			}
			m, err := ParseManifest(mb)
			require.NoError(t, err)
			res, err := Check(dir, m)
			require.NoError(t, err)
			assert.Equal(t, 2, res.Listed)
			assert.Equal(t, tt.verified, res.Verified)
			var miss, mism, unl []string
			for _, x := range res.Missing {
				miss = append(miss, x.Path)
			}
			for _, x := range res.Mismatched {
				mism = append(mism, x.Path)
				assert.NotEmpty(t, x.Reason)
			}
			for _, x := range res.Unlisted {
				unl = append(unl, x.Path)
			}
			assert.Equal(t, tt.missing, miss)
			assert.Equal(t, tt.mismatched, mism)
			assert.Equal(t, tt.unlisted, unl)
		})
	}
}

func TestCheckMissingDir(t *testing.T) {
	_, err := Check(filepath.Join(t.TempDir(), "nope"), &Manifest{Algorithm: BLAKE3})
	require.Error(t, err)
}

func TestParseManifestErrors(t *testing.T) {
	h := b3("x")
	tests := []struct {
		name   string
		in     string
		fatal  bool
		fields []string
		kept   int
	}{
		{name: "bad json", in: `{`, fatal: true},
		{name: "bad algorithm", in: `{"version":1,"algorithm":"md5","entries":[]}`, fatal: true, fields: []string{"algorithm"}},
		{name: "no entries", in: `{"version":1,"algorithm":"blake3"}`, fatal: true, fields: []string{"entries"}},
		{name: "bad entries", in: `{"version":1,"algorithm":"blake3","entry_count":8,"entries":[
{"path":"../escape","blake3":"` + h + `"},
{"path":"/abs","blake3":"` + h + `"},
{"path":"ok","blake3":"` + h + `"},
{"path":"./ok","blake3":"` + h + `"},
{"path":"short","blake3":"abc"},
{"path":"neg","size":-1,"blake3":"` + h + `"},
{"path":"a//b","blake3":"` + h + `"}]}`,
			fields: []string{"entries[0].path", "entries[1].path", "entries[3].path", "entries[4].blake3", "entries[5].size", "entries[6].path", "entry_count"}, kept: 1},
		{name: "sha256 key required", in: `{"version":1,"algorithm":"sha256","entries":[{"path":"a","blake3":"` + h + `"}]}`, fields: []string{"entries[0].sha256"}},
		{name: "missing version", in: `{"algorithm":"sha256","entries":[]}`, fields: []string{"version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tt.in))
			require.Error(t, err)
			if tt.fatal {
				assert.Nil(t, m)
			} else {
				require.NotNil(t, m)
				assert.Len(t, m.Entries, tt.kept)
			}
			if tt.fields == nil {
				return
			}
			var got []string
			var errs []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			} else {
				errs = []error{err}
			}
			for _, e := range errs {
				var fe *parse.Error
				require.True(t, errors.As(e, &fe), e.Error())
				got = append(got, fe.Path)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
}

func TestVerifySignature(t *testing.T) {
	ss := trusttest.New(t)
	manifest := []byte(`{"version":1,"algorithm":"blake3","entries":[]}`)
	own := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1"
	tests := []struct {
		name     string
		bundle   []byte
		verified bool
	}{
		{name: "signed", bundle: ss.MessageBundle(t, own, trust.GitHubActionsIssuer, manifest, trusttest.BundleOptions{}), verified: true},
		{name: "other bytes", bundle: ss.MessageBundle(t, own, trust.GitHubActionsIssuer, []byte("something else"), trusttest.BundleOptions{})},
		{name: "garbage", bundle: []byte(`{"mediaType":"nope"}`)},
		{name: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := VerifySignature(manifest, tt.bundle, trust.Options{Root: ss.Root})
			assert.Equal(t, tt.bundle != nil, s.Given)
			assert.Equal(t, tt.verified, s.Verified, s.Error)
			if !tt.verified {
				assert.NotEmpty(t, s.Error)
				assert.Empty(t, s.SAN)
				return
			}
			// The signer is reported for rego/cache.rego to judge, with
			// the certificate's Fulcio extensions.
			assert.Equal(t, own, s.SAN)
			assert.Equal(t, trust.GitHubActionsIssuer, s.Issuer)
			assert.Equal(t, "https://github.com/acme/app", s.Claims.SourceRepositoryURI)
			assert.Equal(t, "refs/tags/v1", s.Claims.SourceRepositoryRef)
		})
	}
	// The embedded public-good root does not trust the virtual CA.
	s := VerifySignature(manifest, ss.MessageBundle(t, own, trust.GitHubActionsIssuer, manifest, trusttest.BundleOptions{}), trust.Options{})
	assert.False(t, s.Verified)
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":1,"algorithm":"blake3","entry_count":1,"entries":[{"path":"a","size":1,"blake3":"` + b3("a") + `"}]}`))
	f.Add([]byte(`{"version":"1","algorithm":"sha256","entries":[{"path":"./x/../y","sha256":"00"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, _ := ParseManifest(b)
		if m == nil {
			return
		}
		for _, e := range m.Entries {
			if _, ok := cleanPath(e.Path); !ok || len(e.Digest) != 64 {
				t.Fatalf("kept a bad entry %+v", e)
			}
		}
	})
}
