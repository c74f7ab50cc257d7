package engine

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/signature"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// signatureFacts is the facts document of the signature kind,
// input.signature in Rego.
type signatureFacts struct {
	Facts
	TrustedRoot string `json:"trusted_root"`
	// Signatures has one entry per bundle given, verified or not.
	Signatures []signatureFact `json:"signatures"`
}

type signatureFact struct {
	File string `json:"file"`
	signature.Result
}

// collectSignature verifies each sigstore bundle over the release's
// subjects.
func collectSignature(ctx context.Context, env *Env, items []Item) evidence.Document {
	facts := &signatureFacts{
		Facts:      Facts{Present: len(items) > 0, Problems: []Problem{}},
		Signatures: []signatureFact{},
	}
	if len(items) == 0 {
		return facts
	}
	opts, rootName, ok := env.TrustOptions(policy.KindSignature, &facts.Facts)
	facts.TrustedRoot = rootName
	if !ok {
		return facts
	}
	subjects := make([]signature.Subject, 0, len(env.Subjects))
	for i, s := range env.Subjects {
		subjects = append(subjects, signature.Subject{Name: s.Name, Digest: s.Digest, Path: env.SubjectPath(i, s.Name)})
	}
	for _, it := range items {
		if ctx.Err() != nil {
			facts.AddProblem(it.Path, "", 0, "%v", ctx.Err())
			continue
		}
		b, err := env.ReadFile(policy.KindSignature, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		res, err := signature.Verify(b, subjects, opts)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		if res.Verified {
			facts.FutureSigningTimes(it.Path, res.Timestamps, env.Now)
			res.ExpiredTrust = append(res.ExpiredTrust, trust.ExpiredWindows(opts.Root, &trust.Verified{Keyed: res.Keyed, Timestamps: res.Timestamps}, env.Now)...)
		}
		facts.Signatures = append(facts.Signatures, signatureFact{File: it.Path, Result: res})
	}
	return facts
}
