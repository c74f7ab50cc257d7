package trust

import "regexp"

// MatchIdentity is a test oracle for the identity judge, which is Rego
// (hub.lib.signer_ok): it returns the first pattern whose anchored issuer
// and subject regexps match the whole of issuer and san, and whose set
// extension patterns match the whole of the certificate's claims c. An
// invalid pattern never matches. Empty issuer or SAN (a keyed signature)
// never match. TestRegoIdentityAgrees checks the two agree.
func MatchIdentity(patterns []Identity, issuer, san string, c Claims) (Identity, bool) {
	if issuer == "" || san == "" {
		return Identity{}, false
	}
	values := []string{issuer, san, c.SourceRepositoryURI, c.SourceRepositoryRef, c.BuildSignerURI, c.BuildTrigger}
next:
	for _, p := range patterns {
		for i, f := range p.fields() {
			if i >= 2 && f.pattern == "" {
				continue
			}
			re, err := regexp.Compile(Anchor(f.pattern))
			if err != nil || values[i] == "" || !re.MatchString(values[i]) {
				continue next
			}
		}
		return p, true
	}
	return Identity{}, false
}
