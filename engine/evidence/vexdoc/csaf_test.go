package vexdoc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

func readCSAF(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "vex", "csaf", name))
	require.NoError(t, err)
	return b
}

func mustPURL(t *testing.T, s string) bom.PURL {
	t.Helper()
	p, err := bom.ParsePURL(s)
	require.NoError(t, err)
	return p
}

// TestCSAFReal reads real CSAF 2.0 VEX documents (fixtures/vex/csaf/README.md
// names their origin): statuses, flags and threats, and product ids resolved
// through the product tree, relationships included.
func TestCSAFReal(t *testing.T) {
	t.Run("go-vex test data (OASIS use case 1 shape)", func(t *testing.T) {
		doc, err := vexdoc.Parse(readCSAF(t, "go-vex-csaf.json"), vexdoc.Options{})
		require.NoError(t, err)
		assert.Equal(t, vexdoc.FormatCSAF, doc.Format)
		assert.Equal(t, "2022-EVD-UC-01-NA-001", doc.ID)
		require.Len(t, doc.Statements, 1)
		s := doc.Statements[0]
		assert.Equal(t, "CVE-2009-4487", s.Vulnerability)
		assert.Equal(t, vexdoc.StatusNotAffected, s.Status)
		assert.Equal(t, "vulnerabilities[0].product_status.known_not_affected[0]", s.Path)
		assert.Equal(t, "Class with vulnerable code was removed before shipping.", s.Impact, "the impact threat is the impact statement")
		assert.True(t, s.Justified())
		assert.Equal(t, time.Date(2022, 3, 3, 11, 0, 0, 0, time.UTC), s.Timestamp.UTC())
		require.Len(t, s.Products, 1)
		assert.Equal(t, "CSAFPID-0001", s.Products[0].ID)
		assert.Equal(t, "pkg:golang/github.com/go-homedir@v1.2.0", s.Products[0].Name(), "resolved through branches to the purl")
		assert.Empty(t, doc.Issues)
		m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{})
		assert.True(t, m.Match(vexdoc.Query{ID: "CVE-2009-4487", PURLs: []bom.PURL{mustPURL(t, "pkg:golang/github.com/go-homedir@v1.2.0")}}).Suppressed)
		assert.False(t, m.Match(vexdoc.Query{ID: "CVE-2009-4487", PURLs: []bom.PURL{mustPURL(t, "pkg:golang/github.com/go-homedir@v1.3.0")}}).Suppressed, "another version")
	})
	t.Run("Trivy test data: relationship resolves to parent with subcomponent", func(t *testing.T) {
		doc, err := vexdoc.Parse(readCSAF(t, "trivy-csaf-relationships.json"), vexdoc.Options{})
		require.NoError(t, err)
		require.Len(t, doc.Statements, 1)
		s := doc.Statements[0]
		assert.Equal(t, "CVE-2024-0001", s.Vulnerability)
		assert.Equal(t, vexdoc.StatusNotAffected, s.Status)
		assert.Equal(t, "vulnerable_code_cannot_be_controlled_by_adversary", s.Justification, "the flag label is the justification")
		assert.Empty(t, s.Impact, "the impact threat names no product: it justifies nothing here")
		require.Len(t, s.Products, 1)
		p := s.Products[0]
		assert.Equal(t, "pkg:golang/github.com/aquasecurity/go-direct1@v2.0.0", p.Name())
		require.Len(t, p.Subcomponents, 1)
		assert.Equal(t, "pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0", p.Subcomponents[0].Name())
		assert.Empty(t, doc.Issues)

		// "go-transitive as a component of go-direct1": it says nothing
		// about a release that is not go-direct1 (bound to the subject as
		// OpenVEX subcomponents are), and is a near miss there.
		m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Subjects: []string{"sha256:" + hex64}})
		other := m.Match(vexdoc.Query{ID: "CVE-2024-0001", PURLs: []bom.PURL{mustPURL(t, "pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0")}})
		assert.False(t, other.Suppressed, "a statement for another product")
		assert.NotZero(t, other.NearMissTotal)
	})
}

// csafDoc is a minimal valid csaf_vex document with the given product tree
// and vulnerabilities.
func csafDoc(tree, vulns string) string {
	return `{"document": {"category": "csaf_vex", "csaf_version": "2.0",
  "publisher": {"category": "vendor", "name": "Acme PSIRT", "namespace": "https://psirt.acme.example"},
  "title": "Acme VEX", "tracking": {"current_release_date": "2026-11-01T00:00:00Z", "id": "ACME-VEX-1",
  "initial_release_date": "2026-10-01T00:00:00Z", "revision_history": [{"date": "2026-11-01T00:00:00Z", "number": "1", "summary": "Initial"}],
  "status": "final", "version": "1"}},
 "product_tree": ` + tree + `, "vulnerabilities": ` + vulns + `}`
}

const csafTree = `{"full_product_names": [
  {"name": "app 1.2.3", "product_id": "APP-1.2.3", "product_identification_helper": {"purl": "pkg:oci/app@sha256:` + hex64 + `",
   "hashes": [{"filename": "app.tar", "file_hashes": [{"algorithm": "sha256", "value": "` + hex64 + `"}]}]}},
  {"name": "openssl 3.0.11", "product_id": "OPENSSL", "product_identification_helper": {"purl": "pkg:deb/debian/openssl@3.0.11-1"}}],
 "relationships": [{"category": "default_component_of", "product_reference": "OPENSSL", "relates_to_product_reference": "APP-1.2.3",
  "full_product_name": {"name": "openssl in app 1.2.3", "product_id": "APP-1.2.3:OPENSSL"}}],
 "product_groups": [{"group_id": "ALL", "product_ids": ["APP-1.2.3", "OPENSSL"]}]}`

