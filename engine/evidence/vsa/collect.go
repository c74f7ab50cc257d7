package vsa

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// Summary is one bundle: its file, and the one fact type of a summary
// ([vsalib.Facts]; the claims are set only when it verified).
type Summary struct {
	File string `json:"file"`
	vsalib.Facts
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
		return unverified("no key to verify it: the registry's vsa.keys lists none that loads")
	case len(digests) == 0:
		return unverified("the release has no sha256 subject digest to verify it for")
	}
	var malformed error
	for _, k := range keys {
		for _, d := range digests {
			s, err := vsalib.VerifyBundle(b, k, d)
			if err == nil {
				return Summary{Facts: vsalib.FactsOf(s)}
			}
			if errors.Is(err, vsalib.ErrMalformed) && malformed == nil {
				malformed = err
			}
		}
	}
	for _, k := range keys {
		if subjects, err := vsalib.SignedSubjects(b, k); err == nil {
			return unverified(fmt.Sprintf("signed by key %s, but about %s, not the release's %s",
				k.ID(), orNone(subjects), strings.Join(digests, ", ")))
		}
	}
	if malformed != nil {
		return unverified(strings.TrimPrefix(malformed.Error(), "verify vsa: "))
	}
	return unverified(fmt.Sprintf("not signed by a trusted key (vsa.keys: %s)", strings.Join(ids(keys), ", ")))
}

// unverified is the summary of a bundle that did not verify.
func unverified(reason string) Summary {
	return Summary{Facts: vsalib.UnverifiedFacts(errors.New(reason))}
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
