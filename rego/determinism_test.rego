package hub.determinism_test

import data.hub.determinism

hA := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

hB := "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

repo := {"require": ["determinism"], "determinism": {"min_delay": "24h", "ignore": []}}

delay(hours) := {"known": true, "seconds": hours * 3600, "hours": hours, "source": "times", "original_time": "", "rebuild_time": ""}

# facts builds input.determinism: by default equal lists 25 hours apart.
facts(over) := object.union(
	{
		"present": true, "problems": [], "original": "original.sha256", "rebuild": "rebuild.sha256",
		"compared": true, "equal": 1, "differs": [], "missing": [], "ignored": [], "issues": [],
		"delay": delay(25), "min_delay_seconds": 86400, "min_delay": "24h0m0s",
		"claimed_deterministic": null, "explanations": [], "require_previous": false,
		"previous": null, "previous_file": "",
		"subjects": [binding({}, {})], "roots": ["", ""], "self_entries": [],
		"signing": {"required": false, "reports": []},
	},
	over,
)

listing(over) := object.union({"listed": true, "name": "app.tar.gz", "line": 1, "algorithm": "sha256", "digest": hA, "match": true, "reason": ""}, over)

binding(o, r) := {"subject": "app.tar.gz", "expected": sprintf("sha256:%s", [hA]), "original": listing(o), "rebuild": listing(r)}

subjects := [{"name": "app.tar.gz", "digest": {"sha256": hA}}]

inp(over) := {"repo": "acme/app", "subjects": subjects, "determinism": facts(over)}

all_findings(inp) := x if {
	x := (((((((determinism.present | determinism.evidence) | determinism.differs) | determinism.missing) | determinism.too_soon) | determinism.previous_unverified) | determinism.subject_bound) | determinism.signed) with input as inp with data.hub.repo as repo
}

# Acceptance: equal lists 25 hours apart pass.
test_equal_25h_passes if {
	count(all_findings(inp({}))) == 0
}

# Acceptance: equal lists 2 hours apart are too soon.
test_equal_2h_too_soon if {
	fs := all_findings(inp({"delay": delay(2)}))
	count(fs) == 1
	some f in determinism.too_soon with input as inp({"delay": delay(2)}) with data.hub.repo as repo
	f.actual == "2h"
	contains(f.message, "24h0m0s")
}

test_exactly_min_delay_passes if {
	count(determinism.too_soon) == 0 with input as inp({"delay": delay(24)})
}

test_unknown_delay_is_too_soon if {
	some f in determinism.too_soon with input as inp({"delay": {"known": false, "seconds": 0, "hours": 0}})
	f.actual == "unknown"
}

# Acceptance: one differing file names the path and both digests.
test_one_file_differs if {
	d := {"path": "app.tar.gz", "algorithm": "sha256", "original": hA, "rebuild": hB, "original_line": 1, "rebuild_line": 3, "reason": ""}
	fs := determinism.differs with input as inp({"differs": [d], "equal": 0})
	count(fs) == 1
	some f in fs
	f.target == "app.tar.gz"
	contains(f.message, hA)
	contains(f.message, hB)
	f.expected == concat(":", ["sha256", hA])
	f.actual == concat(":", ["sha256", hB])
	f.line == 3
}

test_claimed_deterministic_is_ignored if {
	d := {"path": "app.tar.gz", "algorithm": "sha256", "original": hA, "rebuild": hB, "original_line": 1, "rebuild_line": 1, "reason": ""}
	count(determinism.differs) == 1 with input as inp({"differs": [d], "claimed_deterministic": true})
}

test_differs_explained_by_diffoscope if {
	d := {"path": "app.tar.gz", "algorithm": "sha256", "original": hA, "rebuild": hB, "original_line": 1, "rebuild_line": 1, "reason": ""}
	e := {"file": "diff.json", "source1": "a/app.tar.gz", "source2": "b/app.tar.gz", "differing": ["file list", "app/main"], "comments": []}
	some f in determinism.differs with input as inp({"differs": [d], "explanations": [e]})
	contains(f.message, "diffoscope: file list, app/main")
}

test_missing_names_side if {
	m := {"path": "extra.bin", "side": "rebuild", "algorithm": "sha256", "digest": hB, "line": 2}
	some f in determinism.missing with input as inp({"missing": [m]})
	f.evidence == "rebuild.sha256"
	f.actual == "rebuild only"
	contains(f.message, "not by the original")
}

