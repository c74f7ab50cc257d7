package bom_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

const demoDigest = "sha256:1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", name))
	require.NoError(t, err)
	return b
}

func TestParseCycloneDX(t *testing.T) {
	doc, err := bom.Parse(readFixture(t, "sbom/demo.cdx.json"), bom.Options{})
	require.NoError(t, err)
	assert.Equal(t, bom.FormatCycloneDXJSON, doc.Format)
	assert.Equal(t, "1.5", doc.SpecVersion)
	require.NotNil(t, doc.Subject)
	assert.Equal(t, "demo-image", doc.Subject.Name)
	assert.Equal(t, []string{demoDigest}, doc.Subject.Digests)
	assert.Equal(t, "metadata.component", doc.Subject.Path)
	require.Len(t, doc.Components, 4, "nested components are flattened")
	assert.Equal(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", doc.Components[0].PURL)
	assert.Equal(t, []string{"Apache-2.0"}, doc.Components[0].Licenses)
	assert.Equal(t, []string{"sha256:" + strings.Repeat("a", 64)}, doc.Components[0].Digests)
	assert.Equal(t, []string{"GPL-3.0-or-later WITH Classpath-exception-2.0"}, doc.Components[1].Licenses)
	assert.Equal(t, "", doc.Components[2].PURL, "vendored-helper has no purl")
	assert.Equal(t, "components[2].components[0]", doc.Components[3].Path)
	assert.Equal(t, "pkg:npm/lodash@4.17.21", doc.Components[3].PURL)
	assert.Empty(t, doc.Issues)
}

func TestParseCycloneDXXML(t *testing.T) {
	x := `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <metadata><component type="application" bom-ref="app"><name>app</name>
    <hashes><hash alg="SHA-256">` + strings.Repeat("b", 64) + `</hash></hashes></component></metadata>
  <components>
    <component type="library"><name>x</name><version>1</version><purl>pkg:NPM/x@1</purl></component>
    <component type="library"><name>bad</name><purl>not-a-purl</purl></component>
  </components>
</bom>`
	doc, err := bom.Parse([]byte("\n  "+x), bom.Options{})
	require.NoError(t, err)
	assert.Equal(t, bom.FormatCycloneDXXML, doc.Format)
	assert.Equal(t, "1.4", doc.SpecVersion)
	require.NotNil(t, doc.Subject)
	assert.Equal(t, []string{"sha256:" + strings.Repeat("b", 64)}, doc.Subject.Digests)
	require.Len(t, doc.Components, 2)
	assert.Equal(t, "pkg:npm/x@1", doc.Components[0].PURL, "type is canonicalised to lower case")
	require.Len(t, doc.Issues, 1)
	assert.Equal(t, "components[1].purl", doc.Issues[0].Path)
}

func TestParseSPDX(t *testing.T) {
	doc, err := bom.Parse(readFixture(t, "sbom/demo.spdx.json"), bom.Options{})
	require.NoError(t, err)
	assert.Equal(t, bom.FormatSPDXJSON, doc.Format)
	assert.Equal(t, "SPDX-2.3", doc.SpecVersion)
	require.NotNil(t, doc.Subject, "documentDescribes names the image package")
	assert.Equal(t, "demo-image", doc.Subject.Name)
	assert.Equal(t, []string{demoDigest}, doc.Subject.Digests)
	require.Len(t, doc.Components, 3)
	assert.Equal(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", doc.Components[1].PURL)
	assert.Equal(t, []string{"Apache-2.0"}, doc.Components[1].Licenses)
	assert.Equal(t, []string{"GPL-2.0-only OR MIT"}, doc.Components[2].Licenses)
	require.Len(t, doc.Issues, 1)
	assert.Equal(t, "packages[2].externalRefs[0].referenceLocator", doc.Issues[0].Path)
	assert.Empty(t, doc.Components[2].PURL)
}

func TestParseErrors(t *testing.T) {
	good := readFixture(t, "sbom/demo.cdx.json")
	tests := []struct {
		name     string
		data     []byte
		max      int64
		wantLine int
		wantPath string
		want     string
		tooLarge bool
	}{
		{name: "empty", data: nil, want: "empty document"},
		{name: "spaces", data: []byte("  \n "), want: "empty document"},
		{name: "not json or xml", data: []byte("hello"), wantLine: 1, want: "not an sbom"},
		{name: "truncated", data: good[:len(good)/2], wantLine: 23, want: "truncated"},
		{name: "syntax error line", data: []byte("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\" \"x\"\n}"), wantLine: 3, want: "invalid json"},
		{name: "unknown bomFormat", data: []byte(`{"bomFormat":"SWID"}`), wantPath: "bomFormat", want: "unknown bomFormat"},
		{name: "bad specVersion", data: []byte(`{"bomFormat":"CycloneDX","specVersion":"9.9"}`), wantPath: "specVersion", want: "spec"},
		{name: "wrong type", data: []byte("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\n\"components\":[{\"name\":5}]}"), wantLine: 2, wantPath: "components.name", want: "cannot use"},
		{name: "neither", data: []byte(`{"hello":"world"}`), want: "no bomFormat"},
		{name: "unsupported spdx", data: []byte(`{"spdxVersion":"SPDX-9.0"}`), want: "unsupported"},
		{name: "xml garbage", data: []byte("<bom><unclosed>"), want: "xml"},
		{name: "xml not cyclonedx", data: []byte(`<html xmlns="http://www.w3.org/1999/xhtml"></html>`), want: "expected element type <bom>"},
		{name: "oversized", data: good, max: 100, tooLarge: true, want: "size limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := bom.Parse(tt.data, bom.Options{MaxSize: tt.max})
			require.Error(t, err)
			assert.Nil(t, doc)
			assert.Contains(t, err.Error(), tt.want)
			var se *parse.Error
			require.True(t, errors.As(err, &se), "error %v carries a position", err)
			if tt.wantLine > 0 {
				assert.Equal(t, tt.wantLine, se.Line)
			}
			if tt.wantPath != "" {
				assert.Equal(t, tt.wantPath, se.Path)
			}
			assert.Equal(t, tt.tooLarge, errors.Is(err, parse.ErrTooLarge))
		})
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\nef")
	for _, tt := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {4, 2, 2}, {7, 3, 2}, {100, 3, 3}} {
		l, c := parse.LineCol(data, tt.off)
		assert.Equal(t, [2]int{tt.line, tt.col}, [2]int{l, c}, "offset %d", tt.off)
	}
}

func TestLicenseIDs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"MIT", []string{"MIT"}},
		{"MIT OR GPL-3.0-only", []string{"MIT", "GPL-3.0-only"}},
		{"(Apache-2.0 AND BSD-3-Clause) OR GPL-2.0+", []string{"Apache-2.0", "BSD-3-Clause", "GPL-2.0+"}},
		{"GPL-2.0-only WITH Classpath-exception-2.0", []string{"GPL-2.0-only"}},
		{"LicenseRef-scancode-x", []string{"LicenseRef-scancode-x"}},
		{"", nil},
	} {
		t.Run(tt.in, func(t *testing.T) { assert.Equal(t, tt.want, bom.LicenseIDs(tt.in)) })
	}
}

