package hub.cache_test

import data.hub.cache

repo := {"require": ["cache"]}

ids := [{"issuer": "https://token\\.actions\\.githubusercontent\\.com", "subject": "https://github\\.com/acme/app/\\.github/workflows/.+"}]

facts(over) := object.union(
	{
		"present": true, "problems": [], "manifest": "cache-manifest.json", "dir": "cache",
		"algorithm": "blake3", "checked": true, "signature_file": "cache-manifest.json.sigstore.json",
		"signature": {
			"given": true, "verified": true, "error": "", "identity_ok": true, "identities": ids,
			"issuer": "https://token.actions.githubusercontent.com",
			"san": "https://github.com/acme/app/.github/workflows/cache.yml@refs/heads/main",
		},
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
	sig := {"given": false, "verified": false, "error": "no signature bundle was given", "identity_ok": false, "identities": ids, "issuer": "", "san": ""}
	fs := cache.signature with input as inp({"signature": sig, "signature_file": ""})
	count(fs) == 1
	some f in fs
	f.actual == "no signature"
	f.evidence == "cache-manifest.json"
}

test_unverified_signature_fails if {
	sig := {"given": true, "verified": false, "error": "not verified: bad signature", "identity_ok": false, "identities": ids, "issuer": "", "san": ""}
	some f in cache.signature with input as inp({"signature": sig})
	contains(f.message, "bad signature")
}

test_foreign_identity_fails if {
	sig := {
		"given": true, "verified": true, "error": "", "identity_ok": false, "identities": ids,
		"issuer": "https://token.actions.githubusercontent.com",
		"san": "https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main",
	}
	some f in cache.signature with input as inp({"signature": sig})
	contains(f.actual, "evil/app")
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
