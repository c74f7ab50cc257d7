package hub.signature_test

import data.hub.signature

iss := "https://token.actions.githubusercontent.com"

san := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"

own_claims := {
	"source_repository_uri": "https://github.com/acme/app", "source_repository_ref": "refs/tags/v1.2.3",
	"source_repository_digest": "ab", "build_signer_uri": san, "build_trigger": "push",
}

sig(over) := object.union({
	"file": "app.sigstore.json", "verified": true, "reason": "", "content": "message_signature",
	"keyed": false, "key_id": "", "issuer": iss, "san": san, "claims": own_claims, "tlog_index": 7,
	"subject": "app.tar.gz", "digest": "sha256:11", "claimed_digests": ["sha256:11"],
}, over)

inp(sigs) := {"repo": "acme/app", "subjects": [{"name": "app.tar.gz", "digest": {"sha256": "11"}}], "signature": {"present": true, "problems": [], "trusted_root": "embedded", "signatures": sigs}}

ids := {"provenance": {"identities": [{"issuer": `https://token\.actions\.githubusercontent\.com`, "subject": `https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*`}]}}

test_verified_default_identity_passes if {
	count(signature.verified) == 0 with input as inp([sig({})]) with data.hub.repo as {}
	count(signature.identity) == 0 with input as inp([sig({})]) with data.hub.repo as {}
}

test_configured_identity_passes if {
	count(signature.identity) == 0 with input as inp([sig({})]) with data.hub.repo as ids
}

