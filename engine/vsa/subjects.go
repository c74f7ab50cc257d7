package vsa

import (
	"errors"
	"fmt"
	"sort"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// SignedSubjects reports, for a bundle that [VerifyBundle] refused for
// every expected digest, whether pub signed it at all, and if so which
// subject digests ("sha256:<hex>", sorted) its statement names: it tells a
// summary of another image (signed by the trusted key) from one the key
// did not sign. It is an explanation only: nothing it returns may be
// treated as verified for a digest. It returns an error when the signature
// does not verify against pub.
func SignedSubjects(bundleJSON []byte, pub *PublicKey) ([]string, error) {
	if pub == nil {
		return nil, errors.New("verify vsa: nil public key")
	}
	if len(bundleJSON) > MaxBundleSize {
		return nil, fmt.Errorf("verify vsa: %w: bundle larger than %d bytes", ErrMalformed, MaxBundleSize)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return nil, fmt.Errorf("verify vsa: %w: bundle: %v", ErrMalformed, err)
	}
	if b.GetDsseEnvelope() == nil {
		return nil, fmt.Errorf("verify vsa: %w: bundle holds no DSSE envelope", ErrMalformed)
	}
	v, err := pub.sigstoreVerifier()
	if err != nil {
		return nil, fmt.Errorf("verify vsa: %w", err)
	}
	res, err := v.Verify(&b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithKey()))
	if err != nil {
		return nil, fmt.Errorf("verify vsa: %w: %v", ErrSignature, err)
	}
	var out []string
	for _, s := range res.Statement.GetSubject() {
		if h, ok := s.GetDigest()["sha256"]; ok {
			out = append(out, "sha256:"+h)
		}
	}
	sort.Strings(out)
	return out, nil
}
