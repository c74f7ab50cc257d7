# Job admission: may this CI job start now? The stateless rules, judged on
# the job's request (input.job) and the repo's registry entry
# (data.hub.repo.jobs, data.hub.repo.limits). The engine evaluates them in
# Engine.EvaluateJob, never in a release's Evaluate. The stateful limits
# (concurrency, the token bucket) are decided after these pass, atomically
# in Redis (adapters/jobs), and reported under job.limit_*.
package hub.job

jobs := data.hub.repo.jobs

entry := jobs.workflows[input.job.workflow]

# override is the workflow's jobs.workflow_overrides entry (the main branch
# runner-isolation.yaml's workflows), by the workflow file's name without
# its extension; {} when it has none.
workflow_name := trim_suffix(trim_suffix(input.job.workflow, ".yml"), ".yaml")

override := object.get(object.get(jobs, "workflow_overrides", {}), workflow_name, {})

require_cancel := object.get(override, "require_cancel_in_progress", jobs.require_cancel_in_progress)

# METADATA
# title: The repository is enabled
# description: The hub lists the repository with enabled false; it builds nothing for it.
# custom:
#   severity: high
#   remediation: Enable the repository in the registry (repositories.yaml's enabled), or do not dispatch its jobs.
enabled contains f if {
	data.hub.repo.enabled == false
	f := {
		"message": sprintf("%s is disabled in the registry", [input.repo]),
		"path": "enabled",
		"target": input.repo,
		"expected": "enabled: true",
		"actual": "enabled: false",
	}
}

# METADATA
# title: The runner label is allowed
# description: The job asks for a runs-on label that is not in the registry's allowed_runners.
# custom:
#   severity: high
#   remediation: Use one of the allowed runner labels, or add the label to jobs.allowed_runners in the org's registry (runner-isolation.yaml's defaults.allowed_runners).
runner_allowed contains f if {
	not input.job.runs_on in jobs.allowed_runners
	f := {
		"message": sprintf("runner %q is not allowed for %s", [input.job.runs_on, input.repo]),
		"path": "runs_on",
		"target": input.job.runs_on,
		"expected": sprintf("one of %v", [jobs.allowed_runners]),
		"actual": input.job.runs_on,
	}
}

# METADATA
# title: The workflow is listed
# description: The registry lists the hub's workflows and their jobs; a job of a workflow it does not list is not admitted.
# custom:
#   severity: high
#   remediation: Add the workflow and its jobs to runner-isolation.yaml (org.jobs.workflows), or dispatch the job from a listed workflow.
workflow_listed contains f if {
	count(jobs.workflows) > 0
	not jobs.workflows[input.job.workflow]
	f := {
		"message": sprintf("workflow %s has no entry in the registry's job workflows", [input.job.workflow]),
		"path": "workflow",
		"target": input.job.workflow,
		"expected": sprintf("one of %v", [sort(object.keys(jobs.workflows))]),
		"actual": input.job.workflow,
	}
}

# METADATA
# title: The job matches its workflow's entry
# description: The job is listed under its workflow, and asks for the runner its entry names.
# custom:
#   severity: high
#   remediation: Run the job on the runner its workflow entry names (runs_on), or correct the entry in runner-isolation.yaml.
job_matches contains f if {
	not entry.jobs[input.job.job]
	f := {
		"message": sprintf("job %s is not listed under workflow %s", [input.job.job, input.job.workflow]),
		"path": "job",
		"target": sprintf("%s/%s", [input.job.workflow, input.job.job]),
		"expected": sprintf("one of %v", [sort(object.keys(entry.jobs))]),
		"actual": input.job.job,
	}
}

job_matches contains f if {
	want := entry.jobs[input.job.job].runs_on
	want != input.job.runs_on
	f := {
		"message": sprintf("job %s of %s asks for runner %q; its entry names %q", [input.job.job, input.job.workflow, input.job.runs_on, want]),
		"path": "runs_on",
		"target": sprintf("%s/%s", [input.job.workflow, input.job.job]),
		"expected": want,
		"actual": input.job.runs_on,
	}
}

