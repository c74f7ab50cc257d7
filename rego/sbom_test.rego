package hub.sbom_test

import data.hub.sbom

h1 := "1111111111111111111111111111111111111111111111111111111111111111"

subjects := [{"name": "app.tar.gz", "digest": {"sha256": h1}}]

doc(subject) := {"evidence": "bom.json", "format": "cyclonedx-json", "spec_version": "1.5", "components": 2, "subject": subject}

facts(over) := object.union({
	"present": true, "problems": [], "documents": [doc({"name": "app", "version": "1", "purl": "", "bom_ref": "app", "digests": [sprintf("sha256:%s", [h1])]})],
	"components": 2, "without_purl": [], "without_purl_total": 0, "licenses": [],
}, over)

inp(over) := {"repo": "a/b", "subjects": subjects, "sbom": facts(over)}

comp := {"evidence": "bom.json", "path": "components[1]", "name": "left-pad", "version": "1.0", "purl": "pkg:npm/left-pad@1.0"}

test_describes_subject_by_digest if {
	fs := sbom.describes_subject with input as inp({}) with data.hub.repo as {}
	count(fs) == 0
}

test_describes_subject_by_name if {
	fs := sbom.describes_subject with input as inp({"documents": [doc({"name": "app.tar.gz", "version": "", "purl": "", "bom_ref": "", "digests": []})]}) with data.hub.repo as {}
	count(fs) == 0
}

test_describes_other_subject if {
	other := {"name": "other", "version": "", "purl": "pkg:oci/other@sha256:22", "bom_ref": "", "digests": ["sha256:22"]}
	fs := sbom.describes_subject with input as inp({"documents": [doc(other)]}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	contains(f.message, "pkg:oci/other@sha256:22")
}

# The subject's name with another artifact's digest: the digest decides.
test_describes_subject_name_other_digest if {
	other := {"name": "app.tar.gz", "version": "", "purl": "", "bom_ref": "", "digests": ["sha256:22"]}
	fs := sbom.describes_subject with input as inp({"documents": [doc(other)]}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.path == "metadata.component"
	contains(f.actual, "sha256:22")
}

test_describes_nothing if {
	fs := sbom.describes_subject with input as inp({"documents": [doc(null)]}) with data.hub.repo as {}
	count(fs) == 1
}

test_purls_only_when_required if {
	i := inp({"without_purl": [comp], "without_purl_total": 1})
	count(sbom.purls) == 0 with input as i with data.hub.repo as {}
	count(sbom.purls) == 1 with input as i with data.hub.repo as {"sbom": {"require_purls": true}}
}

test_purls_overflow if {
	i := inp({"without_purl": [comp], "without_purl_total": 3})
	count(sbom.purls) == 2 with input as i with data.hub.repo as {"sbom": {"require_purls": true}}
}

test_license_denied if {
	i := inp({"licenses": [{"id": "GPL-3.0-only", "total": 1, "components": [comp]}, {"id": "MIT", "total": 1, "components": [comp]}]})
	fs := sbom.license_denied with input as i with data.hub.repo as {"licenses": {"deny": ["gpl-3.0-only"]}}
	count(fs) == 1
	some f in fs
	f.target == "pkg:npm/left-pad@1.0"
	f.actual == "GPL-3.0-only"
}

test_license_not_denied_without_list if {
	i := inp({"licenses": [{"id": "GPL-3.0-only", "total": 1, "components": [comp]}]})
	count(sbom.license_denied) == 0 with input as i with data.hub.repo as {}
}

test_present_required if {
	count(sbom.present) == 1 with input as {"repo": "a/b", "sbom": {"present": false, "problems": []}} with data.hub.repo as {"require": ["sbom"]}
}

# An attested SBOM: the statement's subjects bind it, whatever its own
# metadata.component says.
attested(digests, signer) := object.union(doc({"name": "other", "version": "", "purl": "", "bom_ref": "", "digests": ["sha256:22"]}), {"attestation": object.union(
	{"format": "sigstore-bundle", "predicate_type": "https://cyclonedx.org/bom", "subject_digests": digests},
	signer,
)})

release_signer := {
	"keyed": false, "key_id": "", "issuer": "https://token.actions.githubusercontent.com",
	"san": "https://github.com/a/b/.github/workflows/release.yml@refs/tags/v1",
	"claims": {"source_repository_uri": "https://github.com/a/b", "source_repository_ref": "refs/tags/v1"},
}

test_attested_for_subject if {
	i := inp({"documents": [attested([sprintf("sha256:%s", [h1])], release_signer)]})
	count(sbom.describes_subject) == 0 with input as i with data.hub.repo as {}
	count(sbom.signer) == 0 with input as i with data.hub.repo as {}
}

test_attested_for_another_subject if {
	i := inp({"documents": [attested(["sha256:22"], release_signer)]})
	fs := sbom.describes_subject with input as i with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.path == "payload.subject"
	f.actual == "[sha256:22]"
}

test_attested_for_nothing if {
	fs := sbom.describes_subject with input as inp({"documents": [attested([], release_signer)]}) with data.hub.repo as {}
	count(fs) == 1
}

test_attested_by_untrusted_identity if {
	evil := object.union(release_signer, {"san": "https://github.com/evil/b/.github/workflows/release.yml@refs/tags/v1", "claims": {"source_repository_uri": "https://github.com/evil/b"}})
	fs := sbom.signer with input as inp({"documents": [attested([sprintf("sha256:%s", [h1])], evil)]}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	contains(f.message, "evil/b")
	contains(f.actual, "SAN https://github.com/evil/b/")
}

test_attested_by_registry_key if {
	key := {"keyed": true, "key_id": "sha256:k", "issuer": "", "san": "", "claims": {}}
	count(sbom.signer) == 0 with input as inp({"documents": [attested([sprintf("sha256:%s", [h1])], key)]}) with data.hub.repo as {}
}

test_attested_keys_only_refuses_certificates if {
	i := inp({"documents": [attested([sprintf("sha256:%s", [h1])], release_signer)]})
	count(sbom.signer) == 1 with input as i with data.hub.repo as {"provenance": {"keys_only": true}}
}

test_plain_sbom_is_not_judged_on_a_signer if {
	count(sbom.signer) == 0 with input as inp({}) with data.hub.repo as {}
}
