package vexdoc_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

const demoDigest = "sha256:1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", name))
	require.NoError(t, err)
	return b
}

func TestParseHubCycloneDXVEX(t *testing.T) {
	doc, err := vexdoc.Parse(readFixture(t, "vex/hub-vex.cdx.json"), vexdoc.Options{})
	require.NoError(t, err)
	assert.Equal(t, vexdoc.FormatCycloneDXJSON, doc.Format)
	assert.Empty(t, doc.Issues)
	require.Len(t, doc.Statements, 10, "one statement per exemption")
	s := doc.Statements[0]
	assert.Equal(t, "CVE-2025-0001", s.Vulnerability)
	assert.Equal(t, vexdoc.StatusNotAffected, s.Status)
	assert.Equal(t, "component_not_present", s.Justification)
	assert.Contains(t, s.Impact, "Cryptographic helper")
	assert.Equal(t, time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), s.Timestamp)
	assert.Equal(t, "vulnerabilities[0]", s.Path)
	require.Len(t, s.Products, 1, "no affects: the statement is about metadata.component")
	assert.Equal(t, []string{demoDigest}, s.Products[0].Digests)
	assert.True(t, s.Justified())
	assert.Equal(t, time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), doc.Statements[9].Timestamp)
}

func TestParseOpenVEX(t *testing.T) {
	doc, err := vexdoc.Parse(readFixture(t, "vex/openvex-subject.json"), vexdoc.Options{})
	require.NoError(t, err)
	assert.Equal(t, vexdoc.FormatOpenVEX, doc.Format)
	require.Len(t, doc.Statements, 3)
	s := doc.Statements[0]
	assert.Equal(t, "CVE-2024-0727", s.Vulnerability)
	assert.Equal(t, []string{"GHSA-9v9h-cgj8-h64p"}, s.Aliases)
	assert.Equal(t, time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC), s.Timestamp, "inherits the document timestamp")
	require.Len(t, s.Products, 1)
	assert.Equal(t, []string{demoDigest}, s.Products[0].Digests, "the digest of a pkg:oci purl binds the product")
	require.Len(t, s.Products[0].Subcomponents, 1)
	assert.Equal(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64", s.Products[0].Subcomponents[0].PURLs[0].Canonical)
	assert.False(t, doc.Statements[2].Justified(), "not_affected without justification or impact")
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		max      int64
		want     string
		wantLine int
		wantPath string
	}{
		{name: "empty", data: "", want: "empty document"},
		{name: "text", data: "CVE-2025-0001 not_affected", want: "not a vex document", wantLine: 1},
		{name: "truncated openvex", data: `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [`, want: "truncated", wantLine: 1},
		{name: "trailing comma", data: "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n \"statements\": [],\n}", want: "invalid json", wantLine: 3},
		{name: "legacy openvex", data: `{"@context": "https://openvex.dev/ns/v0.0.1", "statements": []}`, want: "openvex v0.0.1 is not supported", wantPath: "@context"},
		{name: "versionless context", data: `{"@context": "https://openvex.dev/ns", "statements": []}`, want: "not supported", wantPath: "@context"},
		{name: "csaf advisory, not vex", data: `{"document": {"csaf_version": "2.0", "category": "csaf_security_advisory"}}`, want: "is not a VEX document: want csaf_vex", wantPath: "document.category"},
		{name: "csaf vex missing required fields", data: `{"document": {"csaf_version": "2.0", "category": "csaf_vex"}}`, want: "not a valid CSAF 2.0 document"},
		{name: "unknown json", data: `{"hello": 1}`, want: "not a vex document"},
		{name: "context not a string", data: `{"@context": 5}`, want: "want a string", wantPath: "@context"},
		{name: "wrong type", data: "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n\"statements\": [{\"status\": 7}]}", want: "cannot use", wantLine: 2},
		{name: "oversized", data: `{"@context": "https://openvex.dev/ns/v0.2.0"}`, max: 10, want: "size limit"},
		{name: "bad cyclonedx", data: `{"bomFormat": "CycloneDX", "specVersion": "0.1"}`, want: "spec", wantPath: "specVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := vexdoc.Parse([]byte(tt.data), vexdoc.Options{MaxSize: tt.max})
			require.Error(t, err)
			assert.Nil(t, doc)
			assert.Contains(t, err.Error(), tt.want)
			var se *parse.Error
			require.True(t, errors.As(err, &se))
			if tt.wantLine > 0 {
				assert.Equal(t, tt.wantLine, se.Line)
			}
			if tt.wantPath != "" {
				assert.Equal(t, tt.wantPath, se.Path)
			}
		})
	}
}

