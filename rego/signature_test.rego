package hub.signature_test

import data.hub.signature

iss := "https://token.actions.githubusercontent.com"

san := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"

sig(over) := object.union({
	"file": "app.sigstore.json", "verified": true, "reason": "", "content": "message_signature",
	"keyed": false, "key_id": "", "issuer": iss, "san": san, "tlog_index": 7,
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