func TestNormalizeAlg(t *testing.T) {
	for in, want := range map[string]string{"SHA-256": "sha256", "SHA256": "sha256", "sha-512": "sha512", "SHA3-256": "sha3-256", "sha3_512": "sha3-512", "MD5": "md5", "BLAKE3": "blake3"} {
		assert.Equal(t, want, bom.NormalizeAlg(in), in)
	}
}

func TestMatchPURL(t *testing.T) {
	parse := func(s string) bom.PURL {
		p, err := bom.ParsePURL(s)
		require.NoError(t, err, s)
		return p
	}
	tests := []struct {
		stmt, comp string
		ok         bool
		reason     string
	}{
		{"pkg:npm/a@1", "pkg:npm/a@1", true, ""},
		{"pkg:NPM/a@1", "pkg:npm/a@1", true, ""},
		{"pkg:npm/a@1", "pkg:npm/a@1?arch=x", true, ""},
		{"pkg:npm/a@1?arch=x", "pkg:npm/a@1?arch=x&os=linux", true, ""},
		{"pkg:npm/a@1?arch=x", "pkg:npm/a@1", false, "qualifier arch=x is not on"},
		{"pkg:npm/a@1?arch=x", "pkg:npm/a@1?arch=y", false, "differs from arch=y"},
		{"pkg:npm/a@1", "pkg:npm/a@2", false, "version 1 differs from the affected version 2"},
		{"pkg:npm/a", "pkg:npm/a@2", false, "version (none)"},
		{"pkg:npm/a@1", "pkg:npm/b@1", false, "is not"},
		{"pkg:npm/a@1", "pkg:pypi/a@1", false, "is not"},
		{"pkg:golang/x/y@1#sub", "pkg:golang/x/y@1", false, "subpath"},
	}
	for _, tt := range tests {
		t.Run(tt.stmt+" vs "+tt.comp, func(t *testing.T) {
			ok, why := bom.MatchPURL(parse(tt.stmt), parse(tt.comp))
			assert.Equal(t, tt.ok, ok)
			if tt.reason != "" {
				assert.Contains(t, why, tt.reason)
			}
		})
	}
}

