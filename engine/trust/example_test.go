package trust_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/trust"
)

func ExampleDefaultIdentity() {
	id := trust.DefaultIdentity("acme/app", "release.yml", "refs/tags/.+")
	fmt.Println(id.Subject)
	fmt.Println(id.SourceRepositoryURI)
	fmt.Println(id.SourceRepositoryRef)
	// Output:
	// https://github\.com/acme/app/\.github/workflows/release\.yml@(?:refs/tags/.+)
	// https://github\.com/acme/app
	// refs/tags/.+
}
