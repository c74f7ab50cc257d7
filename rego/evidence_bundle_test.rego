package hub.evidence_bundle_test

import data.hub.evidence_bundle

h := "1111111111111111111111111111111111111111111111111111111111111111"

sig(over) := object.union({
	"present": true, "file": "m.json.sigstore.json", "verified": true, "reason": "", "keyed": false, "key_id": "",
	"issuer": "https://token.actions.githubusercontent.com",
	"san": "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1",
	"claims": {"source_repository_uri": "https://github.com/acme/app", "source_repository_ref": "refs/tags/v1"},
	"tlog_index": 3,
}, over)

fc(path, status) := {"index": 0, "path": path, "status": status, "expected_sha256": h, "actual_sha256": h, "expected_size": 2, "actual_size": 2, "detail": "d"}

inp(over) := {"repo": "acme/app", "subjects": [], "evidence_bundle": object.union({
	"present": true, "problems": [], "manifest": "m.json", "dir": "ev", "trusted_root": "embedded", "checked": true,
	"version": "1.0", "timestamp": "t", "signature": sig({}), "files": [fc("a.json", "ok")], "unlisted": [],
}, over)}

rules(i, repo) := {f |
	some r in ["signature", "files", "unlisted", "paths"]
	some f in evidence_bundle[r] with input as i with data.hub.repo as repo
}

test_good_bundle_passes if {
	count(rules(inp({}), {})) == 0
}

test_unsigned_manifest_is_denied if {
	fs := evidence_bundle.signature with input as inp({"signature": sig({"present": false, "verified": false, "reason": "no sigstore bundle over the manifest", "issuer": "", "san": ""})}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "no sigstore bundle over the manifest"
}

test_wrong_signer_is_denied if {
	fs := evidence_bundle.signature with input as inp({"signature": sig({"san": "https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main"})}) with data.hub.repo as {}
	count(fs) == 1
}

test_unanchored_identity_is_denied if {
	repo := {"provenance": {"identities": [{"issuer": ".*", "subject": "acme/app"}]}}
	fs := evidence_bundle.signature with input as inp({}) with data.hub.repo as repo
	count(fs) == 1
}

test_keyed_signature_passes if {
	count(evidence_bundle.signature) == 0 with input as inp({"signature": sig({"keyed": true, "issuer": "", "san": ""})}) with data.hub.repo as {}
}

test_changed_file_is_denied if {
	c := object.union(fc("a.json", "digest_mismatch"), {"actual_sha256": "22"})
	fs := evidence_bundle.files with input as inp({"files": [c]}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "sha256 22, 2 bytes"
	f.target == "a.json"
}

test_missing_file_is_denied if {
	fs := evidence_bundle.files with input as inp({"files": [fc("a.json", "missing")]}) with data.hub.repo as {}
	some f in fs
	f.actual == "no such file"
}

test_unlisted_file_is_denied if {
	fs := evidence_bundle.unlisted with input as inp({"unlisted": ["extra.sh"]}) with data.hub.repo as {}
	count(fs) == 1
}

test_escaping_path_is_denied if {
	fs := evidence_bundle.paths with input as inp({"files": [fc("../x", "unsafe_path"), fc("link", "symlink")]}) with data.hub.repo as {}
	count(fs) == 2
	count(evidence_bundle.files) == 0 with input as inp({"files": [fc("../x", "unsafe_path")]}) with data.hub.repo as {}
}

test_expired_trust_warns if {
	fs := evidence_bundle.trusted_root_current with input as inp({"signature": sig({"expired_trust": ["transparency log x: validity ended 2026-01-01T00:00:00Z"]})}) with data.hub.repo as {}
	count(fs) == 1
}
