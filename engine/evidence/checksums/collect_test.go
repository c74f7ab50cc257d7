package checksums

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/policy"
)

func checksumSums(b []byte) (string, string) {
	a := sha256.Sum256(b)
	c := sha512.Sum512(b)
	return hex.EncodeToString(a[:]), hex.EncodeToString(c[:])
}

// checksumEnv writes files into a temp dir and returns an evidence.Env whose subjects
// are the given files, hashed with sha256 as the engine does.
func checksumEnv(t *testing.T, dir string, subjects map[string]string, order ...string) *evidence.Env {
	t.Helper()
	env := &evidence.Env{}
	for _, name := range order {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(subjects[name]), 0o600))
		h, _ := checksumSums([]byte(subjects[name]))
		env.Subjects = append(env.Subjects, policy.Subject{Name: name, Digest: policy.Digest{"sha256": h}, Size: int64(len(subjects[name]))})
		env.SubjectFiles = append(env.SubjectFiles, evidence.SubjectInput{Name: name, Path: p})
	}
	return env
}

func checksumWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestCollectChecksums(t *testing.T) {
	app, sig := "deterministic app bytes\n", "a signature\n"
	app256, app512 := checksumSums([]byte(app))
	sig256, _ := checksumSums([]byte(sig))
	bad := strings.Repeat("0", 64)

	tests := []struct {
		name  string
		lists map[string]string // file name -> content, added in sorted order of keys listed in files
		files []string
		check func(t *testing.T, f *Facts, dir string)
	}{
		{
			name:  "pass",
			lists: map[string]string{"SHA256SUMS": app256 + "  app.tar.gz\n" + sig256 + "  app.sig.txt\n"},
			files: []string{"SHA256SUMS"},
			check: func(t *testing.T, f *Facts, dir string) {
				assert.True(t, f.Present)
				assert.Empty(t, f.Problems)
				assert.Empty(t, f.Malformed)
				s := f.Subjects["app.tar.gz"]
				require.NotNil(t, s)
				assert.True(t, s.Listed)
				assert.Equal(t, "app.tar.gz", s.Entry)
				assert.False(t, s.ByBaseName)
				assert.Equal(t, []checksumCheck{{Algorithm: "sha256", Expected: app256, Actual: app256, Comparable: true, Match: true,
					File: filepath.Join(dir, "SHA256SUMS"), Line: 1}}, s.Checked)
				assert.Equal(t, checksumEntry{Hex: sig256, File: filepath.Join(dir, "SHA256SUMS"), Line: 2}, f.Entries["app.sig.txt"]["sha256"])
			},
		},
		{
			name:  "tampered",
			lists: map[string]string{"SHA256SUMS": bad + "  app.tar.gz\n" + sig256 + "  app.sig.txt\n"},
			files: []string{"SHA256SUMS"},
			check: func(t *testing.T, f *Facts, _ string) {
				c := f.Subjects["app.tar.gz"].Checked
				require.Len(t, c, 1)
				assert.True(t, c[0].Comparable)
				assert.False(t, c[0].Match)
				assert.Equal(t, bad, c[0].Expected)
				assert.Equal(t, app256, c[0].Actual)
				assert.True(t, f.Subjects["app.sig.txt"].Checked[0].Match)
			},
		},
		{
			name:  "unlisted",
			lists: map[string]string{"SHA256SUMS": sig256 + "  app.sig.txt\n"},
			files: []string{"SHA256SUMS"},
			check: func(t *testing.T, f *Facts, _ string) {
				assert.False(t, f.Subjects["app.tar.gz"].Listed)
				assert.Empty(t, f.Subjects["app.tar.gz"].Checked)
				assert.True(t, f.Subjects["app.sig.txt"].Listed)
			},
		},
		{
			name:  "base name fallback",
			lists: map[string]string{"SHA256SUMS": "./dist/" + "x\n" + app256 + "  ./dist/app.tar.gz\n" + sig256 + "  app.sig.txt\n"},
			files: []string{"SHA256SUMS"},
			check: func(t *testing.T, f *Facts, _ string) {
				s := f.Subjects["app.tar.gz"]
				assert.True(t, s.Listed)
				assert.True(t, s.ByBaseName)
				assert.Equal(t, "dist/app.tar.gz", s.Entry)
				assert.True(t, s.Checked[0].Match)
				assert.Equal(t, 2, s.Checked[0].Line)
				require.Len(t, f.Malformed, 1)
				assert.Equal(t, 1, f.Malformed[0].Line)
			},
		},
		{
			name: "ambiguous base name is not listed",
			lists: map[string]string{"SHA256SUMS": app256 + "  linux/app.tar.gz\n" + app256 + "  darwin/app.tar.gz\n" +
				sig256 + "  app.sig.txt\n"},
			files: []string{"SHA256SUMS"},
			check: func(t *testing.T, f *Facts, _ string) {
				s := f.Subjects["app.tar.gz"]
				assert.False(t, s.Listed)
				assert.Equal(t, []string{"linux/app.tar.gz", "darwin/app.tar.gz"}, s.Ambiguous)
			},
		},
		{
			name:  "sha512 list hashes the subject file",
			lists: map[string]string{"SHA512SUMS": "SHA512 (app.tar.gz) = " + app512 + "\nSHA512 (app.sig.txt) = " + strings.Repeat("1", 128) + "\n"},
			files: []string{"SHA512SUMS"},
			check: func(t *testing.T, f *Facts, _ string) {
				c := f.Subjects["app.tar.gz"].Checked
				require.Len(t, c, 1)
				assert.Equal(t, "sha512", c[0].Algorithm)
				assert.Equal(t, app512, c[0].Actual)
				assert.True(t, c[0].Match)
				c = f.Subjects["app.sig.txt"].Checked
				assert.True(t, c[0].Comparable)
				assert.False(t, c[0].Match)
			},
		},
		{
			name: "several files merge; conflicts across them",
			lists: map[string]string{
				"SHA256SUMS": app256 + "  app.tar.gz\n" + sig256 + "  app.sig.txt\n",
				"SHA512SUMS": app512 + "  app.tar.gz\n",
				"extra.txt":  bad + "  app.sig.txt\n" + app256 + "  app.tar.gz\n",
			},
			files: []string{"SHA256SUMS", "SHA512SUMS", "extra.txt"},
			check: func(t *testing.T, f *Facts, dir string) {
				c := f.Subjects["app.tar.gz"].Checked
				require.Len(t, c, 2)
				assert.Equal(t, "sha256", c[0].Algorithm)
				assert.Equal(t, "sha512", c[1].Algorithm)
				assert.True(t, c[0].Match && c[1].Match)
				assert.Equal(t, []checksumRepeat{{Name: "app.tar.gz", Algorithm: "sha256", File: filepath.Join(dir, "SHA256SUMS"),
					Lines: []int{1, 2}, Files: []string{filepath.Join(dir, "SHA256SUMS"), filepath.Join(dir, "extra.txt")},
					Digests: []string{app256, app256}}}, f.Duplicates)
				require.Len(t, f.Conflicts, 1)
				assert.Equal(t, "app.sig.txt", f.Conflicts[0].Name)
				assert.Equal(t, []string{sig256, bad}, f.Conflicts[0].Digests)
				assert.Len(t, f.Files, 3)
			},
		},
		{
			name:  "unreadable and empty files are problems",
			lists: map[string]string{"empty": "# nothing\n\n"},
			files: []string{"missing", "empty"},
			check: func(t *testing.T, f *Facts, dir string) {
				require.Len(t, f.Problems, 2)
				assert.Equal(t, filepath.Join(dir, "missing"), f.Problems[0].Evidence)
				assert.Contains(t, f.Problems[0].Message, "no such file")
				assert.Equal(t, filepath.Join(dir, "empty"), f.Problems[1].Evidence)
				assert.Contains(t, f.Problems[1].Message, "lists no checksums")
				assert.False(t, f.Subjects["app.tar.gz"].Listed)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := checksumEnv(t, dir, map[string]string{"app.tar.gz": app, "app.sig.txt": sig}, "app.tar.gz", "app.sig.txt")
			var items []evidence.Item
			for _, name := range tt.files {
				p := filepath.Join(dir, name)
				if c, ok := tt.lists[name]; ok {
					checksumWriteFile(t, dir, name, c)
				}
				items = append(items, evidence.Item{Kind: policy.KindChecksums, Path: p})
			}
			f, ok := Collect(context.Background(), env, items).(*Facts)
			require.True(t, ok)
			tt.check(t, f, dir)
		})
	}
}

