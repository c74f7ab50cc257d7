package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

// stripANSI removes CSI sequences, leaving what a terminal shows.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fieldStarts returns the rune offsets where the fields of l start.
func fieldStarts(l string) []int {
	var out []int
	prev := ' '
	for i, r := range []rune(l) {
		if r != ' ' && prev == ' ' {
			out = append(out, i)
		}
		prev = r
	}
	return out
}

// tableLines returns the lines of the check table.
func tableLines(t *testing.T, out string) []string {
	t.Helper()
	i := strings.Index(out, "CHECK")
	require.GreaterOrEqual(t, i, 0, out)
	block, _, _ := strings.Cut(out[i:], "\n\n")
	return strings.Split(block, "\n")
}

// TestTextTableAlignedWithColour: with colour on, the columns a person sees
// line up exactly as without colour; the escapes are outside the padding.
func TestTextTableAlignedWithColour(t *testing.T) {
	d := loadDecision(t)
	// A multi-byte kind name must not shift the columns either.
	d.Findings = append(d.Findings, policy.Finding{Rule: "lízenz.ok", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh, Message: "x"})
	plain := render(t, "text", d, Options{})
	colored := render(t, "text", d, Options{Color: true})
	require.Contains(t, colored, "\x1b[31m")
	assert.Equal(t, plain, stripANSI(colored), "colour changes nothing a person sees but colour")

	lines := tableLines(t, plain)
	want := fieldStarts(lines[0])
	require.Len(t, want, 4)
	for _, l := range lines[1:] {
		assert.Equal(t, want, fieldStarts(l), "line %q", l)
	}
	assert.Contains(t, plain, "lízenz           fail     1         0\n")
}

func TestVisibleWidth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"fail", 4},
		{"\x1b[31mfail\x1b[0m", 4},
		{"lízenz", 6},
		{"\x1b]8;;https://x\x07link\x1b]8;;\x07", 4},
		{"\x1b]8;;https://x\x1b\\link", 4},
		{"", 0},
		{"\x1b[", 0},
	} {
		assert.Equal(t, tt.want, visibleWidth(tt.in), "%q", tt.in)
	}
}

func TestWaiverThrough(t *testing.T) {
	day := &policy.Waiver{Expires: time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC)}
	assert.Equal(t, "through 2026-12-15 (UTC)", WaiverThrough(day))
	instant := &policy.Waiver{Expires: time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC)}
	assert.Equal(t, "until 2026-12-15T12:00:00Z", WaiverThrough(instant))
	assert.Empty(t, WaiverThrough(nil))
}

// TestTextShowsCustomPassingKinds: a custom rule's kind that ran and found
// nothing is a row of the check table.
func TestTextShowsCustomPassingKinds(t *testing.T) {
	d := loadDecision(t)
	rules := append(loadRules(t), policy.RuleInfo{ID: "license.allowed", Kind: "license", Title: "Licences are allowed"})
	out := render(t, "text", d, Options{Rules: rules})
	assert.Contains(t, strings.Join(tableLines(t, out), "\n"), "\nlicense          pass     0         0")
	out = render(t, "text", d, Options{Rules: loadRules(t)})
	assert.NotContains(t, out, "license ")
	// the engine's meta rules are not checks
	meta := append(loadRules(t), policy.RuleInfo{ID: "waiver.expired", Kind: "waiver", Source: "engine/waivers.go"})
	out = render(t, "text", d, Options{Rules: meta})
	assert.NotContains(t, out, "\nwaiver ")
}

// TestSARIFSrcRoot: repository-relative locations are %SRCROOT%-relative
// (uriBaseId), %SRCROOT% is declared when the workspace is known, and
// evidence outside the workspace is not given the base.
func TestSARIFSrcRoot(t *testing.T) {
	d := loadDecision(t)
	d.Findings[1].Evidence = "/home/runner/work/api/api/dist/sbom.cdx.json"
	d.Findings[3].Evidence = "/tmp/outside/app.intoto.jsonl"
	out := render(t, "sarif", d, Options{Root: "/home/runner/work/api/api"})
	var log struct {
		Runs []struct {
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			Results            []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	assert.Equal(t, "file:///home/runner/work/api/api/", log.Runs[0].OriginalURIBaseIDs[SRCRootBase].URI)
	locs := map[string]string{}
	for _, r := range log.Runs[0].Results {
		a := r.Locations[0].PhysicalLocation.ArtifactLocation
		locs[a.URI] = a.URIBaseID
	}
	assert.Equal(t, SRCRootBase, locs["dist/sbom.cdx.json"], "inside the workspace: relative to %SRCROOT%")
	assert.Equal(t, "", locs["file:///tmp/outside/app.intoto.jsonl"], "outside: no base claimed")
	out = render(t, "sarif", loadDecision(t), Options{})
	assert.NotContains(t, out, "originalUriBaseIds", "no workspace, no declared root")
}
