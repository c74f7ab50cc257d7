package hub.lib_vsa_test

import data.hub.admission
import data.hub.lib
import data.hub.vsa_verify

hour := 3600000000000

# now_ns is 2026-11-28T12:00:00Z.
now_ns := 1795867200000000000

pol := "sha256:1111111111111111111111111111111111111111111111111111111111111111"

other_pol := "sha256:2222222222222222222222222222222222222222222222222222222222222222"

dig := "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

# good is a verified summary of acme/api, an hour old.
good := {
	"verified": true, "error": "", "digest": dig, "key_id": "k", "verifier_id": "https://ci.example/hubgate",
	"time_verified": "2026-11-28T11:00:00Z", "time_verified_ns": now_ns - hour,
	"resource_uri": "git+https://github.com/acme/api", "repo": "acme/api",
	"policy_digests": [pol], "result": "PASSED", "verified_levels": ["SLSA_BUILD_LEVEL_2"],
}

req := {
	"max_age": "168h0m0s", "max_age_ns": 168 * hour, "policy_digests": [], "verifier_id": "",
	"prefix": "ghcr.io/acme", "repos": ["acme/api"], "mapping_policy_digests": [], "required_levels": [],
	"unchanged": false,
}

problems(s, r) := lib.vsa_problems(s, r, now_ns)

test_good_summary_has_no_problem if {
	problems(good, req) == []
}

test_not_verified if {
	s := {"verified": false, "error": "verify vsa: signature does not verify: bad"}
	problems(s, req) == ["verify vsa: signature does not verify: bad"]
}

test_not_verified_without_error if {
	problems({"verified": false}, req) == ["summary did not verify"]
	problems({}, req) == ["summary did not verify"]
}

test_verified_claims_are_still_judged if {
	# "verified" alone admits nothing: every claim is required.
	ps := problems({"verified": true}, req)
	count(ps) > 0
	ps[0] == `verification result is not PASSED: ""`
}

test_not_passed if {
	s := object.union(good, {"result": "FAILED"})
	problems(s, req) == [`verification result is not PASSED: "FAILED"`]
}

test_too_old if {
	s := object.union(good, {"time_verified": "2026-11-20T04:00:00Z", "time_verified_ns": now_ns - (200 * hour)})
	problems(s, req) == ["summary is not fresh: verified at 2026-11-20T04:00:00Z, 200h0m0s old, max 168h0m0s"]
}

test_age_is_truncated_to_seconds if {
	s := object.union(good, {"time_verified_ns": ((now_ns - (168 * hour)) - 61000000000) - 500000000})
	ps := problems(s, req)
	contains(ps[0], ", 168h1m1s old, max 168h0m0s")
}

test_exactly_max_age_passes if {
	s := object.union(good, {"time_verified_ns": now_ns - (168 * hour)})
	problems(s, req) == []
}

test_future_beyond_skew if {
	s := object.union(good, {"time_verified": "2026-11-28T13:00:00Z", "time_verified_ns": now_ns + hour})
	problems(s, req) == ["summary is not fresh: verified at 2026-11-28T13:00:00Z, in the future"]
}

test_future_within_skew_passes if {
	s := object.union(good, {"time_verified_ns": now_ns + 60000000000})
	problems(s, req) == []
}

test_unchanged_skips_age if {
	s := object.union(good, {"time_verified_ns": now_ns - (2000 * hour)})
	count(problems(s, req)) == 1
	problems(s, object.union(req, {"unchanged": true})) == []
}

test_unchanged_still_refuses_the_future if {
	s := object.union(good, {"time_verified": "2026-11-28T14:00:00Z", "time_verified_ns": now_ns + (2 * hour)})
	problems(s, object.union(req, {"unchanged": true})) == ["summary is not fresh: verified at 2026-11-28T14:00:00Z, in the future"]
}

