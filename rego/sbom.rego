# SBOM: the release ships a bill of materials that says what it describes,
# names its components by purl, and carries no denied license.
package hub.sbom

import data.hub.lib

# METADATA
# title: An SBOM is present
# description: The registry requires an SBOM for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Generate a CycloneDX or SPDX JSON SBOM (syft, trivy) for the release and pass it with --sbom.
present contains f if {
	f := lib.missing("sbom")
}

# METADATA
# title: The SBOM is readable
# description: An SBOM could not be read or parsed, or holds invalid elements such as an invalid purl, or says it was made (or, attested, was signed) after the evaluation time (--now). An attested SBOM (a sigstore bundle or DSSE envelope of an in-toto statement with a CycloneDX or SPDX predicate) whose signature does not verify against the shared trust material is not read.
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the file at the position shown; regenerate the SBOM with a current tool, and keep it under the size limit.
evidence contains f if {
	some f in lib.problems("sbom")
}

subject_digests contains d if {
	some s in input.subjects
	some alg, hex in s.digest
	d := sprintf("%s:%s", [lower(alg), lower(hex)])
}

subject_names contains s.name if {
	some s in input.subjects
}

ties(doc) if {
	some d in doc.subject.digests
	d in subject_digests
}

# A name ties only an SBOM that gives no digest: one that carries digests
# is about those bytes, and a name another build says too does not help it.
ties(doc) if {
	count(doc.subject.digests) == 0
	doc.subject.name != ""
	doc.subject.name in subject_names
}

# METADATA
# title: The SBOM describes a release subject
# description: The SBOM's described component (CycloneDX metadata.component, the SPDX package the document DESCRIBES) carries a subject's digest, or, when it carries no digest, a subject's name. An attested SBOM is bound by its signed statement instead, which must name a release subject's digest among its subjects.
# custom:
#   severity: medium
#   remediation: Generate the SBOM from the released artifact itself, so metadata.component carries its digest (syft scan of the image by digest), or name the subject in it; attest an SBOM for the released digest (cosign attest --type cyclonedx IMAGE@sha256:...).
describes_subject contains f if {
	count(input.subjects) > 0
	some doc in input.sbom.documents
	not attested(doc)
	doc.subject == null
	f := {
		"message": sprintf("%s does not say what it describes (no metadata.component or DESCRIBES relationship)", [doc.evidence]),
		"evidence": doc.evidence,
		"path": "metadata.component",
		"target": doc.evidence,
		"expected": sprintf("a described component with one of the digests %s", [concat(", ", sort(subject_digests))]),
		"actual": "none",
	}
}

describes_subject contains f if {
	count(input.subjects) > 0
	some doc in input.sbom.documents
	not attested(doc)
	doc.subject != null
	not ties(doc)
	f := {
		"message": sprintf("%s describes %s, which is not a release subject: %s", [doc.evidence, name_of(doc.subject), why_unbound(doc.subject)]),
		"evidence": doc.evidence,
		"path": "metadata.component",
		"target": doc.evidence,
		"expected": sprintf("one of the digests %s or the names %s", [concat(", ", sort(subject_digests)), concat(", ", sort(subject_names))]),
		"actual": sprintf("%s with digests [%s]", [name_of(doc.subject), concat(", ", doc.subject.digests)]),
	}
}

describes_subject contains f if {
	count(input.subjects) > 0
	some doc in input.sbom.documents
	attested(doc)
	not attested_for_subject(doc)
	f := {
		"message": sprintf("%s is attested for [%s], none of them a release subject", [doc.evidence, concat(", ", doc.attestation.subject_digests)]),
		"evidence": doc.evidence,
		"path": "payload.subject",
		"target": doc.evidence,
		"expected": sprintf("a statement subject with one of the digests %s", [concat(", ", sort(subject_digests))]),
		"actual": sprintf("[%s]", [concat(", ", doc.attestation.subject_digests)]),
	}
}

