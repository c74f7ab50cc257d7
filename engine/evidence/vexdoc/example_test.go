package vexdoc_test

import (
	"fmt"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

func ExampleMatcher_Match() {
	doc, err := vexdoc.Parse([]byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2025-01-01T00:00:00Z",
	  "statements": [{"vulnerability": {"name": "CVE-2021-44228"},
	    "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
	    "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`), vexdoc.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	for _, v := range []string{"2.14.1", "2.15.0"} {
		p, _ := bom.ParsePURL("pkg:maven/org.apache.logging.log4j/log4j-core@" + v)
		r := m.Match(vexdoc.Query{ID: "GHSA-jfh8-c2jp-5v3q", Aliases: []string{"CVE-2021-44228"}, PURLs: []bom.PURL{p}})
		if r.Suppressed {
			fmt.Println(v, r.Status, "by", r.Decision.Path)
		} else {
			fmt.Println(v, "not suppressed:", r.NearMisses[0].Reason)
		}
	}
	// Output:
	// 2.14.1 not_affected by statements[0]
	// 2.15.0 not suppressed: version 2.14.1 differs from the affected version 2.15.0
}
