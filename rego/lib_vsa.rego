# The one judgement of a signed verification summary (SLSA VSA), shared by
# the admission webhook (hub.admission's vsa rule, over the summaries of an
# image) and hubgate verify vsa (hub.vsa, over one summary). Go verifies
# the signature and the subject digest and reports what each summary
# claims (engine/admission.VSASummary); these functions judge the claims.
package hub.lib

# vsa_clock_skew_ns is how far in the future a summary's timeVerified may
# be, for clocks that differ: 5 minutes.
vsa_clock_skew_ns := 300000000000

# vsa_problems(s, req, now_ns) is the array of reasons summary s is not
# accepted, in a fixed order (the first is the one reported), empty when
# it is. s is one summary's facts: verified, error, and the claims
# (result, time_verified, time_verified_ns, verifier_id, repo,
# resource_uri, policy_digests, verified_levels). req is what is required:
#   max_age, max_age_ns: the oldest accepted (max_age_ns <= 0 accepts
#     nothing);
#   unchanged: the age is not judged (an UPDATE keeping the image); a
#     summary from the future is still refused;
#   policy_digests: accepted policy digests, empty accepts any;
#   verifier_id: the verifier.id required, "" accepts any;
#   repos: the accepted repositories, empty accepts none; when req has no
#     repos array (verify vsa) the repository is not judged;
#   prefix, mapping_policy_digests: the admission.images entry and the
#     policy digests it accepts on top of policy_digests;
#   required_levels: levels every one of which the summary must meet
#     (vsa_level_met).
# Every check holds only on what the summary says: a claim that is
# missing fails it. Each check is a function that is always defined (an
# array of one reason or none), its reason built with object.get, so that
# nothing undefined drops a reason.
vsa_problems(s, req, now_ns) := [vsa_unverified_reason(s)] if {
	not vsa_verified(s)
} else := [p |
	some ps in [
		vsa_result_problem(s),
		vsa_max_age_problem(req),
		vsa_time_problem(s),
		vsa_age_problem(s, req, now_ns),
		vsa_future_problem(s, now_ns),
		vsa_policy_problem(s, req),
		vsa_verifier_problem(s, req),
		vsa_repo_problem(s, req),
		vsa_level_problem(s, req),
		vsa_mapping_policy_problem(s, req),
	]
	some p in ps
]

vsa_verified(s) if s.verified == true

vsa_unchanged(req) if req.unchanged == true

vsa_unverified_reason(s) := s.error if {
	is_string(s.error)
	s.error != ""
} else := "summary did not verify"

# vsa_passes(result, req, now_ns) holds when the checker's answer for an
# image (error, summaries) holds a summary that vsa_ok accepts.
vsa_passes(result, req, now_ns) if {
	is_object(result)
	object.get(result, "error", "") == ""
	some s in result.summaries
	vsa_ok(s, req, now_ns)
}

# vsa_ok(s, req, now_ns) holds when summary s has no problem: exactly when
# vsa_problems(s, req, now_ns) is empty (lib_vsa_test.rego checks the two
# agree on every case). It is the fast path of a passing summary: every
# claim required (vsa_claims_ok), then the time (vsa_in_window);
# vsa_problems says why not. req must have every field vsa_problems
# describes (repos may be absent); a field missing fails it.
vsa_ok(s, req, now_ns) if {
	vsa_claims_ok(s, req)
	vsa_in_window(vsa_window(s, req), now_ns)
}

# vsa_claims_ok(s, req) holds when every claim of s but its age holds:
# the part of vsa_ok that does not depend on the evaluation time, so that
# a caller may judge it once per summary and requirement (the engine keeps
# it across admission reviews: hub.admission.vsa_check_windows).
vsa_claims_ok(s, req) if {
	s.verified == true
	s.result == "PASSED"
	req.max_age_ns > 0
	is_number(s.time_verified_ns)
	digests := object.get(s, "policy_digests", [])
	vsa_digests_ok(digests, req.policy_digests)
	vsa_id_ok(object.get(s, "verifier_id", ""), req.verifier_id)
	vsa_repos_ok(object.get(s, "repo", ""), object.get(req, "repos", null))
	levels := object.get(s, "verified_levels", [])
	every l in req.required_levels {
		vsa_level_met(l, levels)
	}
	vsa_digests_ok(digests, req.mapping_policy_digests)
}

