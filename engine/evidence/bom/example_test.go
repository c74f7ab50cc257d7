package bom_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

func ExampleParse() {
	doc, err := bom.Parse([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.5",
	  "metadata": {"component": {"type": "container", "name": "app", "hashes": [{"alg": "SHA-256", "content": "ABCDEF0123456789ABCDEF0123456789"}]}},
	  "components": [{"type": "library", "name": "x", "purl": "pkg:NPM/x@1.0.0"}, {"type": "library", "name": "y", "purl": "pkg:"}]}`), bom.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Format, doc.SpecVersion, doc.Subject.Digests)
	fmt.Println(doc.Components[0].PURL)
	fmt.Println(doc.Issues[0].Path)
	// Output:
	// cyclonedx-json 1.5 [sha256:abcdef0123456789abcdef0123456789]
	// pkg:npm/x@1.0.0
	// components[1].purl
}

func ExampleMatchPURL() {
	stmt, _ := bom.ParsePURL("pkg:deb/debian/curl@7.50.3-1?arch=i386")
	comp, _ := bom.ParsePURL("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie")
	ok, _ := bom.MatchPURL(stmt, comp)
	fmt.Println(ok)
	other, _ := bom.ParsePURL("pkg:deb/debian/curl@7.50.3-2?arch=i386")
	fmt.Println(bom.MatchPURL(stmt, other))
	// Output:
	// true
	// false version 7.50.3-1 differs from the affected version 7.50.3-2
}
