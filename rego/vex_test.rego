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
