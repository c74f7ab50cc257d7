package engine

import (
	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/cache"
	"github.com/cicd-hub/hubgate/engine/evidence/checksums"
	"github.com/cicd-hub/hubgate/engine/evidence/determinism"
	"github.com/cicd-hub/hubgate/engine/evidence/drill"
	"github.com/cicd-hub/hubgate/engine/evidence/egress"
	evidencebundle "github.com/cicd-hub/hubgate/engine/evidence/evidence_bundle"
	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	"github.com/cicd-hub/hubgate/engine/evidence/referrers"
	"github.com/cicd-hub/hubgate/engine/evidence/sbom"
	"github.com/cicd-hub/hubgate/engine/evidence/signature"
	"github.com/cicd-hub/hubgate/engine/evidence/vex"
	"github.com/cicd-hub/hubgate/engine/evidence/vsa"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/engine/evidence/workflow"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// DefaultMaxFileSize bounds every evidence file the engine reads.
const DefaultMaxFileSize = evidence.DefaultMaxFileSize

// ErrTooLarge is wrapped by [Env.ReadFile] when a file exceeds the limit.
var ErrTooLarge = evidence.ErrTooLarge

// The collector contract lives in engine/evidence; these names keep the
// engine's API for its callers.
type (
	// Item is one piece of evidence ([evidence.Item]).
	Item = evidence.Item
	// SubjectInput is one artifact ([evidence.SubjectInput]).
	SubjectInput = evidence.SubjectInput
	// Problem is evidence that could not be used ([evidence.Problem]).
	Problem = evidence.Problem
	// Facts is embedded in every kind's facts ([evidence.Facts]).
	Facts = evidence.Facts
	// Env is what a collector knows besides its items ([evidence.Env]).
	Env = evidence.Env
)

// A kind is one package under engine/evidence/<kind>/ (parser, verifier,
// collector and typed facts), one rego/<kind>.rego and one
// cue/section_<kind>.cue, plus one line in this table.
//
// needs names the kinds whose parsed files a collector reads through the
// per-eval cache (vex resolves refs through the SBOMs; vulnerabilities reads
// both): it runs after them, so each file is parsed by its own kind first.
// The other collectors run concurrently.
//
// section, when set, is the kind's registry section: the registry decodes
// it once at load into the kind's typed config (registrySections).
var collectors = map[policy.EvidenceKind]struct {
	collect evidence.Collector
	needs   []policy.EvidenceKind
	section registry.Section
}{
	policy.KindChecksums:       {collect: checksums.Collect},
	policy.KindSBOM:            {collect: sbom.Collect},
	policy.KindVEX:             {collect: vex.Collect, needs: []policy.EvidenceKind{policy.KindSBOM}},
	policy.KindVulnerabilities: {collect: vulnerabilities.Collect, needs: []policy.EvidenceKind{policy.KindSBOM, policy.KindVEX}, section: vulnerabilities.Section},
	policy.KindProvenance:      {collect: provenance.Collect},
	policy.KindSignature:       {collect: signature.Collect},
	policy.KindVSA:             {collect: vsa.Collect},
	policy.KindReferrers:       {collect: referrers.Collect},
	policy.KindEvidenceBundle:  {collect: evidencebundle.Collect, section: evidencebundle.Section},
	policy.KindEgress:          {collect: egress.Collect, section: egress.Section},
	policy.KindDeterminism:     {collect: determinism.Collect, section: determinism.Section},
	policy.KindCache:           {collect: cache.Collect},
	policy.KindDrill:           {collect: drill.Collect, section: drill.Section},
	policy.KindWorkflow:        {collect: workflow.Collect},
}

// registrySections are the registry sections the collectors (and the trust
// material) read, in kind order: the registry decodes each once at load
// into its typed config, never per evaluation.
func registrySections() []registry.Section {
	out := []registry.Section{evidence.TrustSection, evidence.VSATrustSection}
	for _, k := range policy.Kinds() {
		if s := collectors[k].section; s.Name() != "" {
			out = append(out, s)
		}
	}
	return out
}
