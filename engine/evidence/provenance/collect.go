package provenance

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
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
	// SubjectDigests are the release subjects' digests in the other
	// algorithms the verified statements use (sha512, as npm provenance
	// names a tarball), hashed from the subject files; name → digest.
	SubjectDigests map[string]policy.Digest `json:"subject_digests"`
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
		Facts:          evidence.New(items),
		Files:          []string{},
		Attestations:   []provenanceAttestation{},
		SubjectDigests: map[string]policy.Digest{},
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
				a.ExpiredTrust = append(a.ExpiredTrust, trust.ExpiredWindows(opts.Root, &trust.Verified{Signer: a.Signer, Timestamps: a.Timestamps}, env.Now)...)
			}
			facts.Attestations = append(facts.Attestations, provenanceAttestation{File: it.Path, Attestation: a})
		}
	}
	subjectDigests(env, facts)
	return facts
}

// otherSubjectAlgs are the digest algorithms besides sha256 (which every
// subject has) that a statement may name a subject by.
var otherSubjectAlgs = []string{"sha512"}

// subjectDigests hashes the subject files again, once, with each other
// algorithm a verified statement names a subject by: npm provenance names the
// package tarball by sha512 only. Nothing is hashed when no statement needs
// it, and a subject known only by digest keeps the digests it was given.
func subjectDigests(env *evidence.Env, facts *Facts) {
	var algs []string
	for _, alg := range otherSubjectAlgs {
	next:
		for _, a := range facts.Attestations {
			if !a.Verified || a.Statement == nil {
				continue
			}
			for _, s := range a.Statement.Subjects {
				if _, ok := s.Digest[alg]; ok {
					algs = append(algs, alg)
					break next
				}
			}
		}
	}
	if len(algs) == 0 {
		return
	}
	for _, s := range env.SubjectFiles {
		if s.Path == "" {
			continue
		}
		name := s.Name
		if name == "" {
			name = filepath.Base(s.Path)
		}
		d, _, err := checksum.HashFile(s.Path, algs...)
		if err != nil {
			facts.AddProblem(s.Path, "", 0, "hash subject with %s: %v", strings.Join(algs, ", "), err)
			continue
		}
		facts.SubjectDigests[name] = d
	}
}
