package signature

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is the facts document of the signature kind,
// input.signature in Rego.
type Facts struct {
	evidence.Facts
	TrustedRoot string `json:"trusted_root"`
	// Signatures has one entry per bundle given, verified or not.
	Signatures []signatureFact `json:"signatures"`
}

type signatureFact struct {
	File string `json:"file"`
	Result
}

// Collect verifies each sigstore bundle over the release's
// subjects.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{
		Facts:      evidence.New(items),
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
	subjects := make([]Subject, 0, len(env.Subjects))
	for i, s := range env.Subjects {
		subjects = append(subjects, Subject{Name: s.Name, Digest: s.Digest, Path: env.SubjectPath(i, s.Name)})
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
		res, err := Verify(b, subjects, opts)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		if res.Verified {
			facts.FutureSigningTimes(it.Path, res.Timestamps, env.Now)
			res.ExpiredTrust = append(res.ExpiredTrust, trust.ExpiredWindows(opts.Root, &trust.Verified{Signer: res.Signer, Timestamps: res.Timestamps}, env.Now)...)
		}
		facts.Signatures = append(facts.Signatures, signatureFact{File: it.Path, Result: res})
	}
	return facts
}
