package cache

import (
	"bytes"

	"github.com/sigstore/sigstore-go/pkg/root"

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
	// Issuer, SAN and Claims are the verified certificate's, empty when
	// not verified.
	Issuer string       `json:"issuer"`
	SAN    string       `json:"san"`
	Claims trust.Claims `json:"claims"`
	// Timestamps are the verified signing times, for the caller to compare
	// with its evaluation time.
	Timestamps []trust.Timestamp `json:"-"`
}

// VerifySignature verifies bundle (a sigstore bundle over the manifest
// bytes) against tr. A nil tr means the embedded public-good root.
func VerifySignature(manifest, bundle []byte, tr root.TrustedMaterial) Signature {
	s := Signature{Given: bundle != nil}
	if !s.Given {
		s.Error = "no signature bundle was given"
		return s
	}
	v, err := trust.VerifyBundle(bundle, trust.Options{Root: tr, Artifact: bytes.NewReader(manifest)})
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.Verified = true
	s.Issuer, s.SAN, s.Claims, s.Timestamps = v.Issuer, v.SAN, v.Claims, v.Timestamps
	return s
}
