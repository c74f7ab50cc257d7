package vulnerabilities_test

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
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
)

const demoDigest = "sha256:1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", name))
	require.NoError(t, err)
	return b
}

func TestParseGrypeSample(t *testing.T) {
	r, err := vulnerabilities.Parse(readFixture(t, "vulns/grype-report.sample.json"), vulnerabilities.Options{})
	require.NoError(t, err)
	assert.Equal(t, vulnerabilities.FormatGrype, r.Format)
	assert.Equal(t, "ghcr.io/example/demo:latest", r.Target)
	assert.Empty(t, r.Issues)
	require.Len(t, r.Vulnerabilities, 2)
	a, b := r.Vulnerabilities[0], r.Vulnerabilities[1]
	assert.Equal(t, "CVE-2025-0001", a.ID)
	assert.Equal(t, "critical", a.Severity)
	assert.InDelta(t, 9.1, a.CVSS, 1e-9)
	assert.InDelta(t, 0.82, a.EPSS, 1e-9)
	assert.True(t, a.HasEPSS)
	assert.Empty(t, a.PURLs)
	assert.Equal(t, "CVE-2024-9999", b.ID)
	assert.InDelta(t, 6.1, b.CVSS, 1e-9, "max over the related vulnerabilities")
	assert.Equal(t, []string{"CVE-2024-9998"}, b.Aliases)
	assert.InDelta(t, 0.2, b.EPSS, 1e-9)
	assert.Equal(t, "matches[1]", b.Path)
}

func TestParseGrypeRealShape(t *testing.T) {
	data := `{
 "matches": [
  {"vulnerability": {"id": "GHSA-jfh8-c2jp-5v3q", "severity": "Critical",
     "cvss": [{"metrics": {"baseScore": 10}}, {"metrics": {"baseScore": 9.0}}],
     "epss": [{"cve": "CVE-2021-44228", "epss": 0.97, "percentile": 99.9}]},
   "relatedVulnerabilities": [{"id": "CVE-2021-44228", "cvss": [{"metrics": {"baseScore": 10}}]}],
   "artifact": {"name": "log4j-core", "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}},
  {"vulnerability": {"id": "GHSA-jfh8-c2jp-5v3q", "severity": "High", "cvss": [{"metrics": {"baseScore": 9.5}}]},
   "relatedVulnerabilities": [{"id": "CVE-2021-44228"}, {"id": "GHSA-jfh8-c2jp-5v3q"}],
   "artifact": {"name": "log4j-core", "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}},
  {"vulnerability": {"id": "CVE-1", "cvss": [{"metrics": {"baseScore": 11}}]},
   "artifact": {"name": "x", "version": "1", "purl": "pkg:/broken"}},
  {"vulnerability": {"id": "CVE-2", "epss": [{"percentile": 250}]}},
  {"vulnerability": {"id": ""}}
 ],
 "source": {"type": "image", "target": {"userInput": "ghcr.io/acme/app:1.0",
   "manifestDigest": "` + demoDigest + `", "repoDigests": ["ghcr.io/acme/app@` + demoDigest + `"]}}
}`
	r, err := vulnerabilities.Parse([]byte(data), vulnerabilities.Options{})
	require.NoError(t, err)
	assert.Equal(t, "ghcr.io/acme/app:1.0", r.Target)
	assert.Equal(t, []string{demoDigest}, r.TargetDigests)
	require.Len(t, r.Vulnerabilities, 3, "the two log4j matches merge")
	v := r.Vulnerabilities[0]
	assert.Equal(t, []string{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}, v.PURLs)
	assert.Equal(t, "log4j-core@2.14.1", v.Component)
	assert.InDelta(t, 10, v.CVSS, 1e-9)
	assert.InDelta(t, 0.999, v.EPSS, 1e-9, "0–100 is normalised")
	assert.Equal(t, "critical", v.Severity, "the worse severity wins the merge")
	assert.Equal(t, []string{"CVE-2021-44228"}, v.Aliases)
	paths := map[string]string{}
	for _, is := range r.Issues {
		paths[is.Path] = is.Message
	}
	assert.Contains(t, paths["matches[2].vulnerability.cvss[0].metrics.baseScore"], "outside 0–10")
	assert.Contains(t, paths["matches[2].artifact.purl"], "invalid purl")
	assert.Contains(t, paths["matches[3].vulnerability.epss[0].percentile"], "outside")
	assert.Contains(t, paths["matches[4].vulnerability.id"], "no vulnerability id")
	assert.False(t, r.Vulnerabilities[1].HasCVSS, "an invalid score is not used")
	assert.False(t, r.Vulnerabilities[2].HasEPSS)
}

