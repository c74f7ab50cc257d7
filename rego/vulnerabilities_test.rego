package hub.vulnerabilities_test

import data.hub.vulnerabilities

cfg := {"cvss_threshold": 7.0, "epss_threshold": 0.75, "under_investigation": "warn", "vex_max_age": ""}

stmt(status) := {
	"evidence": "vex.json", "path": "vulnerabilities[0]", "id": "", "vulnerability": "CVE-2025-0001",
	"status": status, "justification": "component_not_present", "impact": "",
	"timestamp": "2024-10-01T00:00:00Z", "product": "pkg:oci/demo@sha256:aa",
}

finding(over) := object.union({
	"evidence": "grype.json", "path": "matches[0]", "id": "CVE-2025-0001", "aliases": [],
	"severity": "critical", "cvss": 9.1, "has_cvss": true, "epss": 0.82, "has_epss": true,
	"purls": [], "component": "", "target": "CVE-2025-0001",
	"status": "", "suppressed": false, "decision": null, "near_misses": [], "near_miss_total": 0,
	"reason": "no VEX statement names CVE-2025-0001 or its aliases",
	"component_text": "", "cvss_text": "9.1", "epss_text": "0.82", "status_text": "none", "why_text": "",
}, over)

inp(findings) := {"repo": "acme/app", "subjects": [], "vulnerabilities": {
	"present": true, "problems": [], "config": cfg, "reports": [], "subjects": [],
	"vex_statements": 0, "findings": findings,
}}

inp_cfg(findings, c) := json.patch(inp(findings), [{"op": "replace", "path": "/vulnerabilities/config", "value": c}])

repo := {"require": ["vulnerabilities"]}

test_threshold_cvss_and_epss_both_named if {
	fs := vulnerabilities.threshold with input as inp([finding({})]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.message, "CVSS 9.1 >= 7")
	contains(f.message, "EPSS 0.82 >= 0.75")
	f.target == "CVE-2025-0001"
	f.evidence == "grype.json"
	f.path == "matches[0]"
}

test_threshold_epss_alone_denies_and_names_epss if {
	fs := vulnerabilities.threshold with input as inp([finding({"cvss": 4.0})]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.message, "EPSS 0.82 >= 0.75")
	not contains(f.message, "CVSS 4 >=")
	contains(f.actual, "EPSS 0.82")
}

test_threshold_below_both_passes if {
	fs := vulnerabilities.threshold with input as inp([finding({"cvss": 6.9, "epss": 0.2})]) with data.hub.repo as repo
	count(fs) == 0
}

test_threshold_at_threshold_fails if {
	fs := vulnerabilities.threshold with input as inp([finding({"cvss": 7.0, "epss": 0.1})]) with data.hub.repo as repo
	count(fs) == 1
}

test_threshold_missing_scores_do_not_cross if {
	fs := vulnerabilities.threshold with input as inp([finding({"cvss": 0, "has_cvss": false, "epss": 0, "has_epss": false})]) with data.hub.repo as repo
	count(fs) == 0
}

test_threshold_suppressed_is_not_listed if {
	fs := vulnerabilities.threshold with input as inp([finding({"suppressed": true, "status": "not_affected", "decision": stmt("not_affected")})]) with data.hub.repo as repo
	count(fs) == 0
}

test_threshold_lists_every_offender if {
	fs := vulnerabilities.threshold with input as inp([
		finding({}),
		finding({"id": "CVE-2024-1", "target": "CVE-2024-1@pkg:npm/a@1", "purls": ["pkg:npm/a@1"], "path": "matches[1]"}),
		finding({"id": "CVE-2024-2", "target": "CVE-2024-2", "cvss": 1, "epss": 0.1}),
	]) with data.hub.repo as repo
	count(fs) == 2
	targets := {f.target | some f in fs}
	targets == {"CVE-2025-0001", "CVE-2024-1@pkg:npm/a@1"}
}

