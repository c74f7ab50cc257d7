package cache

import (
	"bytes"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// Signature is what verifying the manifest's sigstore bundle found. The
// signer is judged by rego/cache.rego against the registry's
// provenance.identities (or the default release identity), as every other
// signed kind is.
type Signature struct {
	// Given is false when no bundle was given.
	Given bool `json:"given"`
	// Verified is true when the bundle verified over the manifest's bytes.
	Verified bool `json:"verified"`
	// Error says why verification failed.
	Error string `json:"error"`
	// Signer is who signed: one of the registry's provenance.keys, or the
	// verified certificate's issuer, SAN and claims; empty when not
	// verified.
	trust.Signer
	// Timestamps are the verified signing times, for the caller to compare
	// with its evaluation time.
	Timestamps []trust.Timestamp `json:"-"`
}

// VerifySignature verifies bundle (a sigstore bundle over the manifest
// bytes) against the trust material every signed kind shares: opts.Root
// (nil means the embedded public-good root) and opts.Keys.
func VerifySignature(manifest, bundle []byte, opts trust.Options) Signature {
	s := Signature{Given: bundle != nil}
	if !s.Given {
		s.Error = "no signature bundle was given"
		return s
	}
	v, err := trust.VerifyBundle(bundle, trust.Options{Root: opts.Root, Keys: opts.Keys, Artifact: bytes.NewReader(manifest)})
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.Verified = true
	s.Signer, s.Timestamps = v.Signer, v.Timestamps
	return s
}