func TestParseCycloneDXVulnerabilities(t *testing.T) {
	data := `{"bomFormat":"CycloneDX","specVersion":"1.6",
 "metadata":{"component":{"type":"container","name":"img","bom-ref":"img","hashes":[{"alg":"SHA-256","content":"` + strings.TrimPrefix(demoDigest, "sha256:") + `"}]}},
 "components":[{"type":"library","name":"a","version":"1","bom-ref":"a","purl":"pkg:npm/a@1"}],
 "vulnerabilities":[
  {"id":"CVE-1","references":[{"id":"GHSA-1","source":{"name":"GitHub"}}],
   "ratings":[{"score":5.0,"severity":"medium","method":"CVSSv31"},{"score":8.8,"severity":"high","method":"CVSSv4"},{"score":0.9,"method":"other","source":{"name":"EPSS"}}],
   "affects":[{"ref":"a"},{"ref":"pkg:pypi/b@2"},{"ref":"sbom-only"},{"ref":"missing"}]}
 ]}`
	resolve := func(ref string) (bom.Component, bool) {
		if ref == "sbom-only" {
			return bom.Component{Name: "c", Version: "3", PURL: "pkg:golang/c@v3"}, true
		}
		return bom.Component{}, false
	}
	r, err := vulnerabilities.Parse([]byte(data), vulnerabilities.Options{Resolve: resolve})
	require.NoError(t, err)
	assert.Equal(t, vulnerabilities.FormatCycloneDXJSON, r.Format)
	assert.Equal(t, []string{demoDigest}, r.TargetDigests)
	require.Len(t, r.Vulnerabilities, 4, "one finding per affected component")
	var got []string
	for _, v := range r.Vulnerabilities {
		assert.InDelta(t, 8.8, v.CVSS, 1e-9)
		assert.InDelta(t, 0.9, v.EPSS, 1e-9)
		assert.Equal(t, "high", v.Severity)
		assert.Equal(t, []string{"GHSA-1"}, v.Aliases)
		got = append(got, strings.Join(v.PURLs, ","))
	}
	assert.Equal(t, []string{"pkg:npm/a@1", "pkg:pypi/b@2", "pkg:golang/c@v3", ""}, got)
	require.Len(t, r.Issues, 1)
	assert.Equal(t, "vulnerabilities[0].affects[3].ref", r.Issues[0].Path)
}

func TestParseErrors(t *testing.T) {
	sample := readFixture(t, "vulns/grype-report.sample.json")
	tests := []struct {
		name     string
		data     []byte
		max      int64
		want     string
		wantLine int
	}{
		{name: "empty", data: nil, want: "empty"},
		{name: "truncated", data: sample[:200], want: "truncated", wantLine: 12},
		{name: "not json", data: []byte("CVE-1 9.8"), want: "not a vulnerability report", wantLine: 1},
		{name: "unknown json", data: []byte(`{"results": []}`), want: "no grype matches"},
		{name: "matches wrong type", data: []byte("{\n\"matches\": {\"a\": 1}}"), want: "cannot use", wantLine: 2},
		{name: "oversized", data: sample, max: 64, want: "size limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := vulnerabilities.Parse(tt.data, vulnerabilities.Options{MaxSize: tt.max})
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), tt.want)
			var se *parse.Error
			require.True(t, errors.As(err, &se))
			if tt.wantLine > 0 {
				assert.Equal(t, tt.wantLine, se.Line)
			}
		})
	}
}

// assess parses the report and VEX fixtures and assesses them for the demo
// subject.
func assess(t *testing.T, report string, vexFiles ...string) []vulnerabilities.Assessment {
	t.Helper()
	r, err := vulnerabilities.Parse(readFixture(t, report), vulnerabilities.Options{})
	require.NoError(t, err)
	var stmts []vexdoc.Statement
	for _, f := range vexFiles {
		d, err := vexdoc.Parse(readFixture(t, f), vexdoc.Options{})
		require.NoError(t, err)
		for i := range d.Statements {
			d.Statements[i].Evidence = f
		}
		stmts = append(stmts, d.Statements...)
	}
	m := vexdoc.NewMatcher(stmts, vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
	return vulnerabilities.Assess([]string{report}, []*vulnerabilities.Report{r}, m, len(vexFiles) > 0)
}

// TestHubData is the acceptance case on the hub's own data.
func TestHubData(t *testing.T) {
	t.Run("bound to the subject", func(t *testing.T) {
		as := assess(t, "vulns/grype-report.sample.json", "vex/hub-vex.cdx.json")
		require.Len(t, as, 2)
		assert.True(t, as[0].Suppressed, "CVE-2025-0001 is suppressed by not_affected")
		assert.Equal(t, vexdoc.StatusNotAffected, as[0].Status)
		require.NotNil(t, as[0].Decision)
		assert.Equal(t, "vex/hub-vex.cdx.json", as[0].Decision.Evidence)
		assert.Equal(t, "", as[0].Reason)
		assert.False(t, as[1].Suppressed, "nothing else is")
		assert.Equal(t, "no VEX statement names CVE-2024-9999 or its aliases", as[1].Reason)
		assert.Equal(t, "CVE-2025-0001", as[0].Target)
	})
	t.Run("bound to another product", func(t *testing.T) {
		as := assess(t, "vulns/grype-report.sample.json", "vex/hub-vex-other-product.cdx.json")
		require.Len(t, as, 2)
		assert.False(t, as[0].Suppressed)
		require.Len(t, as[0].NearMisses, 1)
		assert.Contains(t, as[0].NearMisses[0].Reason, "another artifact")
		assert.Contains(t, as[0].Reason, "near miss")
		assert.False(t, as[1].Suppressed)
	})
	t.Run("no vex", func(t *testing.T) {
		as := assess(t, "vulns/grype-report.sample.json")
		assert.Equal(t, "no VEX document was given", as[0].Reason)
	})
	t.Run("epss only", func(t *testing.T) {
		as := assess(t, "vulns/epss-only.grype.json", "vex/hub-vex.cdx.json")
		require.Len(t, as, 1)
		assert.InDelta(t, 4.0, as[0].CVSS, 1e-9)
		assert.InDelta(t, 0.82, as[0].EPSS, 1e-9)
		assert.False(t, as[0].Suppressed)
	})
}