func TestParseIssues(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantPath string
		want     string
		stmts    int
	}{
		{name: "unknown status", data: `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:npm/a@1"}],"status":"fine"}]}`, wantPath: "statements[0].status", want: "unknown status", stmts: 0},
		{name: "no vulnerability", data: `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"products":[{"@id":"pkg:npm/a@1"}],"status":"fixed"}]}`, wantPath: "statements[0].vulnerability", want: "no vulnerability", stmts: 0},
		{name: "invalid purl", data: `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:/x"}],"status":"fixed"}]}`, wantPath: "statements[0].products[0].@id", want: "invalid purl", stmts: 1},
		{name: "no products", data: `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"fixed"}]}`, wantPath: "statements[0].products", want: "applies to nothing", stmts: 1},
		{name: "cdx unknown state", data: `{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"maybe"}}]}`, wantPath: "vulnerabilities[0].analysis.state", want: "unknown analysis state", stmts: 0},
		{name: "cdx bad timestamp", data: `{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"type":"container","name":"x","bom-ref":"x"}},"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected","detail":"d","lastUpdated":"yesterday"}}]}`, wantPath: "vulnerabilities[0].analysis.lastUpdated", want: "invalid timestamp", stmts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := vexdoc.Parse([]byte(tt.data), vexdoc.Options{})
			require.NoError(t, err)
			require.NotEmpty(t, doc.Issues)
			assert.Equal(t, tt.wantPath, doc.Issues[0].Path)
			assert.Contains(t, doc.Issues[0].Message, tt.want)
			assert.Len(t, doc.Statements, tt.stmts)
		})
	}
}

func TestCycloneDXRefs(t *testing.T) {
	data := `{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:1b671687-395b-41f5-a30f-a58921a69b79",
	"metadata":{"component":{"type":"container","name":"img","bom-ref":"img","properties":[{"name":"subject.digest","value":"` + demoDigest + `"}]}},
	"components":[{"type":"library","name":"a","version":"1","bom-ref":"a-ref","purl":"pkg:npm/a@1"}],
	"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"resolved"},"affects":[{"ref":"img"},{"ref":"a-ref"},{"ref":"urn:cdx:1b671687-395b-41f5-a30f-a58921a69b79/1#a-ref"},{"ref":"pkg:pypi/b@2"},{"ref":"sbom-ref"}]}]}`
	resolve := func(ref string) (bom.Component, bool) {
		if ref == "sbom-ref" {
			return bom.Component{PURL: "pkg:golang/example.com/c@v1.0.0"}, true
		}
		return bom.Component{}, false
	}
	doc, err := vexdoc.Parse([]byte(data), vexdoc.Options{Resolve: resolve})
	require.NoError(t, err)
	assert.Empty(t, doc.Issues)
	require.Len(t, doc.Statements, 1)
	s := doc.Statements[0]
	assert.Equal(t, vexdoc.StatusFixed, s.Status, "resolved maps to fixed")
	require.Len(t, s.Products, 5)
	assert.Equal(t, []string{demoDigest}, s.Products[0].Digests, "the subject.digest property binds metadata.component")
	assert.Equal(t, "pkg:npm/a@1", s.Products[1].PURLs[0].Canonical)
	assert.Equal(t, "pkg:npm/a@1", s.Products[2].PURLs[0].Canonical, "a BOM-Link resolves by its fragment")
	assert.Equal(t, "pkg:pypi/b@2", s.Products[3].PURLs[0].Canonical)
	assert.Equal(t, "pkg:golang/example.com/c@v1.0.0", s.Products[4].PURLs[0].Canonical, "resolved through the sbom")
}

func corpusDir(t *testing.T, sub string) string {
	t.Helper()
	d := filepath.Join("..", "..", "..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(d); err != nil {
		t.Skipf("corpus %s not present: %v", d, err)
	}
	return d
}

// TestCorpusOpenVEX parses the public OpenVEX examples: every v0.2 document
// parses; legacy, CSAF and non-strict JSON documents are rejected with a
// clear error.
func TestCorpusOpenVEX(t *testing.T) {
	dir := corpusDir(t, "openvex")
	want := map[string]string{ // file → "" (parses) or an error substring
		"spec-examples/minimal-document.json":              "",
		"spec-examples/inheritance-before-update.json":     "",
		"spec-examples/inheritance-after-update.json":      "invalid json",
		"spec-examples/spring-log4shell-not-affected.json": "invalid json",
		"go-vex/v0.2.0.json":                               "",
		"go-vex/v020-1.vex.json":                           "",
		"go-vex/v020-2.vex.json":                           "",
		"go-vex/inline-nil-timestamp.json":                 "",
		"go-vex/v0.0.1.json":                               "not supported",
		"go-vex/v0.0.1-noversion.json":                     "not supported",
		"go-vex/v001-1.vex.json":                           "not supported",
		"go-vex/v001-2.vex.json":                           "not supported",
		"go-vex/csaf.json":                                 "",
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if os.IsNotExist(err) {
				t.Skip("not in this corpus")
			}
			require.NoError(t, err)
			doc, err := vexdoc.Parse(b, vexdoc.Options{})
			if w == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, doc.Statements)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), w)
			if w == "invalid json" {
				var se *parse.Error
				require.True(t, errors.As(err, &se))
				assert.Greater(t, se.Line, 1, "the error names the line")
			}
		})
	}
}

// TestCorpusCycloneDXVEX parses the public CycloneDX VEX use cases.
func TestCorpusCycloneDXVEX(t *testing.T) {
	dir := corpusDir(t, filepath.Join("cyclonedx", "bom-examples", "VEX"))
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(filepath.Base(p), "vex") {
			return err
		}
		n++
		t.Run(strings.TrimPrefix(p, dir), func(t *testing.T) {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			doc, err := vexdoc.Parse(b, vexdoc.Options{})
			require.NoError(t, err)
			assert.NotEmpty(t, doc.Statements)
			for _, is := range doc.Issues {
				t.Logf("issue: %s: %s", is.Path, is.Message)
			}
		})
		return nil
	}))
	require.Greater(t, n, 10)
}
