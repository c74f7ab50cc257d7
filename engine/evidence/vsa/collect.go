package vsa

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence"
	vsalib "github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is input.vsa.
type Facts struct {
	evidence.Facts
	// Keys are the ids of the registry's vsa.keys that could be loaded
	// (lowercase hex SHA-256 of the PKIX public key), in registry order.
	Keys []string `json:"keys"`
	// Summaries has one entry per bundle given, verified or not.
	Summaries []Summary `json:"summaries"`
}

// Summary is one bundle. The claims are set only when Verified.
type Summary struct {
	File string `json:"file"`
	// Verified: the signature verified against a registry key, over a
	// statement about a release subject, with the VSA predicate type.
	Verified bool `json:"verified"`
	// Error says why not, "" when Verified.
	Error string `json:"error"`
	// Subject is the release subject digest ("sha256:<hex>") it verified
	// for; KeyID the key.
	Subject string `json:"subject"`
	KeyID   string `json:"key_id"`
	// The claims of the verified statement.
	VerifierID   string `json:"verifier_id"`
	TimeVerified string `json:"time_verified"`
	// TimeVerifiedNS is TimeVerified in Unix nanoseconds, for the age.
	TimeVerifiedNS int64    `json:"time_verified_ns"`
	ResourceURI    string   `json:"resource_uri"`
	Repo           string   `json:"repo"`
	PolicyDigests  []string `json:"policy_digests"`
	Result         string   `json:"result"`
	VerifiedLevels []string `json:"verified_levels"`
}

// Collect verifies each VSA bundle against the registry's keys over the
// release's subjects.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{Facts: evidence.New(items), Keys: []string{}, Summaries: []Summary{}}
	if len(items) == 0 {
		return facts
	}
	// The keys are trust material, loaded once by the engine.
	keys := env.VSAKeys(&facts.Facts)
	for _, k := range keys {
		facts.Keys = append(facts.Keys, k.ID())
	}
	var digests []string
	for _, s := range env.Subjects {
		if h := s.Digest["sha256"]; h != "" {
			digests = append(digests, "sha256:"+strings.ToLower(h))
		}
	}
	for _, it := range items {
		if ctx.Err() != nil {
			facts.AddProblem(it.Path, "", 0, "%v", ctx.Err())
			continue
		}
		b, err := env.ReadFile(policy.KindVSA, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		s := verify(b, keys, digests)
		s.File = it.Path
		if s.Verified {
			facts.FutureTime(it.Path, "predicate.timeVerified", s.TimeVerified, env.Now)
		}
		facts.Summaries = append(facts.Summaries, s)
	}
	return facts
}

// verify verifies b against each key for each subject digest; the first
// pair that verifies gives the claims. When none does, the reason says
// whether a trusted key signed it (and which digests it names) or none.
func verify(b []byte, keys []*vsalib.PublicKey, digests []string) Summary {
	switch {
	case len(keys) == 0:
		return Summary{Error: "no key to verify it: the registry's vsa.keys lists none that loads"}
	case len(digests) == 0:
		return Summary{Error: "the release has no sha256 subject digest to verify it for"}
	}
	var malformed error
	for _, k := range keys {
		for _, d := range digests {
			s, err := vsalib.VerifyBundle(b, k, d)
			if err == nil {
				return Summary{
					Verified: true, Subject: s.Digest, KeyID: k.ID(),
					VerifierID: s.VerifierID, TimeVerified: s.TimeVerified.UTC().Format(time.RFC3339Nano),
					TimeVerifiedNS: s.TimeVerified.UnixNano(), ResourceURI: s.ResourceURI, Repo: s.Repo,
					PolicyDigests: nonNil(s.PolicyDigests), Result: s.Result, VerifiedLevels: nonNil(s.VerifiedLevels),
				}
			}
			if errors.Is(err, vsalib.ErrMalformed) && malformed == nil {
				malformed = err
			}
		}
	}
	for _, k := range keys {
		if subjects, err := vsalib.SignedSubjects(b, k); err == nil {
			return Summary{Error: fmt.Sprintf("signed by key %s, but about %s, not the release's %s",
				k.ID(), orNone(subjects), strings.Join(digests, ", "))}
		}
	}
	if malformed != nil {
		return Summary{Error: strings.TrimPrefix(malformed.Error(), "verify vsa: ")}
	}
	return Summary{Error: fmt.Sprintf("not signed by a trusted key (vsa.keys: %s)", strings.Join(ids(keys), ", "))}
}

func ids(keys []*vsalib.PublicKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID()
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no sha256 digest"
	}
	return strings.Join(s, ", ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