test_no_max_age_accepts_nothing if {
	problems(good, object.union(req, {"max_age_ns": 0})) == ["summary is not fresh: no maximum age configured"]
	problems(good, object.union(req, {"max_age_ns": -1})) == ["summary is not fresh: no maximum age configured"]
	problems(good, object.remove(req, ["max_age_ns"])) == ["summary is not fresh: no maximum age configured"]
	problems(good, object.union(req, {"max_age_ns": 0, "unchanged": true})) == ["summary is not fresh: no maximum age configured"]
}

test_missing_time_is_refused if {
	problems(object.remove(good, ["time_verified_ns"]), req) == ["summary is not fresh: no timeVerified"]
}

test_policy_digest_not_accepted_global if {
	problems(good, object.union(req, {"policy_digests": [other_pol]})) == [sprintf("policy digest not accepted: [%s]", [pol])]
	problems(good, object.union(req, {"policy_digests": [other_pol, pol]})) == []
}

test_policy_digest_not_accepted_per_mapping if {
	r := object.union(req, {"mapping_policy_digests": [other_pol]})
	problems(good, r) == [sprintf("policy digest not accepted: [%s], admission.images[\"ghcr.io/acme\"] accepts [%s]", [pol, other_pol])]
	problems(good, object.union(req, {"mapping_policy_digests": [pol]})) == []
}

test_summary_without_policy_digest_not_accepted if {
	s := object.remove(good, ["policy_digests"])
	problems(s, object.union(req, {"policy_digests": [pol]})) == ["policy digest not accepted: []"]
}

test_wrong_verifier_id if {
	r := object.union(req, {"verifier_id": "https://other"})
	problems(good, r) == [`verifier id not accepted: "https://ci.example/hubgate", want "https://other"`]
	problems(good, object.union(req, {"verifier_id": "https://ci.example/hubgate"})) == []
}

test_repo_not_accepted if {
	problems(good, object.union(req, {"repos": ["acme/other"]})) == ["repository not accepted: summary is for acme/api, want one of [acme/other]"]
	problems(good, object.union(req, {"repos": ["Acme/API"]})) == ["repository not accepted: summary is for acme/api, want one of [Acme/API]"]
	problems(good, object.union(req, {"repos": ["acme/other", "acme/api"]})) == []
}

test_repo_not_named if {
	s := object.union(good, {"repo": "", "resource_uri": "https://gitlab.com/acme/api"})
	problems(s, req) == [`repository not accepted: resourceUri "https://gitlab.com/acme/api" names no repository, want one of [acme/api]`]
}

test_empty_repos_accepts_nothing if {
	problems(good, object.union(req, {"repos": []})) == [`repository not accepted: no repo is accepted for this image (admission.images["ghcr.io/acme"] lists none)`]
}

test_no_repos_key_does_not_judge_the_repo if {
	problems(good, object.remove(req, ["repos"])) == []
}

test_levels_met_and_unmet if {
	met(["SLSA_BUILD_LEVEL_1"])
	met(["SLSA_BUILD_LEVEL_2"])
	not met(["SLSA_BUILD_LEVEL_3"])
	not met(["SLSA_SOURCE_LEVEL_1"])
	not met(["SLSA_BUILD_LEVEL_1", "ACME_REVIEWED"])
	s := object.union(good, {"verified_levels": ["SLSA_BUILD_LEVEL_1"]})
	problems(s, object.union(req, {"required_levels": ["SLSA_BUILD_LEVEL_2"]})) == ["required level not verified: SLSA_BUILD_LEVEL_2, summary verified [SLSA_BUILD_LEVEL_1]"]
}

met(levels) if problems(good, object.union(req, {"required_levels": levels})) == []

