package hub.workflow_test

import data.hub.workflow

repo := {"require": ["workflow"]}

sha := "11bd71901bbe5b1630ceea73d27597364c9af683"

use(ref, pinned) := {
	"file": "release.yml", "line": 9, "path": "jobs.build.steps[0].uses", "job": "build",
	"ref": ref, "kind": "action", "pinned": pinned, "reason": "ref \"v4\" is not a 40-hex commit SHA",
}

facts(over) := object.union(
	{
		"present": true, "problems": [], "files": ["release.yml"],
		"uses": [use(concat("@", ["actions/checkout", sha]), true)],
		"triggers": [{"file": "release.yml", "line": 3, "event": "push"}],
		"secrets": [], "injections": [],
	},
	over,
)

inp(over) := {"repo": "acme/app", "workflow": facts(over)}

all_findings(x) := y if {
	y := (((((workflow.present | workflow.evidence) | workflow.unpinned) | workflow.pull_request_target) | workflow.literal_secret) | workflow.injection) | workflow.local_outside with input as x with data.hub.repo as repo
}

test_pinned_passes if {
	count(all_findings(inp({}))) == 0
}

# Acceptance: actions/checkout@v4 is denied at its line.
test_unpinned_checkout if {
	fs := workflow.unpinned with input as inp({"uses": [use("actions/checkout@v4", false)]})
	count(fs) == 1
	some f in fs
	f.line == 9
	f.evidence == "release.yml"
	f.target == "actions/checkout@v4"
}

test_pull_request_target if {
	some f in workflow.pull_request_target with input as inp({"triggers": [{"file": "ci.yml", "line": 2, "event": "pull_request_target"}]})
	f.line == 2
	f.evidence == "ci.yml"
}

test_pull_request_is_fine if {
	count(workflow.pull_request_target) == 0 with input as inp({"triggers": [{"file": "ci.yml", "line": 2, "event": "pull_request"}]})
}

test_literal_secret if {
	some f in workflow.literal_secret with input as inp({"secrets": [{"file": "ci.yml", "line": 5, "path": "env.API_TOKEN", "key": "API_TOKEN"}]})
	f.line == 5
	f.target == "env.API_TOKEN"
}

inj(over) := object.union({
	"file": "ci.yml", "line": 12, "path": "jobs.t.steps[0].run", "job": "t", "step": "say", "field": "run",
	"expression": "${{ github.event.comment.body }}", "context": "github.event.comment.body",
	"source": "github.event.comment.body", "via": [],
}, over)

test_injection if {
	some f in workflow.injection with input as inp({"injections": [inj({})]})
	f.line == 12
	f.actual == "${{ github.event.comment.body }}"
	f.message == "job t, step say, run expands ${{ github.event.comment.body }}, which carries github.event.comment.body"
}

test_injection_via_env if {
	some f in workflow.injection with input as inp({"injections": [inj({"expression": "${{ env.B }}", "context": "env.b", "via": ["jobs.t.env.B"]})]})
	f.message == "job t, step say, run expands ${{ env.B }}, which carries github.event.comment.body via jobs.t.env.B"
}

test_local_outside if {
	u := object.union(use("./../x", false), {"kind": "local", "outside": true, "reason": "the local path leaves the repository"})
	fs := all_findings(inp({"uses": [u]}))
	count(fs) == 1
	some f in workflow.local_outside with input as inp({"uses": [u]})
	f.actual == "./../x"
}

test_absent_raises_only_present if {
	count(all_findings({"repo": "acme/app", "workflow": {"present": false, "problems": [], "uses": [], "triggers": [], "secrets": [], "injections": []}})) == 1
}
