package provenance_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
)

func ExampleNormalizeSourceURI() {
	fmt.Println(provenance.NormalizeSourceURI("git+https://github.com/acme/app@refs/tags/v1.2.3"))
	// Output: github.com/acme/app refs/tags/v1.2.3
}
