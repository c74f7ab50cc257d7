package policy

import "slices"

// EvidenceKind names one kind of evidence. The name is the same everywhere:
// the registry's require list, rule ids (kind.name), the Rego package
// (hub.kind) and the folder engine/evidence/kind.
type EvidenceKind string

// The evidence kinds hubgate knows, in the order checks are reported.
const (
	KindChecksums       EvidenceKind = "checksums"
	KindSBOM            EvidenceKind = "sbom"
	KindVEX             EvidenceKind = "vex"
	KindVulnerabilities EvidenceKind = "vulnerabilities"
	KindProvenance      EvidenceKind = "provenance"
	KindSignature       EvidenceKind = "signature"
	KindVSA             EvidenceKind = "vsa"
	KindReferrers       EvidenceKind = "referrers"
	KindEvidenceBundle  EvidenceKind = "evidence_bundle"
	KindEgress          EvidenceKind = "egress"
	KindDeterminism     EvidenceKind = "determinism"
	KindCache           EvidenceKind = "cache"
	KindDrill           EvidenceKind = "drill"
	KindWorkflow        EvidenceKind = "workflow"
)

// KindAdmission is the kind of the Kubernetes admission rules (package
// hub.admission, rule ids admission.<name>) and of the one check of an
// admission decision. It is not evidence a release brings, so it is not in
// [Kinds] and not [EvidenceKind.Valid].
const KindAdmission EvidenceKind = "admission"

// KindJob is the kind of the job admission rules (package hub.job, rule
// ids job.<name>), and KindVSAVerify of hubgate verify vsa's (package
// hub.vsa_verify). Like [KindAdmission], neither judges a release: they
// are not in [Kinds], and no release decision has their checks.
const (
	KindJob       EvidenceKind = "job"
	KindVSAVerify EvidenceKind = "vsa_verify"
)

// Release reports whether rules of kind k can judge a release: every kind
// but [KindAdmission], [KindJob] and [KindVSAVerify] (a user's own kind
// included).
func (k EvidenceKind) Release() bool {
	return k != KindAdmission && k != KindJob && k != KindVSAVerify
}

// Kinds returns every evidence kind in report order.
func Kinds() []EvidenceKind {
	return []EvidenceKind{
		KindChecksums, KindSBOM, KindVEX, KindVulnerabilities, KindProvenance,
		KindSignature, KindVSA, KindReferrers, KindEvidenceBundle, KindEgress,
		KindDeterminism, KindCache, KindDrill, KindWorkflow,
	}
}

// Valid reports whether k is one of [Kinds].
func (k EvidenceKind) Valid() bool { return slices.Contains(Kinds(), k) }

// Order returns k's position in [Kinds], or len(Kinds()) for unknown kinds.
func (k EvidenceKind) Order() int {
	i := slices.Index(Kinds(), k)
	if i < 0 {
		return len(Kinds())
	}
	return i
}
