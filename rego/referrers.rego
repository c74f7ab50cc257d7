# Referrers: the OCI artifacts the registry requires (SBOMs, attestations)
# are attached to the released image's digest itself, as `oras discover`
# reports them.
package hub.referrers

import data.hub.lib

required_types := object.get(data.hub.repo, ["referrers", "require"], [
	"application/spdx+json",
	"application/vnd.cyclonedx+json",
	"application/vnd.in-toto+json",
])

subject_digests := {d |
	some s in input.subjects
	some alg, hex in s.digest
	d := sprintf("%s:%s", [lower(alg), lower(hex)])
}

# attached is the set of artifact types attached directly (depth 1) to a
# release subject's digest.
attached contains r.artifact_type if {
	some doc in input.referrers.documents
	doc.subject in subject_digests
	some r in doc.referrers
	r.depth == 1
}

files := concat(", ", [doc.file | some doc in input.referrers.documents])

# METADATA
# title: Referrers are present
# description: The registry requires the OCI referrers of the release image, and none were given.
# custom:
#   severity: high
#   remediation: Run `oras discover --format json REGISTRY/REPO@DIGEST > referrers.json` and pass it with --referrers.
present contains f if {
	f := lib.missing("referrers")
}

# METADATA
# title: The referrers file is readable
# description: The oras discover output could not be read or parsed.
# custom:
#   severity: high
#   outcome: error
#   remediation: Pass the unmodified output of `oras discover --format json`.
evidence contains f if {
	some f in lib.problems("referrers")
}

# METADATA
# title: The required artifacts are attached to the subject digest
# description: Every artifact type in the registry's referrers.require is attached directly to a release subject's digest (not to another image, not to another referrer).
# custom:
#   severity: high
#   remediation: Attach the missing artifacts to the image digest (oras attach --artifact-type TYPE IMAGE@DIGEST FILE, cosign attest), and run oras discover on that digest.
required contains f if {
	some doc in input.referrers.documents
	doc.subject == ""
	f := {
		"message": sprintf("%s does not say which digest its referrers are attached to (oras discover before 1.3 prints no subject)", [doc.file]),
		"evidence": doc.file,
		"path": "digest",
		"target": doc.file,
		"expected": sprintf("referrers of one of %s", [concat(", ", sort(subject_digests))]),
		"actual": "no subject digest",
	}
}

required contains f if {
	some doc in input.referrers.documents
	doc.subject != ""
	not doc.subject in subject_digests
	f := {
		"message": sprintf("%s lists the referrers of %s, which is not a release subject", [doc.file, doc.subject]),
		"evidence": doc.file,
		"path": "digest",
		"target": doc.file,
		"expected": sprintf("referrers of one of %s", [concat(", ", sort(subject_digests))]),
		"actual": doc.subject,
	}
}

required contains f if {
	input.referrers.present
	count(input.referrers.documents) > 0
	some t in required_types
	not t in attached
	f := {
		"message": sprintf("no %s artifact is attached to the release subject", [t]),
		"evidence": files,
		"path": "referrers",
		"target": t,
		"expected": sprintf("a referrer of artifact type %s attached to %s", [t, concat(" or ", sort(subject_digests))]),
		"actual": actual_types,
	}
}

actual_types := "no referrers of a release subject" if {
	count(attached) == 0
} else := sprintf("attached types: %s", [concat(", ", sort(attached))])
