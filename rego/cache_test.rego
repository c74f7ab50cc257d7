package hub.cache_test

import data.hub.cache

repo := {"require": ["cache"]}

release_san := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"

own_claims := {
	"source_repository_uri": "https://github.com/acme/app", "source_repository_ref": "refs/tags/v1.2.3",
	"build_signer_uri": release_san, "build_trigger": "push",
}

signed_by(san, claims) := {
	"given": true, "verified": true, "error": "",
	"issuer": "https://token.actions.githubusercontent.com", "san": san, "claims": claims,
}

facts(over) := object.union(
	{
		"present": true, "problems": [], "manifest": "cache-manifest.json", "dir": "cache",
		"algorithm": "blake3", "checked": true, "signature_file": "cache-manifest.json.sigstore.json",
		"signature": signed_by(release_san, own_claims),
		"listed": 2, "observed": 2, "verified": 2, "missing": [], "mismatched": [], "unlisted": [],
	},
	over,
)

inp(over) := {"repo": "acme/app", "cache": facts(over)}

all_findings(x) := y if {
	y := (((((cache.present | cache.evidence) | cache.signature) | cache.missing) | cache.mismatch) | cache.unlisted) with input as x with data.hub.repo as repo
}

test_clean_cache_passes if {
	count(all_findings(inp({}))) == 0
}

# Acceptance: one extra unlisted file is denied.
test_one_unlisted_file if {
	fs := all_findings(inp({"observed": 3, "unlisted": [{"path": "sub/injected.py", "kind": "file", "size": 4}]}))
	count(fs) == 1
	some f in cache.unlisted with input as inp({"observed": 3, "unlisted": [{"path": "sub/injected.py", "kind": "file", "size": 4}]})
	f.target == "sub/injected.py"
}

test_missing_signature_fails if {
	sig := {"given": false, "verified": false, "error": "no signature bundle was given", "issuer": "", "san": "", "claims": {}}
	fs := cache.signature with input as inp({"signature": sig, "signature_file": ""})
	count(fs) == 1
	some f in fs
	f.actual == "no signature"
	f.evidence == "cache-manifest.json"
}

test_unverified_signature_fails if {
	sig := {"given": true, "verified": false, "error": "not verified: bad signature", "issuer": "", "san": "", "claims": {}}
	some f in cache.signature with input as inp({"signature": sig})
	contains(f.message, "bad signature")
}

test_foreign_identity_fails if {
	sig := signed_by("https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1", object.union(own_claims, {"source_repository_uri": "https://github.com/evil/app"}))
	some f in cache.signature with input as inp({"signature": sig}) with data.hub.repo as repo
	contains(f.actual, "evil/app")
}

# The cache kind uses the same default identity as every signed kind: a
# pull-request workflow, the release workflow at a branch, and this repo's
# release workflow called from another repo are all refused.
test_default_identity_refuses_pr_branch_and_foreign_caller if {
	pr := signed_by("https://github.com/acme/app/.github/workflows/pr.yml@refs/tags/v1.2.3", own_claims)
	branch := signed_by("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/evil", object.union(own_claims, {"source_repository_ref": "refs/heads/evil"}))
	foreign := signed_by(release_san, object.union(own_claims, {"source_repository_uri": "https://github.com/evil/caller"}))
	every sig in [pr, branch, foreign] {
		count(cache.signature) == 1 with input as inp({"signature": sig}) with data.hub.repo as repo
	}
}

# With registry identities, those decide, not a cache default.
test_registry_identities_decide if {
	san := "https://github.com/acme/app/.github/workflows/cache.yml@refs/heads/main"
	sig := signed_by(san, object.union(own_claims, {"source_repository_ref": "refs/heads/main", "build_signer_uri": san}))
	count(cache.signature) == 1 with input as inp({"signature": sig}) with data.hub.repo as repo
	reg := object.union(repo, {"provenance": {"identities": [{
		"issuer": "https://token\\.actions\\.githubusercontent\\.com",
		"subject": "https://github\\.com/acme/app/\\.github/workflows/cache\\.yml@refs/heads/main",
		"source_repository_uri": "https://github\\.com/acme/app",
	}]}})
	count(cache.signature) == 0 with input as inp({"signature": sig}) with data.hub.repo as reg
}

test_missing_file if {
	some f in cache.missing with input as inp({"missing": [{"path": "a.whl", "index": 0}]})
	f.path == "entries[0]"
}

test_mismatch if {
	m := {"path": "b", "index": 1, "expected": "aa", "actual": "bb", "expected_size": 1, "actual_size": 1, "reason": "blake3 digest differs"}
	some f in cache.mismatch with input as inp({"mismatched": [m]})
	f.expected == "blake3:aa"
	f.actual == "blake3:bb"
}

test_unchecked_raises_no_file_findings if {
	count(cache.unlisted) == 0 with input as inp({"checked": false, "unlisted": [{"path": "x", "kind": "file", "size": 1}]})
}

test_absent_raises_only_present if {
	count(all_findings({"repo": "acme/app", "cache": {"present": false, "problems": [], "manifest": "", "signature": {"given": false, "verified": false}}})) == 1
}

# A signature by one of the registry's provenance.keys is trusted, as for
# every signed kind; an unkeyed one from a foreign identity is not, even
# when the same facts carry a key id.
test_keyed_signature_passes if {
	keyed := {"given": true, "verified": true, "error": "", "keyed": true, "key_id": "k1", "issuer": "", "san": "", "claims": {}}
	count(cache.signature) == 0 with input as inp({"signature": keyed}) with data.hub.repo as repo
	unkeyed := object.union(signed_by("https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1", own_claims), {"keyed": false, "key_id": "k1"})
	count(cache.signature) == 1 with input as inp({"signature": unkeyed}) with data.hub.repo as repo
}
