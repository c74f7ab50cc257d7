package provenance

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is the facts document of the provenance kind,
// input.provenance in Rego.
type Facts struct {
	evidence.Facts
	// Files are the provenance files, in the order given.
	Files []string `json:"files"`
	// TrustedRoot is the trusted root used: "embedded" or a path.
	TrustedRoot string `json:"trusted_root"`
	// Attestations are every attestation of every file, verified or not,
	// in file order. Only verified ones carry a statement.
	Attestations []provenanceAttestation `json:"attestations"`
}

type provenanceAttestation struct {
	File string `json:"file"`
	Attestation
}

// Collect verifies every attestation of every provenance file.
// Attestations that do not verify are listed with their reason and no
// statement; files that cannot be read or parsed are problems.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{
		Facts:        evidence.New(items),
		Files:        []string{},
		Attestations: []provenanceAttestation{},
	}
	if len(items) == 0 {
		return facts
	}
	opts, rootName, ok := env.TrustOptions(policy.KindProvenance, &facts.Facts)
	facts.TrustedRoot = rootName
	if !ok {
		return facts
	}
	for _, it := range items {
		if ctx.Err() != nil {
			facts.AddProblem(it.Path, "", 0, "%v", ctx.Err())
			continue
		}
		facts.Files = append(facts.Files, it.Path)
		b, err := env.ReadFile(policy.KindProvenance, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "%v", err)
			continue
		}
		res := Parse(b, opts)
		for _, p := range res.Problems {
			facts.AddProblem(it.Path, p.Path, p.Line, "%s", p.Message)
		}
		for _, a := range res.Attestations {
			if a.Verified {
				facts.FutureSigningTimes(it.Path, a.Timestamps, env.Now)
				if a.Statement != nil {
					for _, st := range a.Statement.Times {
						facts.FutureAt(it.Path, st.Field, st.Time, env.Now)
					}
				}
				a.ExpiredTrust = append(a.ExpiredTrust, trust.ExpiredWindows(opts.Root, &trust.Verified{Keyed: a.Keyed, Timestamps: a.Timestamps}, env.Now)...)
			}
			facts.Attestations = append(facts.Attestations, provenanceAttestation{File: it.Path, Attestation: a})
		}
	}
	return facts
}