test_not_verified_is_denied if {
	fs := signature.verified with input as inp([sig({"verified": false, "reason": "not verified: failed to verify log inclusion", "issuer": "", "san": ""})]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "not verified: failed to verify log inclusion"
	contains(f.expected, "embedded trusted root")
	f.evidence == "app.sigstore.json"
}

test_wrong_issuer_is_denied if {
	fs := signature.identity with input as inp([sig({"issuer": "https://accounts.google.com"})]) with data.hub.repo as ids
	count(fs) == 1
	some f in fs
	contains(f.actual, "https://accounts.google.com")
	contains(f.expected, `^(?:https://token\.actions\.githubusercontent\.com)$`)
}

test_wrong_san_is_denied if {
	fs := signature.identity with input as inp([sig({"san": "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1"})]) with data.hub.repo as ids
	count(fs) == 1
}

test_san_matching_only_unanchored_is_denied if {
	# The pattern matches a substring of the SAN, never the whole of it.
	prefix := {"provenance": {"identities": [{"issuer": `https://token\.actions\.githubusercontent\.com`, "subject": `https://github\.com/acme/app/`}]}}
	regex.match(`https://github\.com/acme/app/`, san)
	fs := signature.identity with input as inp([sig({})]) with data.hub.repo as prefix
	count(fs) == 1
}

test_san_with_evil_prefix_is_denied if {
	fs := signature.identity with input as inp([sig({"san": concat("", ["https://evil.example/?", san])})]) with data.hub.repo as ids
	count(fs) == 1
}

test_default_identity_other_repo_is_denied if {
	fs := signature.identity with input as inp([sig({"san": "https://github.com/acme/app2/.github/workflows/release.yml@refs/tags/v1"})]) with data.hub.repo as {}
	count(fs) == 1
}

test_default_identity_dot_is_literal if {
	fs := signature.identity with input as inp([sig({"san": "https://githubXcom/acme/app/.github/workflows/release.yml@refs/tags/v1"})]) with data.hub.repo as {}
	count(fs) == 1
}

test_invalid_pattern_never_matches if {
	bad := {"provenance": {"identities": [{"issuer": "(", "subject": ".*"}]}}
	fs := signature.identity with input as inp([sig({})]) with data.hub.repo as bad
	count(fs) == 1
}

test_keyed_signature_has_no_identity_to_match if {
	count(signature.identity) == 0 with input as inp([sig({"keyed": true, "key_id": "ab", "issuer": "", "san": ""})]) with data.hub.repo as ids
}

test_unverified_identity_is_not_judged if {
	count(signature.identity) == 0 with input as inp([sig({"verified": false, "reason": "x"})]) with data.hub.repo as ids
}

test_present_required if {
	fs := signature.present with input as {"repo": "acme/app", "subjects": [], "signature": {"present": false, "problems": [], "signatures": []}} with data.hub.repo as {"require": ["signature"]}
	count(fs) == 1
}

test_evidence_problem if {
	fs := signature.evidence with input as {"repo": "acme/app", "subjects": [], "signature": {"present": true, "problems": [{"evidence": "x.json", "path": "", "line": 0, "message": "invalid sigstore bundle"}], "signatures": []}} with data.hub.repo as {}
	count(fs) == 1
}

test_expired_trust_warns if {
	fs := signature.trusted_root_current with input as inp([sig({"expired_trust": ["transparency log https://rekor.sigstore.dev: validity ended 2026-01-01T00:00:00Z"]})]) with data.hub.repo as {}
	count(fs) == 1
	count(signature.trusted_root_current) == 0 with input as inp([sig({"expired_trust": []})]) with data.hub.repo as {}
}

# Issue 19.4: the default identity is the release workflow at a tag, run in
# this repo.
with_claims(over) := object.union(own_claims, over)

test_default_identity_refuses_pr_workflow if {
	s := sig({"san": "https://github.com/acme/app/.github/workflows/pr.yml@refs/tags/v1.2.3"})
	fs := signature.identity with input as inp([s]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	contains(f.expected, "release\\.yml")
	contains(f.actual, "pr.yml")
}

test_default_identity_refuses_release_workflow_at_a_branch if {
	evil := "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/evil"
	s := sig({"san": evil, "claims": with_claims({"source_repository_ref": "refs/heads/evil", "build_signer_uri": evil})})
	count(signature.identity) == 1 with input as inp([s]) with data.hub.repo as {}
}

test_default_identity_refuses_a_foreign_caller if {
	# A reusable release workflow of this repo, called from another repo:
	# the SAN matches, the source repository does not.
	s := sig({"claims": with_claims({"source_repository_uri": "https://github.com/evil/caller"})})
	fs := signature.identity with input as inp([s]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	contains(f.actual, "source_repository_uri https://github.com/evil/caller")
	contains(f.expected, "source_repository_uri ^(?:https://github\\.com/acme/app)$")
}

test_default_identity_refuses_a_certificate_without_extensions if {
	count(signature.identity) == 1 with input as inp([object.remove(sig({}), ["claims"])]) with data.hub.repo as {}
}

test_registry_release_workflow_and_ref if {
	pub := "https://github.com/acme/app/.github/workflows/publish.yml@refs/heads/release"
	s := sig({"san": pub, "claims": with_claims({"source_repository_ref": "refs/heads/release", "build_signer_uri": pub})})
	reg := {"provenance": {"release_workflow": "publish.yml", "release_ref": "refs/heads/release"}}
	count(signature.identity) == 0 with input as inp([s]) with data.hub.repo as reg
	count(signature.identity) == 1 with input as inp([sig({})]) with data.hub.repo as reg
	count(signature.identity) == 1 with input as inp([s]) with data.hub.repo as {}
}

test_registry_identity_extensions if {
	reg := {"provenance": {"identities": [{
		"issuer": `https://token\.actions\.githubusercontent\.com`,
		"subject": `https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*`,
		"source_repository_uri": `https://github\.com/acme/app`,
		"build_signer_uri": `https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*`,
		"build_trigger": "push|release",
	}]}}
	count(signature.identity) == 0 with input as inp([sig({})]) with data.hub.repo as reg
	count(signature.identity) == 1 with input as inp([sig({"claims": with_claims({"build_trigger": "pull_request_target"})})]) with data.hub.repo as reg
	count(signature.identity) == 1 with input as inp([sig({"claims": with_claims({"source_repository_uri": "https://github.com/evil/app"})})]) with data.hub.repo as reg
	count(signature.identity) == 1 with input as inp([object.union(object.remove(sig({}), ["claims"]), {"claims": object.remove(own_claims, ["build_trigger"])})]) with data.hub.repo as reg
	# Extension patterns are anchored.
	reg2 := {"provenance": {"identities": [object.union(reg.provenance.identities[0], {"build_trigger": "pus"})]}}
	count(signature.identity) == 1 with input as inp([sig({})]) with data.hub.repo as reg2
}

test_identity_ok_without_claims_fails_closed_under_defaults if {
	not signature.identity_ok(iss, san) with input as inp([]) with data.hub.repo as {}
}

# provenance.keys_only: only registry keys are trusted, so a certificate
# signer that an identity would match is refused, and a keyed signature
# still passes.
test_keys_only_refuses_a_certificate_signer if {
	repo := object.union(ids, {"provenance": {"keys_only": true}})
	fs := signature.identity with input as inp([sig({})]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.expected, "keys_only")
}

test_keys_only_accepts_a_keyed_signature if {
	repo := {"provenance": {"keys_only": true}}
	count(signature.identity) == 0 with input as inp([sig({"keyed": true, "key_id": "k", "issuer": "", "san": "", "claims": {}})]) with data.hub.repo as repo
}

test_alias_is_the_lib_helper if {
	signature.signer_ok(sig({})) with input as inp([]) with data.hub.repo as {}
	not signature.signer_ok(sig({"san": "https://github.com/evil/x/.github/workflows/release.yml@refs/tags/v1"})) with input as inp([]) with data.hub.repo as {}
}
