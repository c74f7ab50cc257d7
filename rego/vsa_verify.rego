# Verification summary: hubgate verify vsa's one rule (vsa_verify.summary;
# not a kind a release brings: the engine runs it alone, in EvaluateVSA), over the facts of one
# summary (input.summary: whether its signature and subject verified, and
# what it claims) and the registry's admission.vsa section (input.config.vsa,
# its max_age as --max-age sets it). The engine evaluates it in
# Engine.EvaluateVSA, never in a release's Evaluate. The judgement is
# hub.lib.vsa_problems, the one the admission webhook's admission.vsa rule
# makes; the repository is not judged here (verify vsa names none).
package hub.vsa_verify

import data.hub.lib

verify_config := object.get(input, ["config", "vsa"], {})

verify_requirement := {
	"max_age": object.get(verify_config, "max_age", ""),
	"max_age_ns": object.get(verify_config, "max_age_ns", 0),
	"policy_digests": object.get(verify_config, "policy_digests", []),
	"verifier_id": object.get(verify_config, "verifier_id", ""),
	"prefix": "",
	"mapping_policy_digests": [],
	"required_levels": [],
	"unchanged": false,
}

verify_problems := ps if {
	ps := lib.vsa_problems(input.summary, verify_requirement, input.now_ns)
} else := ["no verification summary was given"]

verify_first_problem := verify_problems[0] if {
	count(verify_problems) > 0
} else := "the summary is not accepted"

# METADATA
# title: The verification summary is valid
# description: The summary's signature verifies against the trusted key and its subject is the digest; it says PASSED, is no older than admission.vsa.max_age (or --max-age) and not from the future, and names a policy digest and verifier id admission.vsa accepts, when set.
# custom:
#   severity: critical
#   remediation: Run hubgate eval --vsa-out again for this digest with the policy and key the verifier trusts, and verify the summary it writes.
summary contains f if {
	not lib.vsa_ok(object.get(input, "summary", {}), verify_requirement, input.now_ns)
	reason := verify_first_problem
	f := {
		"message": reason,
		"evidence": object.get(input, ["summary", "digest"], ""),
		"target": object.get(input, "digest", ""),
		"expected": "a signed, fresh, PASSED verification summary",
		"actual": reason,
	}
}
