package determinism

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/engine/evidence/parse"
	"github.com/cicd-hub/hubgate/policy"
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
	for _, bad := range []string{`{"timestamp":"yesterday"}`, `{"delay_hours":-1}`, `[`, `{"delay_hours":1e9}`} {
		_, err := ParseReport([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// TestParseReportDelayHours: the hub's workflow writes delay_hours as a
// JSON string ("${{ inputs.delay_hours }}" inside quotes), its script as a
// number. Both are read; anything else is an error naming the field.
func TestParseReportDelayHours(t *testing.T) {
	good := map[string]float64{`24`: 24, `"24"`: 24, `"36.5"`: 36.5, `0`: 0, `"0"`: 0, `48.25`: 48.25}
	for in, want := range good {
		r, err := ParseReport([]byte(`{"delay_hours":` + in + `}`))
		require.NoError(t, err, in)
		require.NotNil(t, r.DelayHours, in)
		assert.InDelta(t, want, *r.DelayHours, 0, in)
	}
	for _, in := range []string{`"twenty-four"`, `""`, `"24h"`, `"-1"`, `"1e3"`, `"0x18"`, `"NaN"`, `"Inf"`, `" 24"`, `true`, `[24]`, `{"h":24}`, `"99999999"`} {
		_, err := ParseReport([]byte(`{"delay_hours":` + in + `}`))
		require.Error(t, err, in)
		var fe *parse.Error
		require.ErrorAs(t, err, &fe, in)
		assert.Equal(t, "delay_hours", fe.Path, in)
	}
	r, err := ParseReport([]byte(`{}`))
	require.NoError(t, err)
	assert.Nil(t, r.DelayHours)
}

// TestHubWorkflowReport reads the exact shape the hub's
// cross-time-determinism.yml writes (fixtures/determinism/hub-workflow).
func TestHubWorkflowReport(t *testing.T) {
	b, err := os.ReadFile("../../../fixtures/determinism/hub-workflow/report.json")
	require.NoError(t, err)
	r, err := ParseReport(b)
	require.NoError(t, err)
	require.NotNil(t, r.DelayHours)
	assert.InDelta(t, 24.0, *r.DelayHours, 0)
	assert.Equal(t, "1234567890", r.OriginalRunID)
	assert.Equal(t, "1764000000", r.SourceDateEpoch)
	require.NotNil(t, r.Deterministic)
	assert.True(t, *r.Deterministic)
}

func TestAlignHubLists(t *testing.T) {
	empty := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	a := list(hA+"  original-artifacts/app.tar.gz", empty+"  original-artifacts/original-checksums.txt", hB+"  original-artifacts/lib/x.so")
	b := list(hA+"  artifacts/app.tar.gz", hB+"  artifacts/lib/x.so", empty+"  artifacts/rebuilt-checksums.txt")
	x, y, roots, dropped := Align(a, b, "dir/original-checksums.txt", "rebuilt-checksums.txt")
	assert.Equal(t, [2]string{"original-artifacts", "artifacts"}, roots)
	assert.Equal(t, []string{"original-checksums.txt", "rebuilt-checksums.txt"}, dropped)
	c := Compare(x, y, nil)
	assert.Equal(t, 2, c.Equal)
	assert.Empty(t, c.Missing)
	t.Run("same top directory is kept", func(t *testing.T) {
		x, _, roots, _ := Align(list(hA+"  dist/app"), list(hA+"  dist/app"), "a", "b")
		assert.Equal(t, [2]string{}, roots)
		assert.Equal(t, "dist/app", x.Entries[0].Name)
	})
	t.Run("several top directories are kept", func(t *testing.T) {
		_, y, roots, _ := Align(list(hA+"  o/app"), list(hA+"  r/app", hB+"  q/app"), "a", "b")
		assert.Equal(t, [2]string{}, roots)
		assert.Equal(t, "r/app", y.Entries[0].Name)
	})
}

func TestBind(t *testing.T) {
	subj := []policy.Subject{{Name: "app.tar.gz", Digest: policy.Digest{"sha256": hA}}}
	tests := []struct {
		name        string
		a, b        *checksum.List
		matchA      bool
		matchB      bool
		listedB     bool
		reasonB     string
		subjects    []policy.Subject
		wantActualB string
	}{
		{name: "both lists name the subject", a: list(hA + "  app.tar.gz"), b: list(hA + "  dist/app.tar.gz"), matchA: true, matchB: true, listedB: true},
		{name: "rebuild lacks the subject", a: list(hA + "  app.tar.gz"), b: list(hB + "  other.tar.gz"), matchA: true},
		{name: "rebuild lists another digest", a: list(hA + "  app.tar.gz"), b: list(hB + "  app.tar.gz"), matchA: true, listedB: true, wantActualB: hB},
		{name: "ambiguous base name", a: list(hA + "  app.tar.gz"), b: list(hA+"  x/app.tar.gz", hA+"  y/app.tar.gz"), matchA: true, reasonB: "ambiguous: x/app.tar.gz, y/app.tar.gz"},
		{name: "no algorithm in common", a: list(hA + "  app.tar.gz"), b: list(strings.Repeat("1", 128) + "  app.tar.gz"), matchA: true, listedB: true, reasonB: "no algorithm in common with the subject's digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Bind(tt.a, tt.b, subj)
			require.Len(t, got, 1)
			assert.Equal(t, "sha256:"+hA, got[0].Expected)
			assert.Equal(t, tt.matchA, got[0].Original.Match)
			assert.Equal(t, tt.matchB, got[0].Rebuild.Match)
			assert.Equal(t, tt.listedB, got[0].Rebuild.Listed)
			assert.Equal(t, tt.reasonB, got[0].Rebuild.Reason)
			if tt.wantActualB != "" {
				assert.Equal(t, tt.wantActualB, got[0].Rebuild.Digest)
			}
		})
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

// TestHubScriptShapes: the hub's determinism script writes delay_hours as a
// number (read), and a compare report that is never valid JSON (refused,
// not guessed at).
func TestHubScriptShapes(t *testing.T) {
	b, err := os.ReadFile("../../../fixtures/determinism/hub-script/scheduled-rebuild.json")
	require.NoError(t, err)
	r, err := ParseReport(b)
	require.NoError(t, err)
	require.NotNil(t, r.DelayHours)
	assert.InDelta(t, 24.0, *r.DelayHours, 0)
	b, err = os.ReadFile("../../../fixtures/determinism/hub-script/determinism-report.json")
	require.NoError(t, err)
	_, err = ParseReport(b)
	require.ErrorContains(t, err, "parse determinism report")
}
