# Workflow: the pipeline that builds releases cannot be hijacked through a
# moved tag, a fork's pull request, a leaked literal secret or an injected
# expression.
package hub.workflow

import data.hub.lib

# METADATA
# title: Workflow files are present
# description: The registry requires the repository's workflows to be checked, and none were given.
# custom:
#   severity: medium
#   remediation: Pass the repository's .github/workflows directory with --workflows.
present contains f if {
	f := lib.missing("workflow")
}

# METADATA
# title: The workflow files are readable
# description: A workflow file could not be read or parsed.
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the YAML at the file and line named in the finding.
evidence contains f if {
	some f in lib.problems("workflow")
}

# METADATA
# title: Actions are pinned to a commit SHA
# description: A uses reference names a tag or branch, which its owner can move to other code at any time.
# custom:
#   severity: high
#   remediation: Pin the action or reusable workflow to the full lower-case 40-hex commit SHA of the release you reviewed (keep the tag in a comment); docker images by @sha256 digest.
unpinned contains f if {
	some u in input.workflow.uses
	not u.pinned
	not u.outside
	f := {
		"message": sprintf("%s is not pinned: %s", [u.ref, u.reason]),
		"evidence": u.file,
		"path": u.path,
		"line": u.line,
		"target": u.ref,
		"expected": "owner/repo@<lower-case 40-hex commit SHA>, ./local inside the repository, or docker://image@sha256:<digest>",
		"actual": u.ref,
	}
}

# METADATA
# title: Local actions stay in the repository
# description: A local uses path (./../x, ./a/../../x) leaves the repository, so it runs code this review never saw.
# custom:
#   severity: high
#   remediation: Keep local actions and reusable workflows under the repository root (./path/inside), or pin an external action by commit SHA.
local_outside contains f if {
	some u in input.workflow.uses
	u.outside
	f := {
		"message": sprintf("%s at %s leaves the repository", [u.ref, u.path]),
		"evidence": u.file,
		"path": u.path,
		"line": u.line,
		"target": u.ref,
		"expected": "a ./ path inside the repository",
		"actual": u.ref,
	}
}

# METADATA
# title: No pull_request_target trigger
# description: pull_request_target runs with the base repository's secrets and write token on events a fork controls.
# custom:
#   severity: critical
#   remediation: Use pull_request instead; if the workflow must comment or label, split it into an unprivileged pull_request workflow and a workflow_run one that never checks out the fork's code.
pull_request_target contains f if {
	some t in input.workflow.triggers
	t.event == "pull_request_target"
	f := {
		"message": sprintf("%s is triggered by pull_request_target", [t.file]),
		"evidence": t.file,
		"path": "on",
		"line": t.line,
		"target": t.file,
		"expected": "no pull_request_target trigger",
		"actual": "pull_request_target",
	}
}

# METADATA
# title: No literal secrets in workflows
# description: An env or with entry whose key names a secret holds literal text instead of a secrets or vars expression.
# custom:
#   severity: critical
#   remediation: 'Rotate the exposed value now, store it as an Actions secret, and reference it as ${{ secrets.NAME }}.'
literal_secret contains f if {
	some s in input.workflow.secrets
	f := {
		"message": sprintf("%s holds a literal value instead of a secrets or vars expression", [s.path]),
		"evidence": s.file,
		"path": s.path,
		"line": s.line,
		"target": s.path,
		"expected": "${{ secrets.* }} or ${{ vars.* }}",
		"actual": "literal text",
	}
}

# METADATA
# title: No untrusted expressions in scripts
# description: A run script (or a script input such as actions/github-script's) expands an expression whose value an attacker controls, directly (github.event.*, github.head_ref, inputs.*, in any case or index form) or through env, step outputs, job outputs or needs.*.outputs, so whoever controls that text can inject commands.
# custom:
#   severity: critical
#   remediation: 'Pass the value through an environment variable (env TITLE set to the expression) and use "$TITLE" in the script.'
injection contains f if {
	some i in input.workflow.injections
	f := {
		"message": sprintf("job %s, step %s, %s expands %s, which carries %s%s", [i.job, i.step, i.field, i.expression, i.source, via(i.via)]),
		"evidence": i.file,
		"path": i.path,
		"line": i.line,
		"target": sprintf("%s:%d", [i.file, i.line]),
		"expected": "untrusted values passed through env",
		"actual": i.expression,
	}
}

via(v) := "" if count(v) == 0

via(v) := sprintf(" via %s", [concat(" -> ", v)]) if count(v) > 0
