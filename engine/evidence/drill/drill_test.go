package drill

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

const fixtures = "../../../fixtures/drill"

func TestHubManifest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "data/dr/manifest.json"))
	require.NoError(t, err)
	m, err := ParseManifest(b)
	require.NoError(t, err)
	assert.Equal(t, "bee16000b8ce8e911f1b57fe05861cdc8338e6fd4c1e8f7be576459dc44f2dc4", m.Digest)
	assert.Equal(t, time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC), m.Captured)
	// The manifest's own limits are kept as written, never parsed as policy.
	assert.JSONEq(t, "10080", string(m.Policies.MaxRPOMinutes))
	assert.JSONEq(t, "600", string(m.Policies.MaxRTOSeconds))
	bk, err := HashBackup(filepath.Join(fixtures, "data/dr"), m)
	require.NoError(t, err)
	assert.True(t, bk.Match)
	assert.Equal(t, m.Digest, bk.Actual)
	assert.Equal(t, int64(389), bk.Size)
}

func TestHubReport(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "artifacts/dr/dr-report.json"))
	require.NoError(t, err)
	r, err := ParseReport(b)
	require.NoError(t, err)
	assert.Equal(t, "dr-1761710326", r.RunID)
	assert.Equal(t, time.Date(2025, 10, 29, 3, 58, 46, 648697000, time.UTC), r.Ended)
	assert.Equal(t, time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC), r.Captured)
	assert.InDelta(t, 0.008, *r.Metrics.RTOSeconds, 1e-9)
	assert.True(t, r.Successful())
}

func TestParseManifestErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		fields []string
	}{
		{"empty object", `{}`, []string{"backup.path", "backup.sha256", "backup.captured_at"}},
		{"short digest", `{"backup":{"path":"b","sha256":"sha256:abc","captured_at":"2025-01-15T12:00:00Z"},"policies":{"max_rpo_minutes":1,"max_rto_seconds":1}}`, []string{"backup.sha256"}},
		{"bad time", `{"backup":{"path":"b","sha256":"` + hex64 + `","captured_at":"yesterday"},"policies":{"max_rpo_minutes":1,"max_rto_seconds":1}}`, []string{"backup.captured_at"}},
		{"manifest limits are not read", `{"backup":{"path":"b","sha256":"` + hex64 + `","captured_at":"2025-01-15T12:00:00Z"},"policies":{"max_rpo_minutes":"a year","max_rto_seconds":-1}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.in))
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var fe *parse.Error
				require.ErrorAs(t, e, &fe)
				got = append(got, fe.Path)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
	_, err := ParseManifest([]byte(`[`))
	require.Error(t, err)
}

const hex64 = "bee16000b8ce8e911f1b57fe05861cdc8338e6fd4c1e8f7be576459dc44f2dc4"

func TestParseReportErrors(t *testing.T) {
	for _, in := range []string{`{}`, `{"ended_at":"2025-10-29T03:58:46Z"}`, `{"ended_at":"x","metrics":{"rto_seconds":1}}`,
		`{"started_at":"2025-10-29T04:00:00Z","ended_at":"2025-10-29T03:58:46Z","metrics":{"rto_seconds":1}}`,
		`{"ended_at":"2025-10-29T03:58:46Z","metrics":{"rto_seconds":-2}}`} {
		_, err := ParseReport([]byte(in))
		assert.Error(t, err, in)
	}
	r, err := ParseReport([]byte(`{"ended_at":"2025-10-29T03:58:46Z","metrics":{"rto_seconds":1},"status":"failed"}`))
	require.NoError(t, err)
	assert.False(t, r.Successful())
}

func TestHashBackup(t *testing.T) {
	dir := t.TempDir()
	inner := filepath.Join(dir, "dr")
	require.NoError(t, os.Mkdir(inner, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(inner, "backup.json"), []byte("hello\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("x"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "secret"), filepath.Join(inner, "link")))
	require.NoError(t, os.Mkdir(filepath.Join(inner, "sub"), 0o755))
	helloSum := "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	tests := []struct {
		name    string
		path    string
		match   bool
		wantErr string
	}{
		{name: "match", path: "backup.json", match: true},
		{name: "parent escape", path: "../secret", wantErr: "leaves"},
		{name: "absolute", path: filepath.Join(dir, "secret"), wantErr: "leaves"},
		{name: "symlink escape", path: "link", wantErr: "open backup"},
		{name: "missing", path: "nope.json", wantErr: "open backup"},
		{name: "directory", path: "sub", wantErr: "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Manifest{Digest: helloSum}
			m.Backup.Path = tt.path
			b, err := HashBackup(inner, m)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.False(t, b.Match)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.match, b.Match)
		})
	}
	m := &Manifest{Digest: hex64}
	m.Backup.Path = "backup.json"
	b, err := HashBackup(inner, m)
	require.NoError(t, err)
	assert.False(t, b.Match)
	assert.Equal(t, helloSum, b.Actual)
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"data/dr/manifest.json", "artifacts/dr/dr-report.json"} {
		b, err := os.ReadFile(filepath.Join(fixtures, p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := ParseManifest(b); err == nil && len(m.Digest) != 64 {
			t.Fatalf("accepted digest %q", m.Digest)
		}
		if r, err := ParseReport(b); err == nil && r.Metrics.RTOSeconds == nil {
			t.Fatal("accepted a report without rto_seconds")
		}
	})
}
