# VSA: a signed SLSA verification summary of the release's subject, written
# by an earlier hubgate eval (--vsa-out) and attached to the image (hubgate
# attach). The collector verifies each bundle's signature against the
# registry's vsa.keys over a release subject; these rules judge what a
# verified summary claims, against the registry's vsa section. An image's
# referrers accumulate summaries (one per evaluation), so one accepted
# summary is enough; the others are reported as warnings. Summaries are
# judged only when the repo requires vsa or its registry names vsa.keys.
package hub.vsa

import data.hub.lib

cfg := data.hub.repo.vsa

now_ns := time.parse_rfc3339_ns(input.now)

# Summaries are judged when the repo requires them or the registry names
# keys for them; otherwise (an image whose CI attached its summary, judged
# under a registry that does not use them) they are read and recorded only.
judged if "vsa" in data.hub.repo.require

judged if count(cfg.keys) > 0

summaries := input.vsa.summaries if judged

else := []

# requirement is what the registry's vsa section asks of a summary, in the
# shape hub.lib.vsa_problems (rego/lib_vsa.rego) judges: the one judgement
# of a summary, the admission webhook's and verify vsa's too. The repo is
# the one being evaluated.
requirement := {
	"max_age": cfg.max_age,
	"max_age_ns": time.parse_duration_ns(cfg.max_age),
	"unchanged": false,
	"policy_digests": cfg.policy_digests,
	"verifier_id": cfg.verifier_id,
	"repos": [input.repo],
	"prefix": "",
	"mapping_policy_digests": [],
	"required_levels": cfg.required_levels,
}

# reasons(s) is why a summary is not accepted: empty when it is.
reasons(s) := lib.vsa_problems(s, requirement, now_ns)

ok_summaries contains s if {
	some s in summaries
	count(reasons(s)) == 0
}

describe(s) := concat("; ", reasons(s))

expected := sprintf("a summary signed by a vsa.keys key for a release subject: PASSED, for %s, younger than %s%s", [input.repo, cfg.max_age, extra])

extra := concat("", [
	policies_text,
	levels_text,
])

policies_text := sprintf(", policy digest one of %v", [cfg.policy_digests]) if count(cfg.policy_digests) > 0

else := ""

levels_text := sprintf(", levels %v", [cfg.required_levels]) if count(cfg.required_levels) > 0

else := ""

# METADATA
# title: A verification summary is present
# description: The registry requires a signed verification summary (VSA) of the release's subject, and none was given (--vsa, or a referrer of --image).
# custom:
#   severity: high
#   remediation: Run hubgate eval --vsa-out --sign-key for the subject in CI, and attach the summary to the image (hubgate attach) or pass it with --vsa.
present contains f if {
	f := lib.missing("vsa")
}

# METADATA
# title: The verification summary is readable
# description: A summary file or a registry vsa.keys key could not be read, or the summary was verified after the evaluation time (--now).
# custom:
#   severity: high
#   outcome: error
#   remediation: Pass the sigstore bundle hubgate eval --vsa-out wrote, and keys from hubgate keygen in the registry's vsa.keys.
evidence contains f if {
	some f in lib.problems("vsa")
}

# METADATA
# title: A verification summary is accepted
# description: When the repo requires vsa or names vsa.keys, one of the summaries given verifies against a registry vsa.keys key over a release subject, says PASSED, is for this repo, is younger than vsa.max_age, and meets vsa.policy_digests, vsa.verifier_id and vsa.required_levels.
# custom:
#   severity: critical
#   remediation: Evaluate the release again (hubgate eval --vsa-out) under the current policy and attach the new summary; a summary signed by another key, for another digest or another repo is never accepted.
accepted contains f if {
	count(summaries) > 0
	count(ok_summaries) == 0
	some s in summaries
	f := {
		"message": sprintf("%s is not accepted: %s", [s.file, describe(s)]),
		"evidence": s.file,
		"target": s.file,
		"expected": expected,
		"actual": describe(s),
	}
}

# METADATA
# title: Every verification summary is accepted
# description: A summary given beside an accepted one is not accepted itself (an older evaluation, another key or digest). It is reported, and does not deny.
# custom:
#   severity: low
#   outcome: warn
#   remediation: Remove stale or foreign summaries from the image's referrers, or ignore this warning when an older evaluation's summary is expected.
others_accepted contains f if {
	count(ok_summaries) > 0
	some s in summaries
	not s in ok_summaries
	f := {
		"message": sprintf("%s is not accepted (another summary is): %s", [s.file, describe(s)]),
		"evidence": s.file,
		"target": s.file,
		"expected": expected,
		"actual": describe(s),
	}
}
