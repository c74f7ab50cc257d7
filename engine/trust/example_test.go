package trust_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/trust"
)

func ExampleMatchIdentity() {
	ids := []trust.Identity{{
		Issuer:  `https://token\.actions\.githubusercontent\.com`,
		Subject: `https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*`,
	}}
	iss := "https://token.actions.githubusercontent.com"
	_, ok := trust.MatchIdentity(ids, iss, "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3")
	fmt.Println(ok)
	// Patterns are anchored: a SAN that merely contains a match is refused.
	_, ok = trust.MatchIdentity(ids, iss, "https://evil.example/https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")
	fmt.Println(ok)
	fmt.Println(trust.Anchor("a|b"))
	// Output:
	// true
	// false
	// ^(?:a|b)$
}

func ExampleDefaultIdentities() {
	for _, id := range trust.DefaultIdentities("acme/app") {
		fmt.Println(id.Issuer)
		fmt.Println(id.Subject)
	}
	// Output:
	// https://token\.actions\.githubusercontent\.com
	// https://github\.com/acme/app/\.github/workflows/.+
}
