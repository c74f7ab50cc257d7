package vulnerabilities_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
)

func fuzzReport(t *testing.T, b []byte) {
	r, err := vulnerabilities.Parse(b, vulnerabilities.Options{MaxSize: 1 << 20})
	if err != nil {
		return
	}
	if r == nil {
		t.Fatal("nil report without an error")
	}
	for _, v := range r.Vulnerabilities {
		if v.HasEPSS && (v.EPSS < 0 || v.EPSS > 1) {
			t.Fatalf("epss %v outside 0–1", v.EPSS)
		}
		if v.HasCVSS && (v.CVSS < 0 || v.CVSS > 10) {
			t.Fatalf("cvss %v outside 0–10", v.CVSS)
		}
	}
}

// FuzzParseGrype fuzzes the grype JSON reader.
func FuzzParseGrype(f *testing.F) {
	for _, n := range []string{"grype-report.sample.json", "epss-only.grype.json"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "vulns", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"matches":[{"vulnerability":{"id":"CVE-1","epss":[{"percentile":55}]},"artifact":{"purl":"pkg:npm/a@1"},"metadata":{"epss":0.3}}],"source":{"target":"dir"}}`))
	f.Fuzz(fuzzReport)
}

// FuzzParseCycloneDXVulnerabilities fuzzes the CycloneDX vulnerabilities
// reader.
func FuzzParseCycloneDXVulnerabilities(f *testing.F) {
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","bom-ref":"a","purl":"pkg:npm/a@1"}],"vulnerabilities":[{"id":"CVE-1","ratings":[{"score":7.5}],"affects":[{"ref":"a"}]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><vulnerabilities><vulnerability><id>CVE-1</id><ratings><rating><score>9.8</score></rating></ratings></vulnerability></vulnerabilities></bom>`))
	f.Fuzz(fuzzReport)
}
