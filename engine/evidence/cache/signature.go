package cache

import (
	"bytes"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// Signature is what verifying the manifest's sigstore bundle found.
type Signature struct {
	// Given is false when no bundle was given.
	Given bool `json:"given"`
	// Verified is true when the bundle verified over the manifest's bytes.
	Verified bool `json:"verified"`
	// Error says why verification failed.
	Error string `json:"error"`
	// Issuer and SAN are the verified certificate's, empty when not
	// verified or keyed.
	Issuer string `json:"issuer"`
	SAN    string `json:"san"`
	// IdentityOK is true when Issuer and SAN match one of Identities.
	IdentityOK bool `json:"identity_ok"`
	// Identities are the anchored patterns the signer must match.
	Identities []trust.Identity `json:"identities"`
}

// VerifySignature verifies bundle (a sigstore bundle over the manifest
// bytes) against tr, and matches the signer against the repository's own
// workflows ([trust.DefaultIdentities]). A nil tr means the embedded
// public-good root.
func VerifySignature(manifest, bundle []byte, tr root.TrustedMaterial, repo string) Signature {
	s := Signature{Given: bundle != nil, Identities: trust.DefaultIdentities(repo)}
	if !s.Given {
		s.Error = "no signature bundle was given"
		return s
	}
	if repo == "" {
		s.Error = "no repository to anchor the signer identity to"
		return s
	}
	v, err := trust.VerifyBundle(bundle, trust.Options{Root: tr, Artifact: bytes.NewReader(manifest)})
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.Verified = true
	s.Issuer, s.SAN = v.Issuer, v.SAN
	_, s.IdentityOK = trust.MatchIdentity(s.Identities, v.Issuer, v.SAN)
	return s
}
