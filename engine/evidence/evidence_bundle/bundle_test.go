package evidencebundle_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	evidencebundle "github.com/cicd-hub/hubgate/engine/evidence/evidence_bundle"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

const (
	ghIssuer = "https://token.actions.githubusercontent.com"
	ghSAN    = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// evidenceDir writes files into a new directory and returns it with a
// manifest listing them.
func evidenceDir(t *testing.T, files map[string]string) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	type entry struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	}
	var entries []entry
	for _, name := range []string{"sbom.json", "sub/report.txt", "vex.json"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		entries = append(entries, entry{Path: name, SHA256: sha([]byte(body)), Size: len(body)})
	}
	m, err := json.Marshal(map[string]any{"version": "1.0", "timestamp": "2026-11-28T00:00:00Z", "files": entries})
	require.NoError(t, err)
	return dir, m
}

var three = map[string]string{"sbom.json": "{}", "sub/report.txt": "report", "vex.json": "[]"}

func check(t *testing.T, dir string, manifest []byte) ([]evidencebundle.FileCheck, []string) {
	t.Helper()
	m, err := evidencebundle.ParseManifest(manifest)
	require.NoError(t, err)
	files, unlisted, err := evidencebundle.CheckDir(m, dir, nil)
	require.NoError(t, err)
	return files, unlisted
}

func statuses(files []evidencebundle.FileCheck) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		out[f.Path] = f.Status
	}
	return out
}