test_threshold_reason_in_message if {
	fs := vulnerabilities.threshold with input as inp([finding({"reason": "no VEX statement applies; 1 near miss, e.g. vex.json vulnerabilities[0]: product pkg:oci/other is another artifact"})]) with data.hub.repo as repo
	some f in fs
	contains(f.message, "near miss")
}

test_threshold_uses_config if {
	c := object.union(cfg, {"cvss_threshold": 9.5, "epss_threshold": 0.9})
	fs := vulnerabilities.threshold with input as inp_cfg([finding({})], c) with data.hub.repo as repo
	count(fs) == 0
}

test_under_investigation_warns_by_default if {
	fs := vulnerabilities.under_investigation with input as inp([finding({"status": "under_investigation", "decision": stmt("under_investigation")})]) with data.hub.repo as repo
	some f in fs
	f.outcome == "warn"
}

test_under_investigation_fails_when_configured if {
	c := object.union(cfg, {"under_investigation": "fail"})
	fs := vulnerabilities.under_investigation with input as inp_cfg([finding({"status": "under_investigation", "decision": stmt("under_investigation")})], c) with data.hub.repo as repo
	some f in fs
	f.outcome == "fail"
}

test_under_investigation_absent_for_other_status if {
	fs := vulnerabilities.under_investigation with input as inp([finding({"status": "affected", "decision": stmt("affected")})]) with data.hub.repo as repo
	count(fs) == 0
}

test_vex_applied_names_statement if {
	fs := vulnerabilities.vex_applied with input as inp([finding({"suppressed": true, "status": "not_affected", "status_text": "not_affected", "decision": stmt("not_affected"), "why_text": ": component_not_present"})]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.message, "vex.json vulnerabilities[0]")
	contains(f.message, "component_not_present")
	f.actual == "not_affected"
}

# The display texts come from Go, rendered once per finding; the rules put
# them into the messages as they are.
test_vex_applied_uses_the_rendered_texts if {
	fs := vulnerabilities.vex_applied with input as inp([finding({
		"suppressed": true, "status": "fixed", "status_text": "fixed", "decision": stmt("fixed"),
		"component_text": " in pkg:npm/a@1", "cvss_text": "9.1", "epss_text": "none", "why_text": ": upgraded",
	})]) with data.hub.repo as repo
	some f in fs
	f.message == "CVE-2025-0001 in pkg:npm/a@1 (CVSS 9.1, EPSS none) is fixed for pkg:oci/demo@sha256:aa according to vex.json vulnerabilities[0], made 2024-10-01T00:00:00Z: upgraded"
}

test_threshold_uses_the_rendered_texts if {
	fs := vulnerabilities.threshold with input as inp([finding({
		"id": "CVE-2024-1", "purls": ["pkg:npm/a@1"], "component_text": " in pkg:npm/a@1",
		"status": "affected", "status_text": "affected", "decision": stmt("affected"), "reason": "it is affected",
	})]) with data.hub.repo as repo
	some f in fs
	f.message == "CVE-2024-1 in pkg:npm/a@1: CVSS 9.1 >= 7 and EPSS 0.82 >= 0.75 (CVSS 9.1, EPSS 0.82) is not suppressed: it is affected"
	f.actual == "CVSS 9.1, EPSS 0.82, VEX status affected"
}

test_vex_applied_absent_when_not_suppressed if {
	fs := vulnerabilities.vex_applied with input as inp([finding({"status": "affected", "decision": stmt("affected")})]) with data.hub.repo as repo
	count(fs) == 0
}

test_near_miss_reported if {
	nm := object.union(stmt("not_affected"), {"product": "pkg:oci/other@sha256:bb", "reason": "product pkg:oci/other@sha256:bb is another artifact"})
	fs := vulnerabilities.near_miss with input as inp([finding({"near_misses": [nm], "near_miss_total": 1})]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.message, "another artifact")
	f.actual == "pkg:oci/other@sha256:bb"
}

test_present_when_required_and_missing if {
	fs := vulnerabilities.present with input as {"repo": "acme/app", "vulnerabilities": {"present": false, "problems": []}} with data.hub.repo as repo
	count(fs) == 1
}