# METADATA
# title: The timeout is within build_timeout
# description: The job asks for no timeout, or for a longer one than the repo's build_timeout or its workflow override's timeout.
# custom:
#   severity: medium
#   remediation: Set the job's timeout-minutes to at most the repo's build_timeout (repositories.yaml settings.build_timeout).
timeout_within contains f if {
	input.job.timeout_ns <= 0
	f := {
		"message": sprintf("job %s asks for no timeout; the limit is %s", [input.job.job, data.hub.repo.limits.build_timeout]),
		"path": "timeout",
		"target": sprintf("%s/%s", [input.job.workflow, input.job.job]),
		"expected": sprintf("at most %s", [data.hub.repo.limits.build_timeout]),
		"actual": "none",
	}
}

timeout_within contains f if {
	limit := override.timeout
	input.job.timeout_ns > time.parse_duration_ns(limit)
	input.job.timeout_ns <= time.parse_duration_ns(data.hub.repo.limits.build_timeout)
	f := {
		"message": sprintf("job %s asks for a %s timeout, over workflow %s's %s timeout", [input.job.job, input.job.timeout, workflow_name, limit]),
		"path": "timeout",
		"target": sprintf("%s/%s", [input.job.workflow, input.job.job]),
		"expected": sprintf("at most %s", [limit]),
		"actual": input.job.timeout,
	}
}

timeout_within contains f if {
	input.job.timeout_ns > time.parse_duration_ns(data.hub.repo.limits.build_timeout)
	f := {
		"message": sprintf("job %s asks for a %s timeout, over the %s build_timeout of %s", [input.job.job, input.job.timeout, data.hub.repo.limits.build_timeout, input.repo]),
		"path": "timeout",
		"target": sprintf("%s/%s", [input.job.workflow, input.job.job]),
		"expected": sprintf("at most %s", [data.hub.repo.limits.build_timeout]),
		"actual": input.job.timeout,
	}
}

# METADATA
# title: The secret scope is the repo's own
# description: A job may only read the secrets of its own repo's scope.
# custom:
#   severity: critical
#   remediation: Request the repo's own secret scope (repositories.yaml settings.secret_scope), or none.
secret_scope contains f if {
	input.job.secret_scope != ""
	not data.hub.repo.limits.secret_scope
	f := {
		"message": sprintf("job %s asks for secret scope %q; %s has no secret scope", [input.job.job, input.job.secret_scope, input.repo]),
		"path": "secret_scope",
		"target": input.job.secret_scope,
		"expected": "no secret scope",
		"actual": input.job.secret_scope,
	}
}

secret_scope contains f if {
	input.job.secret_scope != ""
	own := data.hub.repo.limits.secret_scope
	input.job.secret_scope != own
	f := {
		"message": sprintf("job %s asks for secret scope %q; %s may only read %q", [input.job.job, input.job.secret_scope, input.repo, own]),
		"path": "secret_scope",
		"target": input.job.secret_scope,
		"expected": own,
		"actual": input.job.secret_scope,
	}
}

# METADATA
# title: Cancel-in-progress is set where required
# description: The registry requires the workflow's concurrency group to cancel runs in progress (jobs.require_cancel_in_progress, or the workflow's override), and the job's does not.
# custom:
#   severity: medium
#   remediation: "Set concurrency: {group: ..., cancel-in-progress: true} in the workflow."
cancel_in_progress contains f if {
	require_cancel
	not input.job.cancel_in_progress
	f := {
		"message": sprintf("workflow %s does not set cancel-in-progress, which the registry requires", [input.job.workflow]),
		"path": "cancel_in_progress",
		"target": input.job.workflow,
		"expected": "cancel-in-progress: true",
		"actual": "false",
	}
}
