package provenance_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
)

func ExampleBuilderTrusted() {
	gen := "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
	fmt.Println(provenance.BuilderTrusted(nil, gen+"@refs/tags/v2.1.0"))
	fmt.Println(provenance.BuilderTrusted(nil, gen+"@refs/heads/main"))
	fmt.Println(provenance.BuilderTrusted([]string{gen}, gen+"@refs/heads/main"))
	// Output:
	// true
	// false
	// true
}

func ExampleNormalizeSourceURI() {
	fmt.Println(provenance.NormalizeSourceURI("git+https://github.com/acme/app@refs/tags/v1.2.3"))
	// Output: github.com/acme/app refs/tags/v1.2.3
}