test_evidence_problem if {
	i := json.patch(inp([]), [{"op": "replace", "path": "/vulnerabilities/problems", "value": [{"evidence": "g.json", "path": "", "line": 3, "message": "parse: invalid json"}]}])
	fs := vulnerabilities.evidence with input as i with data.hub.repo as repo
	some f in fs
	f.line == 3
	f.evidence == "g.json"
}

report(over) := object.union({
	"evidence": "grype.json", "format": "grype-json", "target": "ghcr.io/example/demo:latest", "target_digests": [],
	"vulnerabilities": 0, "target_field": "source.target", "bound": false, "bound_by": "",
	"unbound": "it is empty and names no digest of what it scanned (source.target ghcr.io/example/demo:latest)",
	"actual": "target ghcr.io/example/demo:latest with digests []",
}, over)

inp_reports(reports, subjects) := json.patch(inp([]), [
	{"op": "replace", "path": "/vulnerabilities/reports", "value": reports},
	{"op": "add", "path": "/vulnerabilities/release_subjects", "value": subjects},
])

test_unbound_report_fails if {
	fs := vulnerabilities.bound with input as inp_reports([report({})], ["sha256:aa"]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.evidence == "grype.json"
	f.path == "source.target"
	f.expected == "a target digest in [sha256:aa], or an SBOM bound to one of them"
	f.actual == "target ghcr.io/example/demo:latest with digests []"
	contains(f.message, "not bound to this release")
}

test_bound_report_passes if {
	fs := vulnerabilities.bound with input as inp_reports([report({"bound": true, "unbound": "", "bound_by": "source.target digest sha256:aa"})], ["sha256:aa"]) with data.hub.repo as repo
	count(fs) == 0
}

sev_only := {"cvss": 0, "has_cvss": false, "epss": 0, "has_epss": false, "severity": "high", "score": 7.0, "has_score": true, "score_source": "severity", "unscored": false, "cvss_text": "none (severity high: CVSS band from 7)", "epss_text": "none"}

test_severity_only_crosses_by_band if {
	fs := vulnerabilities.threshold with input as inp([finding(sev_only)]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.message, "severity high (CVSS band from 7) >= 7")
}

test_severity_only_below_band_passes if {
	fs := vulnerabilities.threshold with input as inp([finding(object.union(sev_only, {"severity": "medium", "score": 4.0}))]) with data.hub.repo as repo
	count(fs) == 0
}

no_score := {"cvss": 0, "has_cvss": false, "epss": 0, "has_epss": false, "severity": "", "score": 0, "has_score": false, "score_source": "", "unscored": true, "cvss_text": "none", "epss_text": "none"}

unscored_with(setting) := fs if {
	fs := vulnerabilities.unscored with input as inp_cfg([finding(no_score)], object.union(cfg, {"unscored": setting})) with data.hub.repo as repo
}

test_unscored_fail if {
	fs := unscored_with("fail")
	count(fs) == 1
	some f in fs
	f.outcome == "fail"
	f.path == "matches[0]"
}

test_unscored_warn if {
	some f in unscored_with("warn")
	f.outcome == "warn"
}

test_unscored_ignore_is_a_note if {
	some f in unscored_with("ignore")
	f.outcome == "pass"
}

test_scored_is_not_unscored if {
	fs := vulnerabilities.unscored with input as inp_cfg([finding(sev_only)], object.union(cfg, {"unscored": "fail"})) with data.hub.repo as repo
	count(fs) == 0
}

test_vex_tie_reported if {
	tie := object.union(stmt("not_affected"), {"evidence": "a.json"})
	fs := vulnerabilities.vex_tie with input as inp([finding({"status": "affected", "decision": stmt("affected"), "ties": [tie]})]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.evidence == "a.json"
	contains(f.message, "the less favourable affected decided")
}

test_no_tie_no_finding if {
	fs := vulnerabilities.vex_tie with input as inp([finding({"status": "affected", "decision": stmt("affected"), "ties": []})]) with data.hub.repo as repo
	count(fs) == 0
}
