# Cases from the hub's own seed files: the repo is learn-caesar-cipher from
# config/repositories.yaml (build_timeout 30m, secret_scope caesar-cipher),
# the jobs section is config/runner-isolation.yaml as imported.
package hub.job_test

import data.hub.job

jobs := {
	"allowed_runners": ["ubuntu-22.04", "ubuntu-latest"],
	"require_cancel_in_progress": true,
	"fail_open": false,
	"lease_ttl": "5m",
	"workflows": {
		"unit.yml": {"jobs": {"tests": {"runs_on": "ubuntu-22.04"}}},
		"mutation.yml": {"jobs": {"observatory": {"runs_on": "ubuntu-latest"}}},
		"release.yml": {"max_in_progress": 1, "jobs": {
			"project-tests": {"runs_on": "ubuntu-22.04", "max_parallel": 2},
			"policy-gates": {"runs_on": "ubuntu-22.04"},
		}},
	},
}

caesar := {
	"enabled": true,
	"limits": {"build_timeout": "30m", "max_parallel_jobs": 2, "secret_scope": "caesar-cipher"},
	"jobs": jobs,
}

# ci-cd-hub sets no secret_scope in repositories.yaml.
hub := {"enabled": true, "limits": {"build_timeout": "45m", "max_parallel_jobs": 5}, "jobs": jobs}

req(over) := object.union(
	{
		"workflow": "release.yml", "job": "project-tests", "runs_on": "ubuntu-22.04",
		"timeout": "30m0s", "timeout_ns": 1800000000000, "secret_scope": "caesar-cipher",
		"cancel_in_progress": true, "run": "r1", "attempt": "r1-1",
	},
	over,
)

inp(over) := {"repo": "jguida941/learn-caesar-cipher", "now": "2026-11-28T00:00:00Z", "job": req(over)}

all_findings(x, repo) := y if {
	y := (((((((job.enabled | job.runner_allowed) | job.workflow_listed) | job.job_matches) | job.timeout_within) | job.secret_scope) | job.cancel_in_progress)) with input as x with data.hub.repo as repo
}

test_seed_job_admitted if {
	count(all_findings(inp({}), caesar)) == 0
}

test_other_listed_job_admitted if {
	count(all_findings(inp({"workflow": "mutation.yml", "job": "observatory", "runs_on": "ubuntu-latest"}), caesar)) == 0
}

test_disabled_repo if {
	some f in job.enabled with input as inp({}) with data.hub.repo as object.union(caesar, {"enabled": false})
	f.actual == "enabled: false"
}

test_enabled_repo if {
	count(job.enabled) == 0 with input as inp({}) with data.hub.repo as caesar
}

test_runner_not_allowed if {
	some f in job.runner_allowed with input as inp({"runs_on": "self-hosted"}) with data.hub.repo as caesar
	f.actual == "self-hosted"
}

test_runner_allowed if {
	count(job.runner_allowed) == 0 with input as inp({"runs_on": "ubuntu-latest"}) with data.hub.repo as caesar
}

test_workflow_not_listed if {
	some f in job.workflow_listed with input as inp({"workflow": "deploy.yml"}) with data.hub.repo as caesar
	f.target == "deploy.yml"
}

test_workflow_listed if {
	count(job.workflow_listed) == 0 with input as inp({"workflow": "unit.yml"}) with data.hub.repo as caesar
}

test_no_workflows_no_listing_check if {
	count(job.workflow_listed) == 0 with input as inp({"workflow": "deploy.yml"}) with data.hub.repo as object.union(object.remove(caesar, ["jobs"]), {"jobs": object.union(object.remove(jobs, ["workflows"]), {"workflows": {}})})
}

test_job_not_in_workflow if {
	some f in job.job_matches with input as inp({"job": "lint"}) with data.hub.repo as caesar
	f.target == "release.yml/lint"
}

test_job_on_other_runner if {
	# ubuntu-latest is allowed, but project-tests' entry names ubuntu-22.04.
	some f in job.job_matches with input as inp({"runs_on": "ubuntu-latest"}) with data.hub.repo as caesar
	f.expected == "ubuntu-22.04"
	count(job.runner_allowed) == 0 with input as inp({"runs_on": "ubuntu-latest"}) with data.hub.repo as caesar
}

