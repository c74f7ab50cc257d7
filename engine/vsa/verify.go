package vsa

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	vsapb "github.com/in-toto/attestation/go/predicates/vsa/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// MaxBundleSize bounds the bundle bytes [VerifyBundle] reads.
const MaxBundleSize = 1 << 20

// DefaultClockSkew is how far in the future timeVerified may be, when
// [Policy.ClockSkew] is zero, to allow for clocks that differ.
const DefaultClockSkew = 5 * time.Minute

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

// Policy is what a verifier requires of a summary beyond its signature.
type Policy struct {
	// MaxAge is the oldest a summary may be, measured from timeVerified. It
	// must be positive.
	MaxAge time.Duration
	// AcceptedPolicies lists the accepted policy digests ("sha256:<hex>");
	// empty accepts any.
	AcceptedPolicies []string
	// VerifierID, when set, must equal the summary's verifier.id.
	VerifierID string
	// ClockSkew is how far in the future timeVerified may be: 0 means
	// [DefaultClockSkew], negative means none.
	ClockSkew time.Duration
	// Repos lists the accepted repositories ("owner/name", compared
	// exactly); empty accepts any. The admission webhook always sets it,
	// from the image's admission.images mapping.
	Repos []string
	// RequiredLevels must each be met by the summary's verifiedLevels: a
	// level SLSA_<TRACK>_LEVEL_<N> is met by the same track at N or higher,
	// any other value only by itself.
	RequiredLevels []string
}

// VerifyBundle verifies the signature of a VSA bundle against pub, checks
// that the statement's subjects include digest ("sha256:<hex>"), that its
// predicate type is [PredicateType], and returns what the predicate says. It
// does not look at the result, the time or the policy: see [Summary.Check].
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

// Check applies p to s at now: the result is PASSED, the summary is no
// older than p.MaxAge and not from the future, its policy digest is
// accepted, its verifier id matches, it names an accepted repo, and it
// verifies every required level.
func (s Summary) Check(now time.Time, p Policy) error {
	if s.Result != ResultPassed {
		return fmt.Errorf("%w: %q", ErrNotPassed, s.Result)
	}
	if p.MaxAge <= 0 {
		return fmt.Errorf("%w: no maximum age configured", ErrExpired)
	}
	if age := now.Sub(s.TimeVerified); age > p.MaxAge {
		return fmt.Errorf("%w: verified at %s, %s old, max %s", ErrExpired, s.TimeVerified.Format(time.RFC3339), age.Truncate(time.Second), p.MaxAge)
	}
	skew := p.ClockSkew
	if skew == 0 {
		skew = DefaultClockSkew
	} else if skew < 0 {
		skew = 0
	}
	if s.TimeVerified.Sub(now) > skew {
		return fmt.Errorf("%w: verified at %s, in the future", ErrExpired, s.TimeVerified.Format(time.RFC3339))
	}
	if len(p.AcceptedPolicies) > 0 && !s.NamesPolicy(p.AcceptedPolicies) {
		return fmt.Errorf("%w: %v", ErrPolicy, s.PolicyDigests)
	}
	if p.VerifierID != "" && s.VerifierID != p.VerifierID {
		return fmt.Errorf("%w: %q, want %q", ErrVerifier, s.VerifierID, p.VerifierID)
	}
	if len(p.Repos) > 0 {
		if s.Repo == "" {
			return fmt.Errorf("%w: resourceUri %q names no repository, want one of %v", ErrRepo, s.ResourceURI, p.Repos)
		}
		if !slices.Contains(p.Repos, s.Repo) {
			return fmt.Errorf("%w: summary is for %s, want one of %v", ErrRepo, s.Repo, p.Repos)
		}
	}
	for _, want := range p.RequiredLevels {
		if !LevelMet(want, s.VerifiedLevels) {
			return fmt.Errorf("%w: %s, summary verified %v", ErrLevel, want, s.VerifiedLevels)
		}
	}
	return nil
}

// NamesPolicy reports whether the summary names one of the accepted policy
// digests ("sha256:<hex>").
func (s Summary) NamesPolicy(accepted []string) bool {
	return slices.ContainsFunc(s.PolicyDigests, func(d string) bool { return slices.Contains(accepted, d) })
}

// LevelMet reports whether verified meets the required level: an SLSA
// level "SLSA_<TRACK>_LEVEL_<N>" is met by the same track at level N or
// higher (a summary lists only the highest level of each track); any other
// value only by itself.
func LevelMet(required string, verified []string) bool {
	track, n, isSLSA := slsaLevel(required)
	for _, v := range verified {
		if v == required {
			return true
		}
		if t, m, ok := slsaLevel(v); isSLSA && ok && t == track && m >= n {
			return true
		}
	}
	return false
}

// slsaLevel splits "SLSA_BUILD_LEVEL_3" into ("BUILD", 3).
func slsaLevel(s string) (string, int, bool) {
	rest, ok := strings.CutPrefix(s, "SLSA_")
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndex(rest, "_LEVEL_")
	if i <= 0 {
		return "", 0, false
	}
	track, num := rest[:i], rest[i+len("_LEVEL_"):]
	if len(num) != 1 || num[0] < '0' || num[0] > '9' || strings.Trim(track, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", 0, false
	}
	return track, int(num[0] - '0'), true
}

// Verify is [VerifyBundle] followed by [Summary.Check].
func Verify(bundleJSON []byte, pub *PublicKey, digest string, now time.Time, p Policy) (Summary, error) {
	s, err := VerifyBundle(bundleJSON, pub, digest)
	if err != nil {
		return Summary{}, err
	}
	if err := s.Check(now, p); err != nil {
		return s, fmt.Errorf("verify vsa: %w", err)
	}
	return s, nil
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
