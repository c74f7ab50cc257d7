package oci

import (
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/policy"
)

// Media and artifact types hubgate knows.
const (
	MediaBundle    = "application/vnd.dev.sigstore.bundle.v0.3+json"
	MediaCycloneDX = "application/vnd.cyclonedx+json"
	MediaCDXXML    = "application/vnd.cyclonedx+xml"
	MediaSPDX      = "application/spdx+json"
	MediaOpenVEX   = "application/vnd.openvex+json"
	MediaInToto    = "application/vnd.in-toto+json"

	// AnnotationPredicateType and AnnotationContent are the annotations
	// cosign v3 sets on a bundle's manifest.
	AnnotationPredicateType = "dev.sigstore.bundle.predicateType"
	AnnotationContent       = "dev.sigstore.bundle.content"
	annotationCreated       = "org.opencontainers.image.created"
	annotationInTotoPred    = "in-toto.io/predicate-type"

	PredicateVSA = "https://slsa.dev/verification_summary/v1"
)

// Use is what hubgate does with a referrer.
type Use string

// The uses of a referrer.
const (
	UseProvenance Use = "provenance"
	UseSBOM       Use = "sbom"
	UseVEX        Use = "vex"
	UseVSA        Use = "vsa"     // read by the webhook; judged by eval (the vsa kind)
	UseUnknown    Use = "unknown" // listed, otherwise ignored
)

// Kind is the evidence kind the engine reads a referrer of use u as, or ""
// for the uses eval only lists.
func (u Use) Kind() policy.EvidenceKind {
	switch u {
	case UseProvenance:
		return policy.KindProvenance
	case UseSBOM:
		return policy.KindSBOM
	case UseVEX:
		return policy.KindVEX
	case UseVSA:
		return policy.KindVSA
	}
	return ""
}

// Classify says what a referrer is from its artifact type (or its config
// media type when it has none) and the predicate type it is annotated
// with. Media types compare without case and without parameters.
func Classify(artifactType, predicateType string) Use {
	full := strings.ToLower(strings.TrimSpace(artifactType))
	base, params, _ := strings.Cut(full, ";")
	base = strings.TrimSpace(base)
	switch {
	case base == MediaBundle, base == "application/vnd.dev.sigstore.bundle+json" && strings.Contains(params, "version=0.3"):
		switch {
		case isProvenance(predicateType):
			return UseProvenance
		case predicateType == PredicateVSA:
			return UseVSA
		case bom.IsSBOMPredicate(predicateType):
			// cosign attest --type cyclonedx|spdxjson: the sbom kind
			// verifies the bundle and reads its predicate.
			return UseSBOM
		}
		// cosign sign bundles (https://sigstore.dev/cosign/sign/v1) sign
		// a simple-signing payload: listed only.
		return UseUnknown
	case base == MediaInToto:
		if isProvenance(predicateType) {
			return UseProvenance
		}
	case base == MediaCycloneDX, base == MediaCDXXML, base == "application/vnd.cyclonedx", base == MediaSPDX, base == "text/spdx+json":
		return UseSBOM
	case base == MediaOpenVEX, base == "application/openvex+json":
		return UseVEX
	}
	return UseUnknown
}

func isProvenance(p string) bool {
	return p == "https://slsa.dev/provenance/v1" || p == "https://slsa.dev/provenance/v0.2"
}