test_job_matches if {
	count(job.job_matches) == 0 with input as inp({"workflow": "unit.yml", "job": "tests"}) with data.hub.repo as caesar
}

test_timeout_over_build_timeout if {
	some f in job.timeout_within with input as inp({"timeout": "45m0s", "timeout_ns": 2700000000000}) with data.hub.repo as caesar
	f.expected == "at most 30m"
}

test_timeout_at_build_timeout_for_hub if {
	# 45m is over caesar's 30m but within ci-cd-hub's 45m.
	count(job.timeout_within) == 0 with input as inp({"timeout": "45m0s", "timeout_ns": 2700000000000, "secret_scope": ""}) with data.hub.repo as hub
}

test_no_timeout if {
	some f in job.timeout_within with input as inp({"timeout": "", "timeout_ns": 0}) with data.hub.repo as caesar
	f.actual == "none"
}

test_other_secret_scope if {
	some f in job.secret_scope with input as inp({"secret_scope": "contact-service"}) with data.hub.repo as caesar
	f.expected == "caesar-cipher"
}

test_no_secret_scope_requested if {
	count(job.secret_scope) == 0 with input as inp({"secret_scope": ""}) with data.hub.repo as caesar
}

test_scope_for_repo_without_one if {
	some f in job.secret_scope with input as inp({"secret_scope": "caesar-cipher"}) with data.hub.repo as hub
	f.expected == "no secret scope"
}

test_cancel_in_progress_required if {
	some f in job.cancel_in_progress with input as inp({"cancel_in_progress": false}) with data.hub.repo as caesar
	f.target == "release.yml"
}

test_cancel_in_progress_not_required if {
	count(job.cancel_in_progress) == 0 with input as inp({"cancel_in_progress": false}) with data.hub.repo as object.union(caesar, {"jobs": object.union(jobs, {"require_cancel_in_progress": false})})
}

# The main branch's runner-isolation.yaml, enabled and imported: overrides
# by workflow name, no list of workflows.
main_jobs := {
	"allowed_runners": ["ubuntu-latest", "ubuntu-22.04", "ubuntu-24.04", "windows-latest", "macos-latest"],
	"require_cancel_in_progress": true,
	"max_matrix_parallel": 4,
	"fail_open": false,
	"lease_ttl": "5m",
	"workflows": {},
	"workflow_overrides": {
		"release": {"max_in_progress": 1, "require_cancel_in_progress": false},
		"test": {"max_in_progress": 3, "max_matrix_parallel": 6},
		"security": {"max_in_progress": 2, "timeout": "60m"},
	},
}

main_repo := {"enabled": true, "limits": {"build_timeout": "90m", "max_parallel_jobs": 5}, "jobs": main_jobs}

test_main_override_release_need_not_cancel if {
	count(all_findings(inp({"cancel_in_progress": false, "secret_scope": ""}), main_repo)) == 0
}

test_main_other_workflow_must_cancel if {
	some f in job.cancel_in_progress with input as inp({"workflow": "test.yaml", "cancel_in_progress": false, "secret_scope": ""}) with data.hub.repo as main_repo
	f.target == "test.yaml"
}

test_main_unlisted_workflow_admitted if {
	count(all_findings(inp({"workflow": "docs.yml", "job": "build", "secret_scope": ""}), main_repo)) == 0
}

test_main_override_timeout if {
	fs := job.timeout_within with input as inp({"workflow": "security.yml", "timeout": "1h15m0s", "timeout_ns": 4500000000000, "secret_scope": ""}) with data.hub.repo as main_repo
	count(fs) == 1
	some f in fs
	f.expected == "at most 60m"
	contains(f.message, "workflow security's 60m timeout")
}

test_main_override_timeout_within if {
	count(job.timeout_within) == 0 with input as inp({"workflow": "security.yml", "timeout": "1h0m0s", "timeout_ns": 3600000000000, "secret_scope": ""}) with data.hub.repo as main_repo
}

test_main_over_both_timeouts_is_one_finding if {
	fs := job.timeout_within with input as inp({"workflow": "security.yml", "timeout": "2h0m0s", "timeout_ns": 7200000000000, "secret_scope": ""}) with data.hub.repo as main_repo
	count(fs) == 1
	some f in fs
	f.expected == "at most 90m"
}
