package determinism

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
)

var (
	hA = strings.Repeat("a", 64)
	hB = strings.Repeat("b", 64)
	hC = strings.Repeat("c", 64)
)

func list(lines ...string) *checksum.List {
	return checksum.ParseBytes([]byte(strings.Join(lines, "\n") + "\n"))
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		a, b      *checksum.List
		ignore    Globs
		compared  int
		equal     int
		differs   []Diff
		missing   []Missing
		ignored   []string
		issueLine []int
	}{
		{
			name: "equal", a: list(hA+"  app.tar.gz", hB+"  lib.so"), b: list(hB+"  lib.so", hA+"  ./app.tar.gz"),
			compared: 2, equal: 2,
		},
		{
			name: "one file differs", a: list(hA+"  app.tar.gz", hB+"  lib.so"), b: list(hA+"  app.tar.gz", hC+"  lib.so"),
			compared: 2, equal: 1,
			differs: []Diff{{Path: "lib.so", Algorithm: "sha256", Original: hB, Rebuild: hC, OriginalLine: 2, RebuildLine: 2}},
		},
		{
			name: "missing both ways", a: list(hA+"  app.tar.gz", hB+"  only-a"), b: list(hA+"  app.tar.gz", hC+"  only-b"),
			compared: 1, equal: 1,
			missing: []Missing{
				{Path: "only-a", Side: SideOriginal, Algorithm: "sha256", Digest: hB, Line: 2},
				{Path: "only-b", Side: SideRebuild, Algorithm: "sha256", Digest: hC, Line: 2},
			},
		},
		{
			name: "ignored path", a: list(hA+"  app.tar.gz", hB+"  logs/build.log"), b: list(hA+"  app.tar.gz", hC+"  logs/build.log"),
			ignore: Globs{"*.log"}, compared: 1, equal: 1, ignored: []string{"logs/build.log"},
		},
		{
			name: "malformed and conflicting lines are issues", a: list(hA+"  app", "nonsense", hB+"  app"), b: list(hA + "  app"),
			compared: 1, equal: 1, issueLine: []int{2, 3},
		},
		{
			name: "empty lists", a: list(), b: list(), compared: 0, equal: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.a, tt.b, tt.ignore)
			assert.Equal(t, tt.compared, c.Compared)
			assert.Equal(t, tt.equal, c.Equal)
			if tt.differs == nil {
				tt.differs = []Diff{}
			}
			if tt.missing == nil {
				tt.missing = []Missing{}
			}
			if tt.ignored == nil {
				tt.ignored = []string{}
			}
			assert.Equal(t, tt.differs, c.Differs)
			assert.Equal(t, tt.missing, c.Missing)
			assert.Equal(t, tt.ignored, c.Ignored)
			var lines []int
			for _, is := range c.Issues {
				lines = append(lines, is.Line)
			}
			assert.Equal(t, tt.issueLine, lines)
		})
	}
}

func TestCompareAlgorithms(t *testing.T) {
	s512a := strings.Repeat("1", 128)
	s512b := strings.Repeat("2", 128)
	t.Run("sha512 differs while sha256 equal", func(t *testing.T) {
		c := Compare(list(hA+"  app", s512a+"  app"), list(hA+"  app", s512b+"  app"), nil)
		require.Len(t, c.Differs, 1)
		assert.Equal(t, "sha512", c.Differs[0].Algorithm)
		assert.Equal(t, 0, c.Equal)
	})
	t.Run("no algorithm in common", func(t *testing.T) {
		c := Compare(list(hA+"  app"), list(s512a+"  app"), nil)
		require.Len(t, c.Differs, 1)
		assert.Equal(t, "no algorithm in common", c.Differs[0].Reason)
		assert.Equal(t, "sha256/sha512", c.Differs[0].Algorithm)
	})
}

