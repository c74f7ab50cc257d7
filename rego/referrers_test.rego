package hub.referrers_test

import data.hub.referrers

h := "1111111111111111111111111111111111111111111111111111111111111111"

subj := concat(":", ["sha256", h])

ref(t, depth) := {"artifact_type": t, "media_type": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:22", "depth": depth, "path": "referrers[0]"}

all_types := [
	ref("application/spdx+json", 1),
	ref("application/vnd.cyclonedx+json", 1),
	ref("application/vnd.in-toto+json", 1),
]

inp(subject, refs) := {
	"repo": "acme/app",
	"subjects": [{"name": "app", "digest": {"sha256": h}}],
	"referrers": {"present": true, "problems": [], "documents": [{"file": "refs.json", "format": "tree", "subject": subject, "reference": "", "referrers": refs}]},
}

test_all_attached_passes if {
	count(referrers.required) == 0 with input as inp(subj, all_types) with data.hub.repo as {}
}

test_missing_type_is_denied if {
	fs := referrers.required with input as inp(subj, [ref("application/spdx+json", 1)]) with data.hub.repo as {}
	count(fs) == 2
	some f in fs
	f.target == "application/vnd.in-toto+json"
	f.actual == "attached types: application/spdx+json"
}

test_registry_require_is_used if {
	repo := {"referrers": {"require": ["application/spdx+json"]}}
	count(referrers.required) == 0 with input as inp(subj, [ref("application/spdx+json", 1)]) with data.hub.repo as repo
}

test_attached_to_another_digest_is_denied if {
	fs := referrers.required with input as inp("sha256:99", all_types) with data.hub.repo as {}
	# one finding for the wrong subject, one per required type
	count(fs) == 4
	some f in fs
	f.actual == "sha256:99"
}

test_nested_referrer_does_not_count if {
	refs := [ref("application/spdx+json", 1), ref("application/vnd.cyclonedx+json", 1), ref("application/vnd.in-toto+json", 2)]
	fs := referrers.required with input as inp(subj, refs) with data.hub.repo as {}
	count(fs) == 1
}

test_index_without_subject_is_denied if {
	fs := referrers.required with input as inp("", all_types) with data.hub.repo as {}
	some f in fs
	f.actual == "no subject digest"
}

test_absent_no_findings if {
	i := {"repo": "acme/app", "subjects": [], "referrers": {"present": false, "problems": [], "documents": []}}
	count(referrers.required) == 0 with input as i with data.hub.repo as {}
}
