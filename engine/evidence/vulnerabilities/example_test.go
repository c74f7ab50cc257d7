package vulnerabilities_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
)

func ExampleParse() {
	r, err := vulnerabilities.Parse([]byte(`{"matches": [{
	  "vulnerability": {"id": "CVE-2024-9999", "severity": "medium", "cvss": [{"metrics": {"baseScore": 4.9}}]},
	  "relatedVulnerabilities": [{"id": "CVE-2024-9998", "cvss": [{"metrics": {"baseScore": 6.1}}]}],
	  "metadata": {"epss": {"percentile": 20}}}]}`), vulnerabilities.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := r.Vulnerabilities[0]
	fmt.Println(v.ID, v.Aliases, v.CVSS, v.EPSS)
	// Output:
	// CVE-2024-9999 [CVE-2024-9998] 6.1 0.2
}
