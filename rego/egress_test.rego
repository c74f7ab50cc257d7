package hub.egress_test

import data.hub.egress

repo := {"require": ["egress"], "egress": {"allow": ["*.github.com", "github.com"], "canary": "canary.hubgate.invalid", "blocked_attempts": "warn"}}

host(name, port, allowed, match) := {
	"host": name, "port": port, "allowed": allowed, "count": 1, "match": match,
	"canary": false, "invalid": "", "evidence": "egress-report.json",
	"path": "attempts[0]", "line": 0, "time": "",
}

canary_host(allowed) := object.union(host("canary.hubgate.invalid", 443, allowed, ""), {"canary": true})

# facts builds input.egress: by default a clean, enforced run.
facts(over) := object.union(
	{
		"present": true, "problems": [], "files": ["egress-report.json"],
		"allow": ["*.github.com", "github.com"], "blocked_mode": "warn",
		"canary": {"host": "canary.hubgate.invalid", "attempts": 1, "blocked": 1, "allowed": 0},
		"attempts": 2, "blocked_attempts": 0, "without_attempts": [],
		"hosts": [host("api.github.com", 443, true, "*.github.com"), canary_host(false)],
	},
	over,
)

inp(over) := {"repo": "acme/app", "egress": facts(over)}

all_findings(inp) := x if {
	x := ((((egress.present | egress.evidence) | egress.unlisted_host) | egress.enforcement_unproven) | egress.blocked_attempts) with input as inp with data.hub.repo as repo
}

test_clean_run_has_no_findings if {
	count(all_findings(inp({}))) == 0
}

test_present_when_required_and_missing if {
	some f in egress.present with input as {"repo": "acme/app", "egress": {"present": false, "problems": []}} with data.hub.repo as repo
	f.target == "egress"
}

test_not_present_when_not_required if {
	count(egress.present) == 0 with input as {"repo": "acme/app", "egress": {"present": false, "problems": []}} with data.hub.repo as {"require": []}
}

test_absent_evidence_raises_nothing_else if {
	count(all_findings({"repo": "acme/app", "egress": {"present": false, "problems": []}})) == 1
}

test_problem_is_evidence_finding if {
	some f in egress.evidence with input as inp({"problems": [{"evidence": "access.log", "path": "", "line": 7, "message": "want at least 7 fields"}]})
	f.line == 7
	f.evidence == "access.log"
}

# Acceptance: the only attempt is a successful connection to evilgithub.com.
test_evilgithub_is_unlisted if {
	fs := egress.unlisted_host with input as inp({"hosts": [host("evilgithub.com", 443, true, ""), canary_host(false)]})
	count(fs) == 1
	some f in fs
	f.target == "evilgithub.com:443"
	f.evidence == "egress-report.json"
	contains(f.message, "evilgithub.com")
}

test_blocked_unlisted_is_not_unlisted_host if {
	count(egress.unlisted_host) == 0 with input as inp({"hosts": [host("evil.net", 443, false, ""), canary_host(false)]})
}

test_invalid_host_message if {
	h := object.union(host("a_b.github.com", 443, true, ""), {"invalid": "invalid host \"a_b.github.com\""})
	some f in egress.unlisted_host with input as inp({"hosts": [h, canary_host(false)]})
	contains(f.message, "invalid host")
}

test_ipv6_target_bracketed if {
	some f in egress.unlisted_host with input as inp({"hosts": [host("2001:db8::1", 443, true, ""), canary_host(false)]})
	f.target == "[2001:db8::1]:443"
}

test_no_canary_configured if {
	fs := egress.enforcement_unproven with input as inp({"canary": {"host": "", "attempts": 0, "blocked": 0, "allowed": 0}})
	count(fs) == 1
	some f in fs
	f.actual == "none configured"
}

test_canary_never_attempted if {
	fs := egress.enforcement_unproven with input as inp({"canary": {"host": "canary.hubgate.invalid", "attempts": 0, "blocked": 0, "allowed": 0}, "hosts": []})
	some f in fs
	f.actual == "no attempt"
}

test_canary_got_through if {
	fs := egress.enforcement_unproven with input as inp({"canary": {"host": "canary.hubgate.invalid", "attempts": 2, "blocked": 1, "allowed": 1}, "hosts": [canary_host(true), canary_host(false)]})
	count(fs) == 1
	some f in fs
	f.actual == "allowed"
}

test_canary_not_an_unlisted_host if {
	count(egress.unlisted_host) == 0 with input as inp({"canary": {"host": "canary.hubgate.invalid", "attempts": 1, "blocked": 0, "allowed": 1}, "hosts": [canary_host(true)]})
}

test_report_without_attempts_is_unproven if {
	some f in egress.enforcement_unproven with input as inp({"without_attempts": ["old-report.json"]})
	f.evidence == "old-report.json"
}

test_blocked_attempt_warns_by_default if {
	some f in egress.blocked_attempts with input as inp({"blocked_attempts": 3, "hosts": [object.union(host("evil.net", 443, false, ""), {"count": 3}), canary_host(false)]})
	f.outcome == "warn"
	f.actual == "3 blocked"
}

test_blocked_attempt_fails_when_registry_says_fail if {
	some f in egress.blocked_attempts with input as inp({"blocked_mode": "fail", "blocked_attempts": 1, "hosts": [host("evil.net", 443, false, ""), canary_host(false)]})
	f.outcome == "fail"
}

test_blocked_canary_is_not_a_blocked_attempt if {
	count(egress.blocked_attempts) == 0 with input as inp({})
}