// corpusDir returns the shared corpus folder, or skips.
func corpusDir(t *testing.T, sub string) string {
	t.Helper()
	d := filepath.Join("..", "..", "..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(d); err != nil {
		t.Skipf("corpus %s not present: %v", d, err)
	}
	return d
}

// TestCorpusCycloneDX parses every public CycloneDX example (SBOMs, VEX,
// CBOM, HBOM, SaaSBOM, OBOM; spec 1.1–1.6, JSON and XML).
func TestCorpusCycloneDX(t *testing.T) {
	dir := corpusDir(t, "cyclonedx")
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if ext != ".json" && ext != ".xml" {
			return nil
		}
		n++
		t.Run(strings.TrimPrefix(p, dir), func(t *testing.T) {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			doc, err := bom.Parse(b, bom.Options{})
			require.NoError(t, err)
			require.NotNil(t, doc)
			for _, is := range doc.Issues {
				t.Logf("issue: %s: %s", is.Path, is.Message)
			}
		})
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 30)
}

type purlTest struct {
	Description     string          `json:"description"`
	TestType        string          `json:"test_type"`
	Input           json.RawMessage `json:"input"`
	ExpectedOutput  json.RawMessage `json:"expected_output"`
	ExpectedFailure bool            `json:"expected_failure"`
}

// knownPURLDeviations are purl-spec cases packageurl-go v0.1.7 does not
// follow; hubgate canonicalises with the library, so they are recorded here
// rather than patched.
var knownPURLDeviations = map[string]bool{
	// The library lower-cases qualifier keys instead of rejecting upper-case
	// ones; the canonical form is the same either way.
	"pkg:gem/jruby-launcher@1.1.2?Platform=java":                   true,
	"pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25": true,
	// The library does not lower-case git namespaces and names.
	"pkg:git/github/Package-url/purl-Spec@244fd47e07d1004f0aed9c": true,
}

// TestPURLSuite drives canonicalisation with the purl-spec test suite:
// every "validate" case must canonicalise to its expected output, and every
// "parse" case marked as a failure must be rejected.
func TestPURLSuite(t *testing.T) {
	dir := corpusDir(t, "purl/tests")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var pass, dev int
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var suite struct {
			Tests []purlTest `json:"tests"`
		}
		require.NoError(t, json.Unmarshal(b, &suite))
		for _, tc := range suite.Tests {
			var in string
			if json.Unmarshal(tc.Input, &in) != nil {
				continue // build cases take components, not strings
			}
			switch {
			case tc.TestType == "validate" && !tc.ExpectedFailure:
				var want string
				require.NoError(t, json.Unmarshal(tc.ExpectedOutput, &want))
				got, err := bom.CanonicalPURL(in)
				if knownPURLDeviations[in] {
					dev++
					continue
				}
				if assert.NoError(t, err, "%s: %s", filepath.Base(f), in) {
					assert.Equal(t, want, got, "%s: %s", filepath.Base(f), tc.Description)
				}
				pass++
			case tc.TestType == "parse" && tc.ExpectedFailure:
				if knownPURLDeviations[in] {
					dev++
					continue
				}
				_, err := bom.ParsePURL(in)
				assert.Error(t, err, "%s: %s must be rejected (%s)", filepath.Base(f), in, tc.Description)
				pass++
			}
		}
	}
	t.Logf("%d purl-spec cases checked, %d known deviations", pass, dev)
	require.Greater(t, pass, 150)
}

func TestParseNeverPanicsOnPrefixes(t *testing.T) {
	for _, name := range []string{"sbom/demo.cdx.json", "sbom/demo.spdx.json"} {
		b := readFixture(t, name)
		for i := 0; i < len(b); i += 7 {
			_, _ = bom.Parse(b[:i], bom.Options{})
		}
		_, err := bom.Parse(bytes.Repeat([]byte("["), 20000), bom.Options{})
		assert.Error(t, err)
	}
}
