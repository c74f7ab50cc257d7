package hub.drill_test

import data.hub.drill

repo := {"require": ["drill"], "drill": {"max_age": "168h"}}

report(over) := object.union(
	{
		"file": "dr-report.json", "run_id": "dr-1", "ended_at": "2026-11-27T00:00:00Z",
		"age_seconds": 86400, "rto_seconds": 0.008, "successful": true, "same_backup": true,
	},
	over,
)

# facts: by default a fresh backup, a matching digest, one fresh drill.
facts(over) := object.union(
	{
		"present": true, "problems": [], "manifest": "manifest.json",
		"backup": {"path": "backup.json", "expected": "aa", "actual": "aa", "size": 10, "match": true},
		"captured_at": "2026-11-27T12:00:00Z", "rpo_minutes": 720, "max_rpo_minutes": 10080,
		"max_rto_seconds": 600, "max_rpo": "168h0m0s", "max_rto": "10m0s",
		"claimed_limits": {}, "reports": [report({})],
		"max_age_seconds": 604800, "max_age": "168h0m0s",
		"signing": {"required": false, "reports": []},
	},
	over,
)

inp(over) := {"repo": "acme/app", "now": "2026-11-28T00:00:00Z", "drill": facts(over)}

all_findings(x) := y if {
	y := ((((((drill.present | drill.evidence) | drill.backup_digest) | drill.rpo) | drill.rto) | drill.stale) | drill.signed) with input as x with data.hub.repo as repo
}

test_clean_drill_passes if {
	count(all_findings(inp({}))) == 0
}

test_backup_digest_mismatch if {
	some f in drill.backup_digest with input as inp({"backup": {"path": "backup.json", "expected": "aa", "actual": "bb", "size": 10, "match": false}})
	f.expected == "sha256:aa"
	f.actual == "sha256:bb"
}

# Acceptance: a year after captured_at, the RPO gate denies.
test_rpo_a_year_later if {
	fs := drill.rpo with input as inp({"captured_at": "2025-01-15T12:00:00Z", "rpo_minutes": 525600})
	count(fs) == 1
	some f in fs
	f.path == "backup.captured_at"
	f.actual == "525600 minutes"
}

test_rpo_at_limit_passes if {
	count(drill.rpo) == 0 with input as inp({"rpo_minutes": 10080})
}

test_rto_over_limit if {
	some f in drill.rto with input as inp({"reports": [report({"rto_seconds": 601})]})
	f.target == "dr-1"
	f.evidence == "dr-report.json"
}

test_rto_over_limit_is_also_stale if {
	count(drill.stale) == 1 with input as inp({"reports": [report({"rto_seconds": 601})]})
}

test_stale_drill if {
	some f in drill.stale with input as inp({"reports": [report({"age_seconds": 604801})]})
	contains(f.actual, "7.0 days old")
}

test_drill_at_max_age_passes if {
	count(drill.stale) == 0 with input as inp({"reports": [report({"age_seconds": 604800})]})
}

test_no_report_is_stale if {
	some f in drill.stale with input as inp({"reports": []})
	f.actual == "no drill report"
}

test_failed_status_is_stale if {
	some f in drill.stale with input as inp({"reports": [report({"successful": false})]})
	contains(f.actual, "status")
}

test_other_backup_is_stale if {
	some f in drill.stale with input as inp({"reports": [report({"same_backup": false})]})
	contains(f.actual, "another backup")
}

test_one_fresh_success_among_old_is_enough if {
	count(drill.stale) == 0 with input as inp({"reports": [report({"age_seconds": 9999999, "run_id": "old"}), report({})]})
}

test_absent_raises_only_present if {
	count(all_findings({"repo": "acme/app", "drill": {"present": false, "problems": [], "reports": []}})) == 1
}

# The manifest's own limits are facts for information only: a manifest that
# claims a year-long RPO does not let a year-old backup pass, because the
# limit comes from the registry (max_rpo_minutes in the facts).
test_raised_manifest_limits_do_not_help if {
	fs := drill.rpo with input as inp({
		"captured_at": "2025-01-15T12:00:00Z", "rpo_minutes": 525600,
		"claimed_limits": {"max_rpo_minutes": "1000000", "max_rto_seconds": "1000000"},
	})
	count(fs) == 1
	some f in fs
	f.expected == "<= 10080 minutes"
}

test_rto_limit_is_the_registrys if {
	some f in drill.rto with input as inp({"reports": [report({"rto_seconds": 601})], "claimed_limits": {"max_rto_seconds": "99999"}})
	f.expected == "<= 600 s"
}

signing(reports) := {"required": true, "reports": reports}

test_signed_report_passes if {
	count(drill.signed) == 0 with input as inp({"signing": signing([{"file": "dr-report.json", "bundle": "dr-report.json.sigstore.json", "verified": true, "keyed": true, "key_id": "k", "issuer": "", "san": "", "error": ""}])})
}

test_unsigned_report_fails if {
	some f in drill.signed with input as inp({"signing": signing([{"file": "dr-report.json", "bundle": "", "verified": false, "issuer": "", "san": "", "error": "no signature bundle beside it"}])})
	f.actual == "no bundle"
	f.target == "dr-report.json"
}

test_wrong_identity_fails if {
	some f in drill.signed with input as inp({"signing": signing([{"file": "dr-report.json", "bundle": "b.sigstore.json", "verified": true, "issuer": "https://token.actions.githubusercontent.com", "san": "https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main", "error": ""}])})
	f.actual == "https://token.actions.githubusercontent.com / https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main"
	f.evidence == "b.sigstore.json"
}