# vsa_window(s, req) is when summary s is fresh, as evaluation times in
# Unix nanoseconds: from its timeVerified less the clock skew (not from
# the future) until timeVerified plus max_age, both included; until is
# null when req.unchanged (the age is not judged).
vsa_window(s, req) := {"from": s.time_verified_ns - vsa_clock_skew_ns, "until": null} if {
	vsa_unchanged(req)
} else := {"from": s.time_verified_ns - vsa_clock_skew_ns, "until": s.time_verified_ns + req.max_age_ns}

# vsa_in_window(w, now_ns) holds when now_ns is in window w.
vsa_in_window(w, now_ns) if {
	w.from <= now_ns
	w.until == null
}

vsa_in_window(w, now_ns) if {
	w.from <= now_ns
	is_number(w.until)
	now_ns <= w.until
}

# vsa_windows(result, req) are the windows (vsa_window) of the summaries
# of the checker's answer result whose claims hold (vsa_claims_ok), empty
# when result holds an error: result passes at now_ns exactly when one of
# them holds now_ns (vsa_passes).
vsa_windows(result, req) := [vsa_window(s, req) |
	is_object(result)
	not vsa_result_error(result)
	some s in result.summaries
	vsa_claims_ok(s, req)
]

vsa_age_ok(age, max_age, unchanged) := true if {
	unchanged == true
} else := age <= max_age

vsa_digests_ok(names, accepted) := true if {
	count(accepted) == 0
} else := true if {
	some d in names
	d in accepted
} else := false

vsa_id_ok(id, want) := true if {
	want == ""
} else := id == want

vsa_repos_ok(repo, repos) := true if {
	repos == null
} else := repo in repos

vsa_result_error(result) if result.error != ""

# vsa_reason(result, req, now_ns) is why no summary of result passes: an
# image entry that accepts no repository, the checker's error, or the first
# problem of the first summary.
vsa_reason(result, req, now_ns) := vsa_no_repos_reason(req) if {
	vsa_no_repos(req)
} else := result.error if {
	is_string(result.error)
	result.error != ""
} else := vsa_problems(result.summaries[0], req, now_ns)[0] if {
	count(result.summaries) > 0
} else := "no verification summary was checked"

vsa_no_repos_reason(req) := sprintf("repository not accepted: no repo is accepted for this image (admission.images[%q] lists none)", [object.get(req, "prefix", "")])

vsa_no_repos(req) if {
	is_array(req.repos)
	count(req.repos) == 0
}

# Each check is an array: one reason, or none.

vsa_result_problem(s) := [sprintf("verification result is not PASSED: %q", [object.get(s, "result", "")])] if {
	not vsa_passed(s)
} else := []

vsa_passed(s) if s.result == "PASSED"

vsa_max_age_problem(req) := ["summary is not fresh: no maximum age configured"] if {
	not vsa_max_age_set(req)
} else := []

vsa_max_age_set(req) if req.max_age_ns > 0

vsa_time_problem(s) := ["summary is not fresh: no timeVerified"] if {
	not vsa_has_time(s)
} else := []

vsa_has_time(s) if is_number(s.time_verified_ns)

vsa_age_problem(s, req, now_ns) := [msg] if {
	vsa_max_age_set(req)
	not vsa_unchanged(req)
	age := now_ns - s.time_verified_ns
	age > req.max_age_ns
	secs := (age - (age % 1000000000)) / 1000000000
	msg := sprintf("summary is not fresh: verified at %s, %s old, max %s", [object.get(s, "time_verified", ""), vsa_duration(secs), object.get(req, "max_age", "")])
} else := []