test_not_compared_raises_no_differs if {
	d := {"path": "x", "algorithm": "sha256", "original": hA, "rebuild": hB, "original_line": 1, "rebuild_line": 1, "reason": ""}
	count(determinism.differs) == 0 with input as inp({"compared": false, "differs": [d]})
}

test_absent_raises_only_present if {
	fs := all_findings({"repo": "acme/app", "determinism": {"present": false, "problems": [], "require_previous": false, "previous": null}})
	count(fs) == 1
}

test_previous_required_and_missing if {
	some f in determinism.previous_unverified with input as inp({"require_previous": true})
	f.actual == "none"
}

test_previous_passed if {
	p := {"repo": "acme/app", "outcome": "pass", "allowed": true, "determinism": "pass"}
	count(determinism.previous_unverified) == 0 with input as inp({"require_previous": true, "previous": p, "previous_file": "prev.json"})
}

test_previous_determinism_not_pass if {
	p := {"repo": "acme/app", "outcome": "warn", "allowed": true, "determinism": "warn"}
	some f in determinism.previous_unverified with input as inp({"previous": p, "previous_file": "prev.json"})
	f.evidence == "prev.json"
}

test_previous_other_repo if {
	p := {"repo": "acme/other", "outcome": "pass", "allowed": true, "determinism": "pass"}
	count(determinism.previous_unverified) == 1 with input as inp({"previous": p})
}

test_previous_denied if {
	p := {"repo": "acme/app", "outcome": "fail", "allowed": false, "determinism": "pass"}
	count(determinism.previous_unverified) == 1 with input as inp({"previous": p})
}

# Determinism lists must name the subjects: a rebuild of other files proves
# nothing about this release.
test_subject_bound_passes if {
	count(determinism.subject_bound) == 0 with input as inp({}) with data.hub.repo as repo
}

test_rebuild_lacks_subject if {
	fs := determinism.subject_bound with input as inp({"subjects": [binding({}, {"listed": false, "name": "", "line": 0, "algorithm": "", "digest": "", "match": false})]}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.evidence == "rebuild.sha256"
	f.target == "app.tar.gz"
	f.actual == "not listed"
	f.expected == sprintf("app.tar.gz listed as sha256:%s", [hA])
}

test_original_lists_another_digest if {
	some f in determinism.subject_bound with input as inp({"subjects": [binding({"digest": hB, "match": false}, {})]}) with data.hub.repo as repo
	f.evidence == "original.sha256"
	f.actual == sprintf("sha256:%s", [hB])
	contains(f.message, "but the subject is")
}

test_no_subject_is_unbound if {
	x := object.union(inp({"subjects": []}), {"subjects": []})
	some f in determinism.subject_bound with input as x with data.hub.repo as repo
	f.target == "subjects"
}

test_unsigned_when_required if {
	s := {"required": true, "reports": [{"file": "report.json", "bundle": "", "verified": false, "keyed": false, "key_id": "", "issuer": "", "san": "", "error": "no signature bundle beside it"}]}
	fs := determinism.signed with input as inp({"signing": s}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.target == "report.json"
	f.actual == "no bundle"
}

test_wrong_signer_when_required if {
	s := {"required": true, "reports": [{"file": "report.json", "bundle": "report.json.sigstore.json", "verified": true, "keyed": false, "key_id": "", "issuer": "iss", "san": "evil", "error": ""}]}
	reg := object.union(repo, {"provenance": {"identities": [{"issuer": "iss", "subject": "good"}]}})
	some f in determinism.signed with input as inp({"signing": s}) with data.hub.repo as reg
	contains(f.expected, "good")
	f.actual == "iss / evil"
}

test_registry_identity_signer_passes if {
	s := {"required": true, "reports": [{"file": "report.json", "bundle": "report.json.sigstore.json", "verified": true, "keyed": false, "key_id": "", "issuer": "iss", "san": "good", "claims": {}, "error": ""}]}
	reg := object.union(repo, {"provenance": {"identities": [{"issuer": "iss", "subject": "good"}]}})
	count(determinism.signed) == 0 with input as inp({"signing": s}) with data.hub.repo as reg
}

test_signed_when_required_passes if {
	s := {"required": true, "reports": [{"file": "report.json", "bundle": "report.json.sigstore.json", "verified": true, "keyed": true, "key_id": "k", "issuer": "", "san": "", "error": ""}]}
	count(determinism.signed) == 0 with input as inp({"signing": s}) with data.hub.repo as repo
}
