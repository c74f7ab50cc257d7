package hub.vex_test

import data.hub.vex

facts(over) := object.union({
	"present": true, "problems": [], "documents": [], "statements": 1,
	"unjustified": [], "unjustified_total": 0,
}, over)

unj := {"evidence": "v.json", "path": "statements[0]", "id": "", "vulnerability": "CVE-1", "status": "not_affected", "products": ["pkg:npm/a@1"]}

test_justification_missing_reported if {
	fs := vex.justification_missing with input as {"repo": "a/b", "vex": facts({"unjustified": [unj], "unjustified_total": 1})} with data.hub.repo as {"require": []}
	count(fs) == 1
	some f in fs
	f.target == "CVE-1"
	f.path == "statements[0]"
	contains(f.message, "suppresses nothing")
}

test_justification_missing_overflow_counted if {
	fs := vex.justification_missing with input as {"repo": "a/b", "vex": facts({"unjustified": [unj], "unjustified_total": 5})} with data.hub.repo as {"require": []}
	count(fs) == 2
}

test_justified_no_finding if {
	fs := vex.justification_missing with input as {"repo": "a/b", "vex": facts({})} with data.hub.repo as {"require": []}
	count(fs) == 0
}

test_present_required if {
	fs := vex.present with input as {"repo": "a/b", "vex": {"present": false, "problems": []}} with data.hub.repo as {"require": ["vex"]}
	count(fs) == 1
}

test_present_not_required if {
	fs := vex.present with input as {"repo": "a/b", "vex": {"present": false, "problems": []}} with data.hub.repo as {"require": []}
	count(fs) == 0
}

test_evidence if {
	fs := vex.evidence with input as {"repo": "a/b", "vex": facts({"problems": [{"evidence": "v.json", "path": "@context", "line": 0, "message": "openvex v0.0.1 is not supported"}]})} with data.hub.repo as {"require": []}
	some f in fs
	f.path == "@context"
}

fut := object.union(unj, {"field": "statements[0].timestamp", "date": "2030-01-01T00:00:00Z", "document": false})

test_future_statement_reported if {
	fs := vex.future with input as {"repo": "a/b", "vex": facts({"future": [fut], "future_total": 1, "now": "2026-11-28T00:00:00Z"})} with data.hub.repo as {"require": []}
	count(fs) == 1
	some f in fs
	f.path == "statements[0].timestamp"
	f.expected == "a date at or before 2026-11-28T00:00:00Z"
	f.actual == "2030-01-01T00:00:00Z"
	contains(f.message, "is ignored")
}

test_no_future_no_finding if {
	fs := vex.future with input as {"repo": "a/b", "vex": facts({"future": [], "future_total": 0, "now": "2026-11-28T00:00:00Z"})} with data.hub.repo as {"require": []}
	count(fs) == 0
}

bogus := object.union(unj, {"justification": "trust_me", "field": "statements[0].justification", "allowed": ["component_not_present", "vulnerable_code_not_present"]})

test_invalid_justification_reported if {
	fs := vex.justification_invalid with input as {"repo": "a/b", "vex": facts({"invalid_justification": [bogus], "invalid_justification_total": 1})} with data.hub.repo as {"require": []}
	count(fs) == 1
	some f in fs
	f.path == "statements[0].justification"
	f.actual == "trust_me"
	startswith(f.expected, "one of component_not_present")
}

test_valid_justification_no_finding if {
	fs := vex.justification_invalid with input as {"repo": "a/b", "vex": facts({"invalid_justification": [], "invalid_justification_total": 0})} with data.hub.repo as {"require": []}
	count(fs) == 0
}
