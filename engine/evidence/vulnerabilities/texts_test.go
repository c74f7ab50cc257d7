package vulnerabilities_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
)

// TestAssessTexts checks the display texts Assess renders for the Rego
// messages: they follow the finding's own fields, and render nothing that
// is not there.
func TestAssessTexts(t *testing.T) {
	r := &vulnerabilities.Report{Vulnerabilities: []vulnerabilities.Vulnerability{
		{ID: "A", CVSS: 9.1, HasCVSS: true, EPSS: 0.00001, HasEPSS: true, PURLs: []string{"pkg:npm/a@1", "pkg:npm/b@2"}, Component: "a@1"},
		{ID: "B", Severity: "high", Component: "b@2"},
		{ID: "C", Severity: "weird", CVSS: 7, HasCVSS: false},
		{ID: "D", CVSS: 7, HasCVSS: true, Severity: "low"},
	}}
	as := vulnerabilities.Assess([]string{"g.json"}, []*vulnerabilities.Report{r}, nil, false)
	want := []vulnerabilities.Texts{
		{ComponentText: " in pkg:npm/a@1", CVSSText: "9.1", EPSSText: "1e-05", StatusText: "none"},
		{ComponentText: " in b@2", CVSSText: "none (severity high: CVSS band from 7)", EPSSText: "none", StatusText: "none"},
		{CVSSText: "none", EPSSText: "none", StatusText: "none"},
		{CVSSText: "7", EPSSText: "none", StatusText: "none"},
	}
	if assert.Len(t, as, len(want)) {
		for i := range want {
			assert.Equal(t, want[i], as[i].Texts, as[i].ID)
		}
	}
}