const hex64 = "1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

func TestCSAFStatusesAndGroups(t *testing.T) {
	doc, err := vexdoc.Parse([]byte(csafDoc(csafTree, `[
  {"cve": "CVE-2026-0001", "ids": [{"system_name": "GHSA", "text": "GHSA-aaaa-bbbb-cccc"}],
   "product_status": {"known_not_affected": ["APP-1.2.3"], "known_affected": ["OPENSSL"]},
   "flags": [{"label": "component_not_present", "group_ids": ["ALL"]}],
   "remediations": [{"category": "vendor_fix", "details": "upgrade to 3.0.12", "product_ids": ["OPENSSL"]}]},
  {"cve": "CVE-2026-0002", "product_status": {"fixed": ["APP-1.2.3"], "under_investigation": ["OPENSSL"]}},
  {"cve": "CVE-2026-0003", "product_status": {"known_not_affected": ["APP-1.2.3"]}},
  {"cve": "CVE-2026-0004", "product_status": {"known_not_affected": ["APP-1.2.3:OPENSSL"]}, "threats": [{"category": "impact", "details": "the TLS code is never called", "product_ids": ["APP-1.2.3:OPENSSL"]}]}]`)), vexdoc.Options{})
	require.NoError(t, err)
	require.Len(t, doc.Statements, 6)
	got := map[string]vexdoc.Statement{}
	for _, s := range doc.Statements {
		got[s.Vulnerability+" "+s.Products[0].ID] = s
	}
	na := got["CVE-2026-0001 APP-1.2.3"]
	assert.Equal(t, vexdoc.StatusNotAffected, na.Status)
	assert.Equal(t, "component_not_present", na.Justification, "a flag for a product group applies to its products")
	assert.Equal(t, []string{"GHSA-aaaa-bbbb-cccc"}, na.Aliases)
	assert.Contains(t, na.Products[0].Digests, "sha256:"+hex64, "the purl's and the hashes' digest")
	aff := got["CVE-2026-0001 OPENSSL"]
	assert.Equal(t, vexdoc.StatusAffected, aff.Status)
	assert.Equal(t, "vendor_fix: upgrade to 3.0.12", aff.Action)
	assert.Empty(t, aff.Justification, "a justification only qualifies not_affected")
	assert.Equal(t, vexdoc.StatusFixed, got["CVE-2026-0002 APP-1.2.3"].Status)
	assert.Equal(t, vexdoc.StatusUnderInvestigation, got["CVE-2026-0002 OPENSSL"].Status)
	bare := got["CVE-2026-0003 APP-1.2.3"]
	assert.False(t, bare.Justified(), "known_not_affected with neither flag nor impact threat justifies nothing")

	// Bound to the subject by digest: the matcher's subject statements.
	m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Subjects: []string{"sha256:" + hex64}})
	assert.True(t, m.Match(vexdoc.Query{ID: "CVE-2026-0001"}).Suppressed)
	assert.False(t, m.Match(vexdoc.Query{ID: "CVE-2026-0001", PURLs: []bom.PURL{mustPURL(t, "pkg:deb/debian/openssl@3.0.11-1")}}).Suppressed, "affected for the component")
	// A relationship: openssl as a component of the subject.
	rel := got["CVE-2026-0004 APP-1.2.3:OPENSSL"]
	require.Len(t, rel.Products[0].Subcomponents, 1)
	assert.True(t, m.Match(vexdoc.Query{ID: "CVE-2026-0004", PURLs: []bom.PURL{mustPURL(t, "pkg:deb/debian/openssl@3.0.11-1")}}).Suppressed)
	other := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Subjects: []string{"sha256:" + strings.Repeat("ab", 32)}})
	assert.False(t, other.Match(vexdoc.Query{ID: "CVE-2026-0004", PURLs: []bom.PURL{mustPURL(t, "pkg:deb/debian/openssl@3.0.11-1")}}).Suppressed, "another subject")
}

func TestCSAFHostile(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"unknown product id", csafDoc(csafTree, `[{"cve": "CVE-2026-0001", "product_status": {"known_not_affected": ["NOPE"]}, "flags": [{"label": "component_not_present", "product_ids": ["NOPE"]}]}]`), `product id "NOPE" is not in the product tree`},
		{"no vulnerability id", csafDoc(csafTree, `[{"product_status": {"known_not_affected": ["APP-1.2.3"]}}]`), "neither cve nor ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := vexdoc.Parse([]byte(tt.data), vexdoc.Options{})
			require.NoError(t, err)
			assert.Empty(t, doc.Statements)
			var msgs []string
			for _, is := range doc.Issues {
				msgs = append(msgs, is.Path+": "+is.Message)
			}
			assert.Contains(t, strings.Join(msgs, "\n"), tt.want)
		})
	}
	errs := []struct{ name, data, want string }{
		{"unknown flag label", csafDoc(csafTree, `[{"cve": "CVE-2026-0001", "product_status": {"known_not_affected": ["APP-1.2.3"]}, "flags": [{"label": "trust_me", "product_ids": ["APP-1.2.3"]}]}]`), "not a valid CSAF 2.0 document"},
		{"bad cve", csafDoc(csafTree, `[{"cve": "CVE-26-1", "product_status": {"known_not_affected": ["APP-1.2.3"]}}]`), "not a valid CSAF 2.0 document"},
		{"trailing data", csafDoc(csafTree, `[]`) + `{}`, "invalid json"},
		{"security advisory", strings.Replace(csafDoc(csafTree, `[]`), `"csaf_vex"`, `"csaf_security_advisory"`, 1), "want csaf_vex"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vexdoc.Parse([]byte(tt.data), vexdoc.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