# attested(doc): doc came as the predicate of a verified attestation.
attested(doc) if is_object(doc.attestation)

attested_for_subject(doc) if {
	some d in doc.attestation.subject_digests
	d in subject_digests
}

# METADATA
# title: An attested SBOM is signed by a trusted identity
# description: The verified certificate of an attested SBOM matches one of the registry's provenance.identities (issuer, SAN and the Fulcio extensions each names, anchored), with none the repo's release workflow at a release ref run in this repo, as for every signed kind; a registry key (provenance.keys) is trusted by verifying. A plain SBOM document is not signed and is not judged here.
# custom:
#   severity: high
#   remediation: Attest the SBOM from a trusted workflow of this repository (cosign attest --type cyclonedx, actions/attest-sbom) or with a registry key, or add the signing identity to provenance.identities.
signer contains f if {
	some doc in input.sbom.documents
	attested(doc)
	not doc.attestation.keyed
	not lib.signer_ok(doc.attestation)
	f := {
		"message": sprintf("%s was attested by %s (issuer %s), which is not a trusted identity for %s", [doc.evidence, doc.attestation.san, doc.attestation.issuer, input.repo]),
		"evidence": doc.evidence,
		"path": "verificationMaterial",
		"target": doc.evidence,
		"expected": lib.describe_identities,
		"actual": lib.describe_signer(doc.attestation),
	}
}

why_unbound(s) := "its digests are not a subject's (a name does not bind an SBOM that gives digests)" if {
	count(s.digests) > 0
} else := "it gives no digest and no subject's name"

name_of(s) := s.purl if s.purl != ""

name_of(s) := s.name if {
	s.purl == ""
	s.name != ""
}

name_of(s) := s.bom_ref if {
	s.purl == ""
	s.name == ""
}

require_purls if object.get(data.hub.repo, ["sbom", "require_purls"], false) == true

# METADATA
# title: Every component has a purl
# description: The registry requires every SBOM component to be named by a package URL, so vulnerabilities and VEX statements can be matched to it.
# custom:
#   severity: medium
#   remediation: Regenerate the SBOM with a tool that emits purls (syft, cdxgen), or add the purl of each listed component.
purls contains f if {
	require_purls
	some c in input.sbom.without_purl
	f := {
		"message": sprintf("%s has no purl in %s", [component_name(c), c.evidence]),
		"evidence": c.evidence,
		"path": c.path,
		"target": component_name(c),
		"expected": "a purl",
		"actual": "none",
	}
}

purls contains f if {
	require_purls
	rest := input.sbom.without_purl_total - count(input.sbom.without_purl)
	rest > 0
	f := {
		"message": sprintf("%d more components have no purl", [rest]),
		"target": "sbom",
		"expected": "a purl on every component",
		"actual": sprintf("%d components without one", [input.sbom.without_purl_total]),
	}
}

component_name(c) := sprintf("%s@%s", [c.name, c.version]) if c.version != ""

component_name(c) := c.name if c.version == ""

denied contains lower(l) if {
	some l in object.get(data.hub.repo, ["licenses", "deny"], [])
}

# METADATA
# title: No component carries a denied license
# description: A component's license (or one of the ids in its license expression) is on the registry's licenses.deny list.
# custom:
#   severity: high
#   remediation: Replace the component, or get a legal exception and record it as a waiver for this component.
license_denied contains f if {
	some l in input.sbom.licenses
	lower(l.id) in denied
	some c in l.components
	f := {
		"message": sprintf("%s carries the denied license %s", [component_name(c), l.id]),
		"evidence": c.evidence,
		"path": c.path,
		"target": component_purl_or_name(c),
		"expected": sprintf("no license in [%s]", [concat(", ", sort(denied))]),
		"actual": l.id,
	}
}

component_purl_or_name(c) := c.purl if c.purl != ""

component_purl_or_name(c) := component_name(c) if c.purl == ""