# The table of LevelMet, the Go function this replaced.
test_level_met_table if {
	lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_BUILD_LEVEL_1"])
	lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_BUILD_LEVEL_3"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_2", ["SLSA_BUILD_LEVEL_1"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_BUILD_LEVEL_0"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_SOURCE_LEVEL_3"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["FAILED"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", [])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_BUILD_LEVEL_10"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_BUILD_LEVEL_9X"])
	lib.vsa_level_met("ACME_REVIEWED", ["ACME_REVIEWED"])
	not lib.vsa_level_met("ACME_REVIEWED", ["ACME_REVIEWED_NOT"])
	not lib.vsa_level_met("SLSA_BUILD_LEVEL_1", ["SLSA_BUILD_LEVEL_1X"])
}

test_problems_in_order if {
	s := object.union(good, {"result": "FAILED", "repo": "acme/other"})
	ps := problems(s, object.union(req, {"verifier_id": "https://other"}))
	ps == [
		`verification result is not PASSED: "FAILED"`,
		`verifier id not accepted: "https://ci.example/hubgate", want "https://other"`,
		"repository not accepted: summary is for acme/other, want one of [acme/api]",
	]
}

test_duration_format if {
	lib.vsa_duration(0) == "0s"
	lib.vsa_duration(45) == "45s"
	lib.vsa_duration(300) == "5m0s"
	lib.vsa_duration(3661) == "1h1m1s"
	lib.vsa_duration(720000) == "200h0m0s"
}

# The admission rule: an image passes when one of its summaries has no
# problem; otherwise the finding gives the first summary's first problem.

image(summaries) := {
	"type": "container", "name": "app", "path": "spec.containers[0].image",
	"image": concat("", ["ghcr.io/acme/api@", dig]), "error": "",
	"ref": {"name": "ghcr.io/acme/api", "digest": dig, "tag": ""},
	"mapping": {"prefix": "ghcr.io/acme", "repos": ["acme/api"], "policy_digests": [], "required_levels": []},
	"unchanged": false, "vsa": {"error": "", "summaries": summaries},
}

adm(im) := {
	"now_ns": now_ns,
	"config": {"registries": [], "vsa": {"max_age": "168h0m0s", "max_age_ns": 168 * hour, "policy_digests": [], "verifier_id": ""}},
	"admission": {
		"object": "Pod ns/web", "terminating": false, "owned": false, "referrers": [], "images": [im],
		"static_secrets_allowed": false, "secrets": [], "configmap": "", "workflows": [],
	},
}

failed := object.union(good, {"result": "FAILED"})

tampered := {"verified": false, "error": "verify vsa: signature does not verify: invalid signature"}

test_admission_one_of_several_summaries_passes if {
	count(admission.vsa) == 0 with input as adm(image([failed, tampered, good]))
}

test_admission_none_passes_reports_the_first if {
	fs := admission.vsa with input as adm(image([tampered, failed]))
	count(fs) == 1
	some f in fs
	f.actual == "verify vsa: signature does not verify: invalid signature"
	f.message == concat("", ["container app: image ", dig, ": verify vsa: signature does not verify: invalid signature"])
}

test_admission_empty_repos_comes_before_the_store_error if {
	im := object.union(image([]), {
		"mapping": {"prefix": "ghcr.io/acme", "repos": [], "policy_digests": [], "required_levels": []},
		"vsa": {"error": "no verification summary for x", "summaries": []},
	})
	fs := admission.vsa with input as adm(im)
	some f in fs
	f.actual == `repository not accepted: no repo is accepted for this image (admission.images["ghcr.io/acme"] lists none)`
}

test_admission_empty_repos_denies_a_good_summary if {
	im := object.union(image([good]), {"mapping": {"prefix": "ghcr.io/acme", "repos": [], "policy_digests": [], "required_levels": []}})
	count(admission.vsa) == 1 with input as adm(im)
}

test_admission_mapping_levels_and_policy if {
	m := {"prefix": "ghcr.io/acme", "repos": ["acme/api"], "policy_digests": [other_pol], "required_levels": []}
	fs := admission.vsa with input as adm(object.union(image([good]), {"mapping": m}))
	some f in fs
	startswith(f.actual, "policy digest not accepted: ")
	m2 := object.union(m, {"policy_digests": [pol], "required_levels": ["SLSA_BUILD_LEVEL_3"]})
	fs2 := admission.vsa with input as adm(object.union(image([good]), {"mapping": m2}))
	some f2 in fs2
	f2.actual == "required level not verified: SLSA_BUILD_LEVEL_3, summary verified [SLSA_BUILD_LEVEL_2]"
}

test_admission_unchanged_skips_age if {
	old := object.union(good, {"time_verified_ns": now_ns - (2000 * hour)})
	count(admission.vsa) == 1 with input as adm(image([old]))
	count(admission.vsa) == 0 with input as adm(object.union(image([old]), {"unchanged": true}))
}

test_admission_max_age_zero_accepts_nothing if {
	i := object.union(adm(image([good])), {"config": {"registries": [], "vsa": {"max_age": "0s", "max_age_ns": 0}}})
	count(admission.vsa) == 1 with input as i
}

# hub.vsa (verify vsa): the same judgement of one summary, without a repo.

cli(s) := {
	"now_ns": now_ns, "digest": dig, "summary": s,
	"config": {"vsa": {"max_age": "168h0m0s", "max_age_ns": 168 * hour, "policy_digests": [], "verifier_id": ""}},
}

test_vsa_good_summary_passes if {
	count(vsa_verify.summary) == 0 with input as cli(object.union(good, {"repo": "", "resource_uri": "x"}))
}

test_vsa_problems_are_reported if {
	fs := vsa_verify.summary with input as cli(failed)
	some f in fs
	f.message == `verification result is not PASSED: "FAILED"`
	fs2 := vsa_verify.summary with input as object.union(cli(good), {"config": {"vsa": {"max_age": "1h0m0s", "max_age_ns": hour / 2, "policy_digests": [], "verifier_id": ""}}})
	some f2 in fs2
	f2.message == "summary is not fresh: verified at 2026-11-28T11:00:00Z, 1h0m0s old, max 1h0m0s"
}

test_vsa_without_summary_fails_closed if {
	count(vsa_verify.summary) == 1 with input as {"now_ns": now_ns}
}

test_missing_claims_fail_closed if {
	r := object.union(req, {"verifier_id": "https://ci.example/hubgate", "policy_digests": [pol], "required_levels": ["SLSA_BUILD_LEVEL_1"]})
	problems(good, r) == []
	every k in ["result", "verifier_id", "repo", "policy_digests", "verified_levels", "time_verified_ns"] {
		count(problems(object.remove(good, [k]), r)) > 0
	}
	# An old summary whose time text is missing is still too old.
	old := object.remove(object.union(good, {"time_verified_ns": now_ns - (200 * hour)}), ["time_verified"])
	problems(old, r) == ["summary is not fresh: verified at , 200h0m0s old, max 168h0m0s"]
}

test_admission_result_not_an_object_fails_closed if {
	count(admission.vsa) == 1 with input as adm(object.union(image([]), {"vsa": null}))
	count(admission.vsa) == 1 with input as adm(object.union(image([]), {"vsa": {"summaries": [good], "error": "x"}}))
}

# vsa_ok and vsa_problems agree: ok exactly when there is no problem, on
# every summary and requirement these tests use.
variants := [
	good, failed, tampered, {}, {"verified": true},
	object.union(good, {"time_verified_ns": now_ns - (200 * hour)}),
	object.union(good, {"time_verified_ns": now_ns - (168 * hour)}),
	object.union(good, {"time_verified_ns": now_ns + hour}),
	object.union(good, {"time_verified_ns": now_ns + 60000000000}),
	object.union(good, {"repo": "", "resource_uri": "x"}),
	object.union(good, {"repo": "acme/other"}),
	object.union(good, {"verified_levels": ["SLSA_BUILD_LEVEL_1"]}),
	object.union(good, {"verified_levels": []}),
	object.union(good, {"policy_digests": []}),
	object.remove(good, ["time_verified_ns"]),
	object.remove(good, ["policy_digests"]),
	object.remove(good, ["verified_levels"]),
	object.remove(good, ["repo"]),
	object.remove(good, ["verifier_id"]),
	object.union(good, {"verified": "true"}),
]

requirements := [
	req,
	object.union(req, {"unchanged": true}),
	object.union(req, {"max_age_ns": 0}),
	object.remove(req, ["max_age_ns"]),
	object.union(req, {"policy_digests": [other_pol]}),
	object.union(req, {"policy_digests": [pol]}),
	object.union(req, {"mapping_policy_digests": [other_pol]}),
	object.union(req, {"verifier_id": "https://other"}),
	object.union(req, {"verifier_id": "https://ci.example/hubgate"}),
	object.union(req, {"repos": []}),
	object.union(req, {"repos": ["acme/other"]}),
	object.remove(req, ["repos"]),
	object.union(req, {"required_levels": ["SLSA_BUILD_LEVEL_2"]}),
	object.union(req, {"required_levels": ["SLSA_BUILD_LEVEL_3"]}),
	object.union(req, {"required_levels": ["SLSA_SOURCE_LEVEL_1"]}),
	object.union(req, {"required_levels": ["ACME_REVIEWED"]}),
]

test_ok_agrees_with_problems if {
	every s in variants {
		every r in requirements {
			ok_matches(s, r)
		}
	}
}

ok_matches(s, r) if {
	lib.vsa_ok(s, r, now_ns)
	count(problems(s, r)) == 0
}

ok_matches(s, r) if {
	not lib.vsa_ok(s, r, now_ns)
	count(problems(s, r)) > 0
}

# vsa_ok is vsa_claims_ok and vsa_in_window, split so that the engine can
# keep the claims across reviews: the two agree with vsa_ok on every case,
# at the evaluation time and at the edges of each window.
test_claims_and_window_agree_with_ok if {
	every s in variants {
		every r in requirements {
			split_matches(s, r, now_ns)
			split_matches(s, r, now_ns + (200 * hour))
			split_matches(s, r, now_ns - (2 * hour))
		}
	}
}

split_matches(s, r, t) if {
	lib.vsa_ok(s, r, t)
	lib.vsa_claims_ok(s, r)
	lib.vsa_in_window(lib.vsa_window(s, r), t)
}

split_matches(s, r, t) if {
	not lib.vsa_ok(s, r, t)
	not split_ok(s, r, t)
}

split_ok(s, r, t) if {
	lib.vsa_claims_ok(s, r)
	lib.vsa_in_window(lib.vsa_window(s, r), t)
}

test_window_edges if {
	w := lib.vsa_window(good, req)
	w == {"from": (now_ns - hour) - lib.vsa_clock_skew_ns, "until": (now_ns - hour) + (168 * hour)}
	lib.vsa_in_window(w, w.from)
	lib.vsa_in_window(w, w.until)
	not lib.vsa_in_window(w, w.from - 1)
	not lib.vsa_in_window(w, w.until + 1)
	u := lib.vsa_window(good, object.union(req, {"unchanged": true}))
	u.until == null
	lib.vsa_in_window(u, now_ns + (10000 * hour))
	not lib.vsa_in_window(u, u.from - 1)
}

with_windows(summaries, windows) := object.union(image(summaries), {"vsa": {"error": "", "summaries": summaries, "windows": windows}})

# The admission rule with the engine's windows: only the time is judged,
# and a result whose windows are empty (no summary's claims hold) is
# denied with the reason vsa_problems gives.
test_admission_judges_windows if {
	ws := admission.vsa_check_windows with input as {"config": adm(image([])).config, "check": {"mapping": image([]).mapping, "unchanged": false, "result": {"error": "", "summaries": [failed, tampered, good]}}}
	ws == [lib.vsa_window(good, req)]
	count(admission.vsa) == 0 with input as adm(with_windows([good], ws))
	fs := admission.vsa with input as adm(with_windows([failed], []))
	[f] := [f | some f in fs]
	contains(f.message, `verification result is not PASSED: "FAILED"`)
	# The windows decide: a window that does not hold now denies.
	late := object.union(adm(with_windows([good], ws)), {"now_ns": ws[0].until + 1})
	count(admission.vsa) == 1 with input as late
}

test_admission_windows_of_an_error_result_are_empty if {
	ws := admission.vsa_check_windows with input as {"config": adm(image([])).config, "check": {"mapping": image([]).mapping, "unchanged": false, "result": {"error": "registry unreachable", "summaries": [good]}}}
	ws == []
}
