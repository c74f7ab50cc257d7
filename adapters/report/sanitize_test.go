package report

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

// Hostile file names: an ANSI sequence that clears the screen and paints
// "ALLOWED" green, and a right-to-left override that makes "evil\u202Etxt.exe"
// read as "evilexe.txt".
const (
	hostileANSI = "\x1b[2J\x1b[32mALLOWED"
	hostileBidi = "evil\u202Etxt.exe"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, ünïcödé, 日本語", "plain text, ünïcödé, 日本語"},
		{hostileANSI, `\x1b[2J\x1b[32mALLOWED`},
		{hostileBidi, `evil\u202etxt.exe`},
		{"a\nb\rc\td", `a\nb\rc\td`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 \u0085 \u009b31m", `c1 \x85 \x9b31m`},
		{"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", `\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`},
		{"line\u2028para\u2029", `line\u2028para\u2029`},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"zero width joiner \u200d stays", "zero width joiner \u200d stays"},
	} {
		assert.Equal(t, tc.want, Sanitize(tc.in), "%q", tc.in)
		assert.Equal(t, tc.want, Sanitize(Sanitize(tc.in)), "idempotent on %q", tc.in)
	}
}

// hostileDecision puts the hostile names everywhere a renderer shows
// evidence-derived text.
func hostileDecision() *policy.Decision {
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	return &policy.Decision{
		MediaType: policy.DecisionMediaType, ID: "d-hostile", Outcome: policy.OutcomeFail, Repo: "acme/app",
		Subjects: []policy.Subject{{Name: hostileBidi, Digest: policy.Digest{"sha256": strings.Repeat("a", 64)}}},
		Policy:   policy.PolicyRef{Digest: "sha256:" + strings.Repeat("0", 64)},
		Checks:   []policy.Check{{Kind: policy.KindEvidenceBundle, Outcome: policy.OutcomeFail, Findings: 2}},
		Findings: []policy.Finding{
			{
				Rule: "evidence_bundle.unlisted", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh,
				Message:  hostileANSI + " is in evidence but not listed in evidence-manifest.json",
				Evidence: "evidence/" + hostileANSI, Path: "files", Line: 3,
				Target: hostileANSI, Expected: "only the files the manifest lists", Actual: hostileANSI,
				Remediation: "Remove the file.",
			},
			{
				Rule: "evidence_bundle.files", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh,
				Message:  hostileBidi + " is digest mismatch",
				Evidence: "evidence/" + hostileBidi, Path: "files[0]",
				Target: hostileBidi, Expected: "sha256 " + hostileBidi, Actual: "\u2067" + hostileBidi + "\u2069",
				Waiver: &policy.Waiver{Reason: "known " + hostileANSI, Owner: hostileBidi, Expires: exp},
			},
		},
		Time: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
	}
}

// hostileRaw reports a raw control or bidi character in s.
func hostileRaw(s string) (rune, bool) {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue // the formats' own structure
		}
		if isControl(r) || isBidiOrSeparator(r) {
			return r, true
		}
	}
	return 0, false
}

// displayed returns the strings a viewer of format shows: the bytes for
// text formats, the decoded strings of SARIF (JSON) and JUnit (XML).
func displayed(t *testing.T, format, out string) []string {
	t.Helper()
	switch format {
	case "sarif":
		var v any
		require.NoError(t, json.Unmarshal([]byte(out), &v))
		var all []string
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case string:
				all = append(all, x)
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					all = append(all, k)
					walk(e)
				}
			}
		}
		walk(v)
		return all
	case "junit":
		var all []string
		dec := xml.NewDecoder(strings.NewReader(out))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			switch tok := tok.(type) {
			case xml.CharData:
				all = append(all, string(tok))
			case xml.StartElement:
				for _, a := range tok.Attr {
					all = append(all, a.Value)
				}
			}
		}
		return all
	}
	return []string{out}
}

// TestGoldenHostileNames renders a decision about hostile file names in
// every display format: the golden files show the names escaped, and no raw
// control or bidi character reaches what a viewer shows. The JSON decision
// is data, not display: it keeps the names exactly (encoding/json escapes C0
// controls), so that consumers can still find the file.
func TestGoldenHostileNames(t *testing.T) {
	d := hostileDecision()
	opts := Options{Rules: loadRules(t), StopToken: testToken}
	for _, tt := range []struct{ format, file string }{
		{"text", "hostile.txt"},
		{"markdown", "hostile.md"},
		{"github", "hostile.github.txt"},
		{"sarif", "hostile.sarif"},
		{"junit", "hostile.junit.xml"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			got := render(t, tt.format, d, opts)
			for _, s := range displayed(t, tt.format, got) {
				r, bad := hostileRaw(s)
				assert.False(t, bad, "raw %U in %s output: %q", r, tt.format, s)
			}
			assert.NotContains(t, got, "\x1b")
			assert.NotContains(t, got, "\u202e")
			path := filepath.Join(fixture(t, "report"), "golden", tt.file)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create it")
			require.Equal(t, string(want), got)
		})
	}
	t.Run("pipeline run reason", func(t *testing.T) {
		for _, e := range PolicyEntries(d, nil) {
			_, bad := hostileRaw(e.Reason)
			assert.False(t, bad, "%q", e.Reason)
		}
	})
	t.Run("json keeps the data", func(t *testing.T) {
		var back policy.Decision
		require.NoError(t, json.Unmarshal([]byte(render(t, "json", d, opts)), &back))
		assert.Equal(t, "evidence/"+hostileANSI, back.Findings[0].Evidence)
		assert.Equal(t, hostileBidi, back.Subjects[0].Name)
	})
	t.Run("sarif uri names the real file", func(t *testing.T) {
		out := render(t, "sarif", d, opts)
		assert.Contains(t, out, `"uri": "evidence/%1B%5B2J%1B%5B32mALLOWED"`)
		assert.Contains(t, out, `"uri": "evidence/evil%E2%80%AEtxt.exe"`)
	})
}
