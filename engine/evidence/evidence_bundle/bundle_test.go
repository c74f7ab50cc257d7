package evidencebundle_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
	f.Add([]byte(`{"subjects":[{"name":"a","digest":{"sha256":"` + sha(nil) + `"}}],"files":[{"path":"a","sha256":"` + sha(nil) + `","size":0}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := evidencebundle.ParseManifest(b)
		if err == nil {
			if len(m.Files) == 0 {
				t.Fatal("accepted an empty files list")
			}
			for _, sub := range m.Subjects {
				if len(sub.Digest) == 0 {
					t.Fatalf("accepted a subject without digest %+v", sub)
				}
			}
			for _, fl := range m.Files {
				if fl.Size == nil || *fl.Size < 0 || fl.Path == "" {
					t.Fatalf("accepted a bad entry %+v", fl)
				}
			}
		}
	})
}

// TestParseManifestProducerShape reads a manifest in the shape the hub's
// sign_evidence_bundle.sh writes (jq-indented), with the subjects it must
// now add.
func TestParseManifestProducerShape(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "evidence_bundle", "evidence-manifest.json"))
	require.NoError(t, err)
	m, err := evidencebundle.ParseManifest(b)
	require.NoError(t, err)
	require.Len(t, m.Subjects, 1)
	assert.Equal(t, "app.tar.gz", m.Subjects[0].Name)
	assert.Len(t, m.Subjects[0].Digest["sha256"], 64)
	require.Len(t, m.Files, 3)
	assert.Equal(t, "provenance/app.intoto.jsonl", m.Files[1].Path)
	ts, err := evidencebundle.ParseTimestamp(m.Timestamp)
	require.NoError(t, err)
	assert.Equal(t, 2026, ts.Year())

	// The producer's shape before subjects still parses; the rules deny it.
	old := []byte(`{"version": "1.0", "timestamp": "2026-11-27T09:14:02Z", "files": [{"path": "a", "sha256": "` + sha(nil) + `", "size": 0}]}`)
	m, err = evidencebundle.ParseManifest(old)
	require.NoError(t, err)
	assert.Empty(t, m.Subjects)
}

func TestParseManifestRejectsBinding(t *testing.T) {
	h := sha(nil)
	file := `"files":[{"path":"a","sha256":"` + h + `","size":0}]`
	for _, tc := range []struct{ name, in, want string }{
		{"empty files", `{"version":"1.0","timestamp":"2026-11-27T00:00:00Z","files":[]}`, "files: empty"},
		{"subject without digest", `{"subjects":[{"name":"a"}],` + file + `}`, "subjects[0].digest: missing"},
		{"subject with md5", `{"subjects":[{"name":"a","digest":{"md5":"00"}}],` + file + `}`, "subjects[0].digest.md5"},
		{"subject with short sha256", `{"subjects":[{"name":"a","digest":{"sha256":"abc"}}],` + file + `}`, "subjects[0].digest.sha256"},
		{"subject with uppercase sha256", `{"subjects":[{"name":"a","digest":{"sha256":"` + strings.ToUpper(h) + `"}}],` + file + `}`, "subjects[0].digest.sha256"},
		{"subject unknown field", `{"subjects":[{"name":"a","uri":"x","digest":{"sha256":"` + h + `"}}],` + file + `}`, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evidencebundle.ParseManifest([]byte(tc.in))
			require.ErrorIs(t, err, evidencebundle.ErrManifest)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	for _, ok := range []string{"2026-11-27T00:00:00Z", "2026-11-27T01:00:00+01:00", "2026-11-27T00:00:00.5Z"} {
		_, err := evidencebundle.ParseTimestamp(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "not a time", "2026-11-27", "2026-11-27T00:00:00", "1764201600", "2026-13-01T00:00:00Z"} {
		_, err := evidencebundle.ParseTimestamp(bad)
		assert.Error(t, err, bad)
	}
}

func TestBind(t *testing.T) {
	dir, mb := evidenceDir(t, three)
	m, err := evidencebundle.ParseManifest(mb)
	require.NoError(t, err)
	in := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	for _, tc := range []struct {
		name, file, sha, status, path string
		index                         int
	}{
		{"listed with its digest", in("sub/report.txt"), sha([]byte("report")), evidencebundle.BindOK, "sub/report.txt", 1},
		{"listed, path not clean", dir + "/sub/../vex.json", sha([]byte("[]")), evidencebundle.BindOK, "vex.json", 2},
		{"listed with another digest", in("sbom.json"), sha([]byte("{ }")), evidencebundle.BindDigest, "sbom.json", 0},
		{"inside, not listed", in("other.json"), sha(nil), evidencebundle.BindUnlisted, "other.json", -1},
		{"outside", filepath.Join(filepath.Dir(dir), "sbom.json"), sha([]byte("{}")), evidencebundle.BindOutside, "", -1},
		{"the directory itself", dir, sha(nil), evidencebundle.BindOutside, "", -1},
		{"relative path inside", relTo(t, in("vex.json")), sha([]byte("[]")), evidencebundle.BindOK, "vex.json", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := evidencebundle.NewBinder(m, dir).Bind(tc.file, tc.sha)
			assert.Equal(t, tc.status, b.Status)
			assert.Equal(t, tc.path, b.Path)
			assert.Equal(t, tc.index, b.Index)
			assert.Equal(t, tc.sha, b.ActualSHA256)
		})
	}
}

// relTo returns p relative to the working directory.
func relTo(t *testing.T, p string) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	r, err := filepath.Rel(wd, p)
	require.NoError(t, err)
	return r
}