func TestGlobs(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.log", "build.log", true},
		{"*.log", "a/b/build.log", true},
		{"*.log", "build.log.gz", false},
		{"docs/*.md", "docs/a.md", true},
		{"docs/*.md", "docs/x/a.md", false},
		{"docs/**/*.md", "docs/x/y/a.md", true},
		{"docs/**/*.md", "docs/a.md", true},
		{"**/cache", "a/b/cache", true},
		{"**/cache", "cache", true},
		{"**/cache", "cachex", false},
		{"dist/**", "dist/a/b", true},
		{"dist/**", "distx/a", false},
		{"**/a/**/b/**/c", strings.Repeat("x/", 2000) + "a/b/c", true},
		{"**/a/**/b/**/c/d", strings.Repeat("a/b/c/", 2000) + "x", false},
		{"[", "[", false},
		{"", "anything", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.name[:min(len(tt.name), 20)], func(t *testing.T) {
			assert.Equal(t, tt.want, Globs{tt.pattern}.Match(tt.name))
		})
	}
	require.Error(t, Globs{"a/[/b"}.Validate())
	require.Error(t, Globs{""}.Validate())
	require.NoError(t, Globs{"**/x", "*.log"}.Validate())
}

func TestParseReport(t *testing.T) {
	r, err := ParseReport([]byte(`{"timestamp":"2026-11-28T10:00:00Z","original_ref":"v1.2.3","original_run_id":12345,"delay_hours":24,"deterministic":true,"source_date_epoch":"1700000000","environment":{"tz":"UTC"}}`))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), r.Timestamp)
	assert.Equal(t, "12345", r.OriginalRunID)
	require.NotNil(t, r.DelayHours)
	assert.InDelta(t, 24.0, *r.DelayHours, 0)
	for _, bad := range []string{`{"timestamp":"yesterday"}`, `{"delay_hours":-1}`, `{"delay_hours":"24"}`, `[`, `{"delay_hours":1e9}`} {
		_, err := ParseReport([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestComputeDelay(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	h := func(f float64) *float64 { return &f }
	tests := []struct {
		name     string
		orig, rb time.Time
		rep      *Report
		known    bool
		seconds  int64
		source   string
		wantErr  bool
	}{
		{name: "times 25h", orig: t0, rb: t0.Add(25 * time.Hour), known: true, seconds: 90000, source: "times"},
		{name: "times 2h", orig: t0, rb: t0.Add(2 * time.Hour), known: true, seconds: 7200, source: "times"},
		{name: "report delay", rep: &Report{DelayHours: h(24)}, known: true, seconds: 86400, source: "report"},
		{name: "original flag with report timestamp", orig: t0, rep: &Report{Timestamp: t0.Add(3 * time.Hour), DelayHours: h(48)}, known: true, seconds: 10800, source: "times"},
		{name: "nothing", known: false},
		{name: "rebuild before original", orig: t0, rb: t0.Add(-time.Hour), wantErr: true},
		{name: "only rebuild time", rb: t0, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ComputeDelay(tt.orig, tt.rb, tt.rep)
			if tt.wantErr {
				require.Error(t, err)
				assert.False(t, d.Known)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.known, d.Known)
			assert.Equal(t, tt.seconds, d.Seconds)
			assert.Equal(t, tt.source, d.Source)
		})
	}
}

func TestParseDiffoscope(t *testing.T) {
	e, err := ParseDiffoscope([]byte(`{"diffoscope-json-version":1,"source1":"a/app.tar.gz","source2":"b/app.tar.gz","unified_diff":null,
"details":[{"source1":"file list","source2":"file list","unified_diff":"@@"},{"source1":"app/main","source2":"app/main","details":[{"source1":"readelf"}]}],"comments":["x"]}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"file list", "app/main"}, e.Differing)
	assert.Equal(t, []string{"x"}, e.Comments)
	_, err = ParseDiffoscope([]byte(`{"source1":"a"}`))
	require.Error(t, err)
}

func TestParsePrevious(t *testing.T) {
	p, err := ParsePrevious([]byte(`{"mediaType":"application/vnd.hubgate.decision+json;version=0.1","outcome":"pass","allowed":true,"repo":"acme/app",
"checks":[{"kind":"checksums","outcome":"pass"},{"kind":"determinism","outcome":"warn"}],"time":"2026-11-01T00:00:00Z"}`))
	require.NoError(t, err)
	assert.Equal(t, Previous{Repo: "acme/app", Outcome: "pass", Allowed: true, Determinism: "warn", Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, *p)
	for _, bad := range []string{`{}`, `{"mediaType":"application/json","outcome":"pass"}`, `{"mediaType":"application/vnd.hubgate.decision+json;version=0.1"}`, `{"mediaType":"application/vnd.hubgate.decision+json;version=0.1","outcome":"great"}`} {
		_, err := ParsePrevious([]byte(bad))
		assert.Error(t, err, bad)
	}
}
