package vsa

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	vsapb "github.com/in-toto/attestation/go/predicates/vsa/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// MaxBundleSize bounds the bundle bytes [VerifyBundle] reads.
const MaxBundleSize = 1 << 20

// Summary is what a verified VSA says. Every field comes from a payload whose
// signature verified against the trusted key and whose subject matched the
// expected digest.
type Summary struct {
	// Digest is the subject digest that was checked, "sha256:<hex>".
	Digest string `json:"digest"`
	// KeyID is the [PublicKey.ID] the signature verified against.
	KeyID        string    `json:"keyId"`
	VerifierID   string    `json:"verifierId"`
	TimeVerified time.Time `json:"timeVerified"`
	ResourceURI  string    `json:"resourceUri"`
	// Repo is the repository resourceUri names ([RepoFromURI]), "" when it
	// names none.
	Repo string `json:"repo"`
	// PolicyDigests are the policy digests as "algorithm:hex", sorted.
	PolicyDigests     []string `json:"policyDigests"`
	Result            string   `json:"verificationResult"`
	VerifiedLevels    []string `json:"verifiedLevels"`
	InputAttestations int      `json:"inputAttestations"`
}

// VerifyBundle verifies the signature of a VSA bundle against pub, checks
// that the statement's subjects include digest ("sha256:<hex>"), that its
// predicate type is [PredicateType], and returns what the predicate says. It
// judges none of it (the result, the time, the policy, the repo, the
// levels): the hub.lib.vsa_problems Rego function does, in the engine.
// The result depends only on its arguments, so a caller may cache it keyed by
// (digest, pub.ID(), the bundle bytes).
func VerifyBundle(bundleJSON []byte, pub *PublicKey, digest string) (Summary, error) {
	if pub == nil {
		return Summary{}, errors.New("verify vsa: nil public key")
	}
	raw, err := ParseDigest(digest)
	if err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w", err)
	}
	if len(bundleJSON) > MaxBundleSize {
		return Summary{}, fmt.Errorf("verify vsa: %w: bundle larger than %d bytes", ErrMalformed, MaxBundleSize)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: bundle: %v", ErrMalformed, err)
	}
	if b.GetDsseEnvelope() == nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: bundle holds no DSSE envelope", ErrMalformed)
	}
	if pt := b.GetDsseEnvelope().GetPayloadType(); pt != PayloadType {
		return Summary{}, fmt.Errorf("verify vsa: %w: payloadType %q, want %q", ErrMalformed, pt, PayloadType)
	}
	v, err := pub.sigstoreVerifier()
	if err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w", err)
	}
	res, err := v.Verify(&b, verify.NewPolicy(verify.WithArtifactDigest("sha256", raw), verify.WithKey()))
	if err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: %v", ErrSignature, err)
	}
	st := res.Statement
	if st == nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: no statement", ErrMalformed)
	}
	if st.GetPredicateType() != PredicateType {
		return Summary{}, fmt.Errorf("verify vsa: %w: predicateType %q, want %q", ErrMalformed, st.GetPredicateType(), PredicateType)
	}
	pj, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: predicate: %v", ErrMalformed, err)
	}
	var pred vsapb.VerificationSummary
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(pj, &pred); err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: predicate: %v", ErrMalformed, err)
	}
	if pred.GetTimeVerified() == nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: predicate.timeVerified: missing", ErrMalformed)
	}
	if err := pred.GetTimeVerified().CheckValid(); err != nil {
		return Summary{}, fmt.Errorf("verify vsa: %w: predicate.timeVerified: %v", ErrMalformed, err)
	}
	s := Summary{
		Digest:            "sha256:" + hex.EncodeToString(raw),
		KeyID:             pub.ID(),
		VerifierID:        pred.GetVerifier().GetId(),
		TimeVerified:      pred.GetTimeVerified().AsTime().UTC(),
		ResourceURI:       pred.GetResourceUri(),
		Repo:              repoOf(pred.GetResourceUri()),
		Result:            pred.GetVerificationResult(),
		VerifiedLevels:    pred.GetVerifiedLevels(),
		InputAttestations: len(pred.GetInputAttestations()),
	}
	for algo, h := range pred.GetPolicy().GetDigest() {
		s.PolicyDigests = append(s.PolicyDigests, algo+":"+h)
	}
	sort.Strings(s.PolicyDigests)
	return s, nil
}

func repoOf(uri string) string {
	repo, _ := RepoFromURI(uri)
	return repo
}

// sigstoreVerifier returns the sigstore-go verifier that trusts exactly p.
func (p *PublicKey) sigstoreVerifier() (*verify.Verifier, error) {
	p.once.Do(func() {
		key := root.NewExpiringKey(p.verifier, time.Time{}, time.Time{})
		// The bundle's key hint is not authenticated: whatever it says, the
		// signature must verify against this one key.
		tm := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
		p.sv, p.svErr = verify.NewVerifier(tm, verify.WithNoObserverTimestamps())
	})
	return p.sv, p.svErr
}
