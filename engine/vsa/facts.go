package vsa

import (
	"math"
	"time"
)

// Facts is one summary as the rules see it (hub.lib.vsa_problems, in
// rego/lib_vsa.rego): whether it verified (its signature against a trusted
// key, its subject against the digest) and, when it did, what it claims.
// It is the one fact type of a summary: the admission webhook's, verify
// vsa's and the vsa evidence kind's. The claims are the signed payload's,
// never judged in Go.
type Facts struct {
	// Verified is set when the signature and subject verified.
	Verified bool `json:"verified"`
	// Error is why not, "" when Verified.
	Error string `json:"error"`
	// The claims, zero unless Verified. Digest is the subject digest it
	// verified for, KeyID the key.
	Digest     string `json:"digest"`
	KeyID      string `json:"key_id"`
	VerifierID string `json:"verifier_id"`
	// TimeVerified is the predicate's timeVerified, RFC 3339 in UTC;
	// TimeVerifiedNS the same as Unix nanoseconds (clamped to the int64
	// range: a time beyond it is older or newer than any bound).
	TimeVerified   string `json:"time_verified"`
	TimeVerifiedNS int64  `json:"time_verified_ns"`
	ResourceURI    string `json:"resource_uri"`
	// Repo is the repository ResourceURI names, "" when it names none.
	Repo          string   `json:"repo"`
	PolicyDigests []string `json:"policy_digests"`
	// Result is the verificationResult ("PASSED", "FAILED").
	Result         string   `json:"result"`
	VerifiedLevels []string `json:"verified_levels"`
}

// FactsOf is the facts of a summary that verified.
func FactsOf(s Summary) Facts {
	return Facts{
		Verified:       true,
		Digest:         s.Digest,
		KeyID:          s.KeyID,
		VerifierID:     s.VerifierID,
		TimeVerified:   s.TimeVerified.UTC().Format(time.RFC3339Nano),
		TimeVerifiedNS: unixNano(s.TimeVerified),
		ResourceURI:    s.ResourceURI,
		Repo:           s.Repo,
		PolicyDigests:  nonNil(s.PolicyDigests),
		Result:         s.Result,
		VerifiedLevels: nonNil(s.VerifiedLevels),
	}
}

// UnverifiedFacts is the facts of a summary that did not verify, err
// saying why.
func UnverifiedFacts(err error) Facts {
	msg := "summary did not verify"
	if err != nil {
		msg = err.Error()
	}
	return Facts{Error: msg, PolicyDigests: []string{}, VerifiedLevels: []string{}}
}

// Bounds of the times UnixNano represents.
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minNano):
		return math.MinInt64
	case t.After(maxNano):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}