vsa_future_problem(s, now_ns) := [sprintf("summary is not fresh: verified at %s, in the future", [object.get(s, "time_verified", "")])] if {
	s.time_verified_ns - now_ns > vsa_clock_skew_ns
} else := []

vsa_policy_problem(s, req) := [sprintf("policy digest not accepted: %s", [vsa_list(object.get(s, "policy_digests", []))])] if {
	count(object.get(req, "policy_digests", [])) > 0
	not vsa_names_policy(s, req.policy_digests)
} else := []

vsa_verifier_problem(s, req) := [sprintf("verifier id not accepted: %q, want %q", [object.get(s, "verifier_id", ""), req.verifier_id])] if {
	object.get(req, "verifier_id", "") != ""
	not vsa_verifier_ok(s, req)
} else := []

vsa_verifier_ok(s, req) if s.verifier_id == req.verifier_id

vsa_repo_problem(s, req) := [vsa_repo_reason(s, req)] if {
	is_array(req.repos)
	not vsa_repo_ok(s, req)
} else := []

vsa_repo_ok(s, req) if s.repo in req.repos

vsa_level_problem(s, req) := [sprintf("required level not verified: %s, summary verified %s", [unmet[0], vsa_list(object.get(s, "verified_levels", []))])] if {
	unmet := [l | some l in object.get(req, "required_levels", []); not vsa_level_met(l, object.get(s, "verified_levels", []))]
	count(unmet) > 0
} else := []

vsa_mapping_policy_problem(s, req) := [msg] if {
	accepted := object.get(req, "mapping_policy_digests", [])
	count(accepted) > 0
	not vsa_names_policy(s, accepted)
	msg := sprintf("policy digest not accepted: %s, admission.images[%q] accepts %s", [vsa_list(object.get(s, "policy_digests", [])), object.get(req, "prefix", ""), vsa_list(accepted)])
} else := []

vsa_repo_reason(s, req) := vsa_no_repos_reason(req) if {
	vsa_no_repos(req)
} else := sprintf("repository not accepted: resourceUri %q names no repository, want one of %s", [object.get(s, "resource_uri", ""), vsa_list(req.repos)]) if {
	not vsa_names_repo(s)
} else := sprintf("repository not accepted: summary is for %s, want one of %s", [s.repo, vsa_list(req.repos)])

vsa_names_repo(s) if {
	is_string(s.repo)
	s.repo != ""
}

# vsa_names_policy(s, accepted) holds when s names one of the accepted
# policy digests ("sha256:<hex>").
vsa_names_policy(s, accepted) if {
	some d in s.policy_digests
	d in accepted
}

# vsa_level_met(required, verified) holds when the verified levels meet the
# required one: SLSA_<TRACK>_LEVEL_<N> is met by the same track at level N
# or higher (a summary lists only the highest level of each track); any
# other value only by itself.
vsa_level_met(required, verified) if required in verified

vsa_level_met(required, verified) if {
	[track, n] := vsa_slsa_level(required)
	some v in verified
	[t, m] := vsa_slsa_level(v)
	t == track
	m >= n
}

vsa_slsa_level(l) := [m[1], to_number(m[2])] if {
	is_string(l)
	[m] := regex.find_all_string_submatch_n(`^SLSA_([A-Z]+)_LEVEL_([0-9])$`, l, 1)
}

# vsa_list(xs) is xs as Go's %v prints a list of strings: "[a b]".
vsa_list(xs) := sprintf("[%s]", [concat(" ", xs)])

# vsa_duration(secs) is a whole number of seconds as Go's time.Duration
# prints it: "45s", "5m0s", "200h0m0s".
vsa_duration(secs) := sprintf("%ds", [secs]) if {
	secs < 60
} else := sprintf("%dm%ds", [(secs - (secs % 60)) / 60, secs % 60]) if {
	secs < 3600
} else := sprintf("%dh%dm%ds", [(secs - (secs % 3600)) / 3600, ((secs % 3600) - (secs % 60)) / 60, secs % 60])