func TestCollectChecksumsWithoutFiles(t *testing.T) {
	app := "bytes"
	app256, app512 := checksumSums([]byte(app))
	dir := t.TempDir()
	list := checksumWriteFile(t, dir, "SUMS", app512+"  app.tar.gz\n"+app256+"  app.tar.gz\n")
	// Given by digest only: sha256 compares, sha512 cannot be computed.
	env := &evidence.Env{Subjects: []policy.Subject{{Name: "app.tar.gz", Digest: policy.Digest{"sha256": strings.ToUpper(app256)}}},
		SubjectFiles: []evidence.SubjectInput{{Name: "app.tar.gz", Digest: policy.Digest{"sha256": app256}}}}
	f := Collect(context.Background(), env, []evidence.Item{{Kind: policy.KindChecksums, Path: list}}).(*Facts)
	c := f.Subjects["app.tar.gz"].Checked
	require.Len(t, c, 2)
	assert.Equal(t, "sha512", c[0].Algorithm)
	assert.False(t, c[0].Comparable)
	assert.False(t, c[0].Match)
	assert.Empty(t, c[0].Actual)
	assert.Contains(t, c[0].Reason, "without a file to hash and without a sha512 digest")
	assert.True(t, c[1].Comparable)
	assert.True(t, c[1].Match, "upper-case subject digest compares equal")
}

