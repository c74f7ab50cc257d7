package hub.vsa_test

import data.hub.vsa

cfg := {"keys": ["K"], "max_age": "168h", "policy_digests": [], "verifier_id": "", "required_levels": []}

repo_cfg(over) := {"require": ["vsa"], "vsa": object.union(cfg, over)}

good := {
	"file": "oci://reg/app@sha256:aa", "verified": true, "error": "", "digest": "sha256:aa", "key_id": "k1",
	"verifier_id": "https://github.com/cicd-hub/hubgate", "time_verified": "2026-12-01T00:00:00Z",
	"time_verified_ns": 1796083200000000000, "resource_uri": "git+https://github.com/acme/app", "repo": "acme/app",
	"policy_digests": ["sha256:1111111111111111111111111111111111111111111111111111111111111111"],
	"result": "PASSED", "verified_levels": ["SLSA_BUILD_LEVEL_1"],
}

inp(ss) := {"repo": "acme/app", "now": "2026-12-03T00:00:00Z", "vsa": {"present": count(ss) > 0, "problems": [], "summaries": ss}}

denied(ss, over) := fs if {
	fs := vsa.accepted with input as inp(ss) with data.hub.repo as repo_cfg(over)
}

reason_of(ss, over) := f.actual if {
	some f in denied(ss, over)
}

test_good_accepted if {
	count(denied([good], {})) == 0
	count(vsa.others_accepted) == 0 with input as inp([good]) with data.hub.repo as repo_cfg({})
}

test_missing_when_required if {
	some f in vsa.present with input as inp([]) with data.hub.repo as repo_cfg({})
	f.actual == "none"
}

test_not_verified if {
	s := object.union(good, {"verified": false, "error": "not signed by a trusted key (vsa.keys: k1)"})
	reason_of([s], {}) == "not signed by a trusted key (vsa.keys: k1)"
}

test_unverified_claims_are_not_read if {
	# A bundle that did not verify is refused whatever it claims.
	s := object.union(good, {"verified": false, "error": "bad signature"})
	reason_of([s], {}) == "bad signature"
}

test_failed_result if {
	contains(reason_of([object.union(good, {"result": "FAILED"})], {}), `verification result is not PASSED: "FAILED"`)
}

test_too_old if {
	contains(reason_of([good], {"max_age": "24h"}), "max 24h")
}

test_at_max_age_accepted if {
	count(denied([good], {"max_age": "48h"})) == 0
}

test_other_repo if {
	contains(reason_of([object.union(good, {"repo": "evil/app"})], {}), "summary is for evil/app")
}

test_no_repo if {
	contains(reason_of([object.union(good, {"repo": ""})], {}), "names no repository")
}

test_policy_digest if {
	other := "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	contains(reason_of([good], {"policy_digests": [other]}), "policy digest not accepted")
	count(denied([good], {"policy_digests": [other, good.policy_digests[0]]})) == 0
}

test_verifier if {
	contains(reason_of([good], {"verifier_id": "https://example.com/other"}), "verifier id not accepted")
	count(denied([good], {"verifier_id": "https://github.com/cicd-hub/hubgate"})) == 0
}

test_levels if {
	count(denied([good], {"required_levels": ["SLSA_BUILD_LEVEL_1"]})) == 0
	count(denied([object.union(good, {"verified_levels": ["SLSA_BUILD_LEVEL_3"]})], {"required_levels": ["SLSA_BUILD_LEVEL_2"]})) == 0
	contains(reason_of([good], {"required_levels": ["SLSA_BUILD_LEVEL_2"]}), "required level not verified: SLSA_BUILD_LEVEL_2")
	contains(reason_of([object.union(good, {"verified_levels": ["SLSA_SOURCE_LEVEL_3"]})], {"required_levels": ["SLSA_BUILD_LEVEL_1"]}), "SLSA_BUILD_LEVEL_1")
	count(denied([object.union(good, {"verified_levels": ["CUSTOM"]})], {"required_levels": ["CUSTOM"]})) == 0
}

test_one_accepted_is_enough if {
	stale := object.union(good, {"file": "old", "time_verified": "2026-01-01T00:00:00Z", "time_verified_ns": 1767225600000000000})
	count(denied([stale, good], {})) == 0
	ws := vsa.others_accepted with input as inp([stale, good]) with data.hub.repo as repo_cfg({})
	count(ws) == 1
	some w in ws
	w.target == "old"
}

test_every_summary_reported_when_none_accepted if {
	a := object.union(good, {"file": "a", "result": "FAILED"})
	b := object.union(good, {"file": "b", "verified": false, "error": "bad"})
	count(denied([a, b], {})) == 2
}


test_not_judged_without_keys_or_requirement if {
	s := object.union(good, {"verified": false, "error": "no key to verify it"})
	count(vsa.accepted) == 0 with input as inp([s]) with data.hub.repo as {"require": ["checksums"], "vsa": object.union(cfg, {"keys": []})}
	count(vsa.accepted) == 1 with input as inp([s]) with data.hub.repo as {"require": ["checksums"], "vsa": cfg}
}

test_future if {
	s := object.union(good, {"time_verified": "2026-12-04T00:00:00Z", "time_verified_ns": 1796342400000000000})
	contains(reason_of([s], {}), "in the future")
}