func TestCheckDir(t *testing.T) {
	t.Run("all present", func(t *testing.T) {
		dir, m := evidenceDir(t, three)
		files, unlisted := check(t, dir, m)
		assert.Equal(t, map[string]string{"sbom.json": "ok", "sub/report.txt": "ok", "vex.json": "ok"}, statuses(files))
		assert.Empty(t, unlisted)
	})
	t.Run("missing file", func(t *testing.T) {
		dir, m := evidenceDir(t, three)
		require.NoError(t, os.Remove(filepath.Join(dir, "vex.json")))
		files, _ := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusMissing, statuses(files)["vex.json"])
	})
	t.Run("changed content", func(t *testing.T) {
		dir, m := evidenceDir(t, three)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sbom.json"), []byte("{ }"), 0o600))
		files, _ := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusDigest, statuses(files)["sbom.json"])
		assert.Equal(t, sha([]byte("{ }")), files[0].ActualSHA256)
		assert.Equal(t, sha([]byte("{}")), files[0].ExpectedSHA256)
	})
	t.Run("wrong size with right digest", func(t *testing.T) {
		dir, _ := evidenceDir(t, three)
		m := []byte(`{"version":"1.0","timestamp":"t","files":[{"path":"sbom.json","sha256":"` + sha([]byte("{}")) + `","size":3}]}`)
		files, unlisted := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusSize, files[0].Status)
		assert.Equal(t, []string{"sub/report.txt", "vex.json"}, unlisted)
	})
	t.Run("unlisted file", func(t *testing.T) {
		dir, m := evidenceDir(t, three)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "extra.sh"), []byte("x"), 0o600))
		_, unlisted := check(t, dir, m)
		assert.Equal(t, []string{"sub/extra.sh"}, unlisted)
	})
	t.Run("ignored manifest and bundle", func(t *testing.T) {
		dir, m := evidenceDir(t, three)
		mp := filepath.Join(dir, "evidence-manifest.json")
		require.NoError(t, os.WriteFile(mp, m, 0o600))
		require.NoError(t, os.WriteFile(mp+".sigstore.json", []byte("{}"), 0o600))
		mm, err := evidencebundle.ParseManifest(m)
		require.NoError(t, err)
		_, unlisted, err := evidencebundle.CheckDir(mm, dir, evidencebundle.IgnorePaths(dir, mp, mp+".sigstore.json"))
		require.NoError(t, err)
		assert.Empty(t, unlisted)
	})
	for _, p := range []string{"../outside.txt", "/etc/passwd", "sub/../../x", `sub\..\..\x`, "."} {
		t.Run("unsafe path "+p, func(t *testing.T) {
			dir, _ := evidenceDir(t, three)
			m := []byte(`{"version":"1.0","timestamp":"t","files":[{"path":` + quote(p) + `,"sha256":"` + sha(nil) + `","size":0}]}`)
			files, _ := check(t, dir, m)
			assert.Equal(t, evidencebundle.StatusUnsafePath, files[0].Status)
		})
	}
	t.Run("symlink to a file outside", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret")
		require.NoError(t, os.WriteFile(outside, []byte("s"), 0o600))
		dir, _ := evidenceDir(t, three)
		require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
		m := []byte(`{"version":"1.0","timestamp":"t","files":[{"path":"link","sha256":"` + sha([]byte("s")) + `","size":1}]}`)
		files, _ := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusSymlink, files[0].Status)
	})
	t.Run("symlinked directory inside", func(t *testing.T) {
		dir, _ := evidenceDir(t, three)
		require.NoError(t, os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "alias")))
		m := []byte(`{"version":"1.0","timestamp":"t","files":[{"path":"alias/report.txt","sha256":"` + sha([]byte("report")) + `","size":6}]}`)
		files, unlisted := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusSymlink, files[0].Status)
		assert.Contains(t, unlisted, "alias")
	})
	t.Run("directory listed as a file", func(t *testing.T) {
		dir, _ := evidenceDir(t, three)
		m := []byte(`{"version":"1.0","timestamp":"t","files":[{"path":"sub","sha256":"` + sha(nil) + `","size":0}]}`)
		files, _ := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusNotRegular, files[0].Status)
	})
	t.Run("duplicate entry", func(t *testing.T) {
		dir, _ := evidenceDir(t, three)
		e := `{"path":"vex.json","sha256":"` + sha([]byte("[]")) + `","size":2}`
		m := []byte(`{"version":"1.0","timestamp":"t","files":[` + e + `,` + e + `]}`)
		files, _ := check(t, dir, m)
		assert.Equal(t, evidencebundle.StatusOK, files[0].Status)
		assert.Equal(t, evidencebundle.StatusDuplicate, files[1].Status)
	})
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestParseManifestRejects(t *testing.T) {
	h := sha(nil)
	for _, tc := range []struct{ name, in string }{
		{"not json", "x"},
		{"no files", `{"version":"1.0"}`},
		{"unknown field", `{"files":[],"extra":1}`},
		{"no path", `{"files":[{"sha256":"` + h + `","size":0}]}`},
		{"bad sha", `{"files":[{"path":"a","sha256":"XYZ","size":0}]}`},
		{"uppercase sha", `{"files":[{"path":"a","sha256":"` + "ABCDEF" + h[6:] + `","size":0}]}`},
		{"no size", `{"files":[{"path":"a","sha256":"` + h + `"}]}`},
		{"negative size", `{"files":[{"path":"a","sha256":"` + h + `","size":-1}]}`},
		{"trailing", `{"files":[]} x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evidencebundle.ParseManifest([]byte(tc.in))
			require.ErrorIs(t, err, evidencebundle.ErrManifest)
		})
	}
}

func TestVerifySignature(t *testing.T) {
	ss := trusttest.New(t)
	_, m := evidenceDir(t, three)
	opts := trust.Options{Root: ss.Root}

	s := evidencebundle.VerifySignature(m, ss.MessageBundle(t, ghSAN, ghIssuer, m, trusttest.BundleOptions{}), "m.sigstore.json", opts)
	require.True(t, s.Verified, s.Reason)
	assert.Equal(t, ghSAN, s.SAN)
	assert.Equal(t, ghIssuer, s.Issuer)

	s = evidencebundle.VerifySignature(append([]byte(" "), m...), ss.MessageBundle(t, ghSAN, ghIssuer, m, trusttest.BundleOptions{}), "m.sigstore.json", opts)
	assert.False(t, s.Verified, "a changed manifest")
	assert.Empty(t, s.SAN)

	s = evidencebundle.VerifySignature(m, nil, "", opts)
	assert.False(t, s.Present)
	assert.False(t, s.Verified)

	s = evidencebundle.VerifySignature(m, trusttest.New(t).MessageBundle(t, ghSAN, ghIssuer, m, trusttest.BundleOptions{}), "m.sigstore.json", opts)
	assert.False(t, s.Verified, "another trust root")

	k := trusttest.NewKey(t, "ecdsa")
	pk, err := trust.ParsePublicKey(k.PEM(t))
	require.NoError(t, err)
	s = evidencebundle.VerifySignature(m, k.MessageBundle(t, m), "m.sigstore.json", trust.Options{Root: ss.Root, Keys: []*trust.PublicKey{pk}})
	assert.True(t, s.Verified, s.Reason)
	assert.True(t, s.Keyed)
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":"1.0","timestamp":"t","files":[{"path":"a","sha256":"` + sha(nil) + `","size":0}]}`))
	f.Add([]byte(`{"files":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := evidencebundle.ParseManifest(b)
		if err == nil {
			for _, fl := range m.Files {
				if fl.Size == nil || *fl.Size < 0 || fl.Path == "" {
					t.Fatalf("accepted a bad entry %+v", fl)
				}
			}
		}
	})
}