func TestCollectChecksumsNotGiven(t *testing.T) {
	env := &evidence.Env{Subjects: []policy.Subject{{Name: "a", Digest: policy.Digest{"sha256": strings.Repeat("a", 64)}}}}
	f := Collect(context.Background(), env, nil).(*Facts)
	assert.False(t, f.Present)
	assert.Empty(t, f.Subjects)

	// The facts marshal with present and problems at the top level, and
	// empty collections as [] or {} rather than null.
	b, err := json.Marshal(f)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"present", "problems", "files", "entries", "malformed", "malformed_omitted", "duplicates", "conflicts", "subjects"} {
		require.Contains(t, m, k)
		assert.NotNil(t, m[k], k)
	}
	assert.NotContains(t, m, "Facts")
}

func TestCollectChecksumsBoundsMalformed(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	for i := 0; i < maxChecksumMalformed+5; i++ {
		fmt.Fprintf(&sb, "junk %d %s\n", i, strings.Repeat("x", 1000))
	}
	list := checksumWriteFile(t, dir, "SUMS", sb.String())
	f := Collect(context.Background(), &evidence.Env{}, []evidence.Item{{Kind: policy.KindChecksums, Path: list}}).(*Facts)
	assert.Len(t, f.Malformed, maxChecksumMalformed)
	assert.Equal(t, 5, f.MalformedOmitted)
	assert.Equal(t, list, f.Malformed[0].File)
	assert.LessOrEqual(t, len(f.Malformed[0].Text), 210)
}

