package engine

import (
	"github.com/cicd-hub/hubgate/engine/evidence"
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

// collectors is the table of evidence kinds. A new kind adds one line here
// and a collect_<kind>.go file beside this one.
var collectors = map[policy.EvidenceKind]evidence.Collector{
	policy.KindChecksums:       collectChecksums,
	policy.KindSBOM:            collectSBOM,
	policy.KindVEX:             collectVEX,
	policy.KindVulnerabilities: collectVulnerabilities,
	policy.KindProvenance:      collectProvenance,
	policy.KindSignature:       collectSignature,
	policy.KindReferrers:       collectReferrers,
	policy.KindEvidenceBundle:  collectEvidenceBundle,
	policy.KindEgress:          collectEgress,
	policy.KindDeterminism:     collectDeterminism,
	policy.KindCache:           collectCache,
	policy.KindDrill:           collectDrill,
	policy.KindWorkflow:        collectWorkflow,
}
