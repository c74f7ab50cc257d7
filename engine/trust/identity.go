package trust

import (
	"fmt"
	"regexp"
)

// GitHubActionsIssuer is the OIDC issuer of GitHub Actions workflow tokens.
const GitHubActionsIssuer = "https://token.actions.githubusercontent.com"

// Identity is a pair of full-string regular expressions over a Fulcio
// certificate's OIDC issuer and subject alternative name, as the registry's
// provenance.identities lists them.
type Identity struct {
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
}

// Anchor makes re match whole strings only, whatever the user wrote:
// "^(?:" + re + ")$". Rego rules anchor the same way.
func Anchor(re string) string { return "^(?:" + re + ")$" }

// DefaultIdentities are the identities trusted when the registry lists
// none: the repository's own GitHub Actions workflows.
func DefaultIdentities(repo string) []Identity {
	return []Identity{{
		Issuer:  regexp.QuoteMeta(GitHubActionsIssuer),
		Subject: "https://github\\.com/" + regexp.QuoteMeta(repo) + "/\\.github/workflows/.+",
	}}
}

// CheckIdentities reports the first pattern that is not a valid regular
// expression.
func CheckIdentities(patterns []Identity) error {
	for i, p := range patterns {
		if _, err := regexp.Compile(Anchor(p.Issuer)); err != nil {
			return fmt.Errorf("%w: identities[%d].issuer: %w", ErrIdentity, i, err)
		}
		if _, err := regexp.Compile(Anchor(p.Subject)); err != nil {
			return fmt.Errorf("%w: identities[%d].subject: %w", ErrIdentity, i, err)
		}
	}
	return nil
}

// MatchIdentity returns the first pattern whose anchored issuer and subject
// regexps both match the whole of issuer and san. An invalid pattern never
// matches (see [CheckIdentities]). Empty issuer or SAN (a keyed signature)
// never match.
func MatchIdentity(patterns []Identity, issuer, san string) (Identity, bool) {
	if issuer == "" || san == "" {
		return Identity{}, false
	}
	for _, p := range patterns {
		ri, err := regexp.Compile(Anchor(p.Issuer))
		if err != nil {
			continue
		}
		rs, err := regexp.Compile(Anchor(p.Subject))
		if err != nil {
			continue
		}
		if ri.MatchString(issuer) && rs.MatchString(san) {
			return p, true
		}
	}
	return Identity{}, false
}