// TestCollectChecksumsFixtures checks that fixtures/releases say what their
// README claims.
func TestCollectChecksumsFixtures(t *testing.T) {
	type want struct {
		listFile   string
		unlisted   []string
		mismatched map[string]int // subject -> line
		malformed  []int
		conflicts  []int // differing lines
		duplicates int
		algorithm  string
	}
	tests := map[string]want{
		"pass":       {listFile: "SHA256SUMS", algorithm: "sha256"},
		"tampered":   {listFile: "SHA256SUMS", algorithm: "sha256", mismatched: map[string]int{"app.tar.gz": 1}},
		"unlisted":   {listFile: "SHA256SUMS", algorithm: "sha256", unlisted: []string{"app.tar.gz"}},
		"malformed":  {listFile: "SHA256SUMS", algorithm: "sha256", malformed: []int{2, 3, 4}},
		"conflict":   {listFile: "SHA256SUMS", algorithm: "sha256", conflicts: []int{3}},
		"duplicate":  {listFile: "SHA256SUMS", algorithm: "sha256", duplicates: 1},
		"bsd":        {listFile: "SHA512SUMS", algorithm: "sha512"},
		"goreleaser": {listFile: "checksums.txt", algorithm: "sha256"},
	}
	for _, name := range []string{"pass", "tampered", "unlisted", "malformed", "conflict", "duplicate", "bsd", "goreleaser"} {
		w := tests[name]
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "..", "fixtures", "releases", name)
			env := &evidence.Env{}
			for _, s := range []string{"app.tar.gz", "app.sig.txt"} {
				p := filepath.Join(dir, s)
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				h, _ := checksumSums(b)
				env.Subjects = append(env.Subjects, policy.Subject{Name: s, Digest: policy.Digest{"sha256": h}, Size: int64(len(b))})
				env.SubjectFiles = append(env.SubjectFiles, evidence.SubjectInput{Path: p})
			}
			list := filepath.Join(dir, w.listFile)
			f := Collect(context.Background(), env, []evidence.Item{{Kind: policy.KindChecksums, Path: list}}).(*Facts)
			assert.Empty(t, f.Problems)
			for _, s := range []string{"app.tar.gz", "app.sig.txt"} {
				sub := f.Subjects[s]
				require.NotNil(t, sub, s)
				if slices.Contains(w.unlisted, s) {
					assert.False(t, sub.Listed, s)
					continue
				}
				require.True(t, sub.Listed, s)
				require.Len(t, sub.Checked, 1, s)
				c := sub.Checked[0]
				assert.Equal(t, w.algorithm, c.Algorithm)
				assert.True(t, c.Comparable, s)
				line, bad := w.mismatched[s]
				assert.Equal(t, !bad, c.Match, s)
				if bad {
					assert.Equal(t, line, c.Line)
					assert.Equal(t, list, c.File)
				}
			}
			var lines []int
			for _, m := range f.Malformed {
				lines = append(lines, m.Line)
			}
			assert.Equal(t, w.malformed, lines)
			var conf []int
			for _, c := range f.Conflicts {
				conf = append(conf, c.Lines[len(c.Lines)-1])
			}
			assert.Equal(t, w.conflicts, conf)
			assert.Len(t, f.Duplicates, w.duplicates)
		})
	}
}

func TestCollectChecksumsHashFailureCannotCompare(t *testing.T) {
	dir := t.TempDir()
	env := checksumEnv(t, dir, map[string]string{"app.tar.gz": "bytes"}, "app.tar.gz")
	_, app512 := checksumSums([]byte("bytes"))
	list := checksumWriteFile(t, dir, "SHA512SUMS", app512+"  app.tar.gz\n")
	// The file is gone by the time sha512 is needed.
	require.NoError(t, os.Remove(env.SubjectFiles[0].Path))
	f := Collect(context.Background(), env, []evidence.Item{{Kind: policy.KindChecksums, Path: list}}).(*Facts)
	c := f.Subjects["app.tar.gz"].Checked
	require.Len(t, c, 1)
	assert.False(t, c[0].Comparable)
	assert.False(t, c[0].Match)
	assert.Contains(t, c[0].Reason, "no such file")
}
