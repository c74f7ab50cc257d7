package hub.attestation_identity_test

# "Built by workflow W of repo R at ref X", as GitHub artifact attestations
# and npm provenance state it, judged by the one identity helper
# (hub.lib.signer_ok) over the verified certificate's claims. The
# claims are those of the real fixtures in fixtures/attestations/.

import data.hub.signature

iss := "https://token.actions.githubusercontent.com"

reusable := "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d"

# The reusable attest workflow, called from malancas/attest-demo.
called := {
	"issuer": iss, "san": reusable,
	"claims": {
		"source_repository_uri": "https://github.com/malancas/attest-demo",
		"source_repository_ref": "refs/heads/main",
		"build_signer_uri": reusable,
		"build_trigger": "push",
	},
}

# The caller's identity: the reusable workflow (SAN, build signer) run in
# the caller's repository at its main branch.
caller_policy := {"provenance": {"identities": [{
	"issuer": `https://token\.actions\.githubusercontent\.com`,
	"subject": `https://github\.com/github/artifact-attestations-workflows/\.github/workflows/attest\.yml@.+`,
	"build_signer_uri": `https://github\.com/github/artifact-attestations-workflows/\.github/workflows/attest\.yml@.+`,
	"source_repository_uri": `https://github\.com/malancas/attest-demo`,
	"source_repository_ref": `refs/heads/main`,
}]}}

test_reusable_workflow_for_its_caller if {
	signature.signer_ok(called) with data.hub.repo as caller_policy
}

test_reusable_workflow_for_another_caller_fails if {
	other := json.patch(called, [{"op": "replace", "path": "/claims/source_repository_uri", "value": "https://github.com/evil/attest-demo"}])
	not signature.signer_ok(other) with data.hub.repo as caller_policy
}

test_reusable_workflow_at_another_ref_fails if {
	other := json.patch(called, [{"op": "replace", "path": "/claims/source_repository_ref", "value": "refs/heads/feature"}])
	not signature.signer_ok(other) with data.hub.repo as caller_policy
}

test_caller_signing_itself_is_not_the_reusable_workflow if {
	own := "https://github.com/malancas/attest-demo/.github/workflows/attest.yml@refs/heads/main"
	other := json.patch(called, [
		{"op": "replace", "path": "/san", "value": own},
		{"op": "replace", "path": "/claims/build_signer_uri", "value": own},
	])
	not signature.signer_ok(other) with data.hub.repo as caller_policy
}

test_missing_extension_fails if {
	other := json.remove(called, ["/claims/source_repository_uri"])
	not signature.signer_ok(other) with data.hub.repo as caller_policy
}

# npm provenance of sigstore-js: the default identity (release_workflow at
# release_ref, run in the repository itself).
npm := {
	"issuer": iss,
	"san": "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
	"claims": {
		"source_repository_uri": "https://github.com/sigstore/sigstore-js",
		"source_repository_ref": "refs/heads/main",
		"build_signer_uri": "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
		"build_trigger": "push",
	},
}

npm_policy := {"provenance": {"release_workflow": "release.yml", "release_ref": "refs/heads/main"}}

test_npm_default_identity if {
	signature.signer_ok(npm) with data.hub.repo as npm_policy with input.repo as "sigstore/sigstore-js"
}

test_npm_other_repository_fails if {
	not signature.signer_ok(npm) with data.hub.repo as npm_policy with input.repo as "sigstore/other"
}

test_npm_other_workflow_fails if {
	not signature.signer_ok(npm) with data.hub.repo as {"provenance": {"release_workflow": "publish.yml", "release_ref": "refs/heads/main"}} with input.repo as "sigstore/sigstore-js"
}

test_npm_tag_only_default_refuses_main if {
	not signature.signer_ok(npm) with data.hub.repo as {"provenance": {"release_workflow": "release.yml", "release_ref": "refs/tags/.+"}} with input.repo as "sigstore/sigstore-js"
}
