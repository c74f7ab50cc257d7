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
	_, ok := trust.MatchIdentity(ids, iss, "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3", trust.Claims{})
	fmt.Println(ok)
	// Patterns are anchored: a SAN that merely contains a match is refused.
	_, ok = trust.MatchIdentity(ids, iss, "https://evil.example/https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1", trust.Claims{})
	fmt.Println(ok)
	fmt.Println(trust.Anchor("a|b"))
	// Output:
	// true
	// false
	// ^(?:a|b)$
}

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
