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

# 2026-11-28T00:00:00Z
now_ns := 1795824000000000000

day_ns := 86400000000000

inp(over) := {"repo": "acme/app", "now": "2026-11-28T00:00:00Z", "now_ns": now_ns, "subjects": [{"name": "app.tar.gz", "digest": {"sha256": h}}], "evidence_bundle": object.union({
	"present": true, "problems": [], "manifest": "m.json", "dir": "ev", "trusted_root": "embedded", "checked": true, "parsed": true,
	"version": "1.0", "timestamp": "2026-11-27T00:00:00Z", "timestamp_valid": true, "timestamp_ns": now_ns - day_ns,
	"max_age": "720h0m0s", "max_age_ns": 30 * day_ns,
	"subjects": [{"name": "app.tar.gz", "digest": {"sha256": h}}],
	"inputs": [binding("ok")],
	"signature": sig({}), "files": [fc("a.json", "ok")], "unlisted": [],
}, over)}

binding(status) := {"kind": "sbom", "role": "", "file": "ev/a.json", "path": "a.json", "index": 0, "status": status, "expected_sha256": h, "actual_sha256": h}

required := {"require": ["checksums", "evidence_bundle"]}

rules(i, repo) := {f |
	some r in ["signature", "files", "unlisted", "paths", "subjects", "timestamp", "max_age", "inputs"]
	some f in evidence_bundle[r] with input as i with data.hub.repo as repo
}

test_good_bundle_passes if {
	count(rules(inp({}), {})) == 0
	count(rules(inp({}), required)) == 0
}

test_manifest_for_another_subject_is_denied if {
	other := "2222222222222222222222222222222222222222222222222222222222222222"
	fs := evidence_bundle.subjects with input as inp({"subjects": [{"name": "app.tar.gz", "digest": {"sha256": other}}]}) with data.hub.repo as {}
	count(fs) == 2
	some f in fs
	f.path == "subjects[0].digest"
	f.actual == sprintf("sha256:%s", [other])
}

test_manifest_without_subjects_is_denied if {
	fs := evidence_bundle.subjects with input as inp({"subjects": []}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "none"
	f.target == "app.tar.gz"
}

test_manifest_naming_an_extra_subject_is_denied if {
	extra := {"name": "x", "digest": {"sha256": "3333333333333333333333333333333333333333333333333333333333333333"}}
	fs := evidence_bundle.subjects with input as inp({"subjects": [{"name": "app.tar.gz", "digest": {"sha256": h}}, extra]}) with data.hub.repo as {}
	count(fs) == 1
}

test_subject_matched_by_any_shared_algorithm if {
	i := json.patch(inp({}), [{"op": "replace", "path": "/subjects/0/digest", "value": {"sha256": h, "sha512": "ab"}}])
	count(evidence_bundle.subjects) == 0 with input as i with data.hub.repo as {}
}

test_invalid_timestamp_is_denied if {
	fs := evidence_bundle.timestamp with input as inp({"timestamp": "not a time", "timestamp_valid": false, "timestamp_ns": 0}) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.path == "timestamp"
	f.actual == "not a time"
	count(evidence_bundle.max_age) == 0 with input as inp({"timestamp": "not a time", "timestamp_valid": false, "timestamp_ns": 0}) with data.hub.repo as {}
}

test_future_timestamp_is_denied if {
	fs := evidence_bundle.timestamp with input as inp({"timestamp": "2026-11-28T00:00:01Z", "timestamp_ns": now_ns + 1000000000}) with data.hub.repo as {}
	count(fs) == 1
	count(evidence_bundle.timestamp) == 0 with input as inp({"timestamp_ns": now_ns}) with data.hub.repo as {}
}

test_old_timestamp_is_denied if {
	fs := evidence_bundle.max_age with input as inp({"timestamp": "2001-01-01T00:00:00Z", "timestamp_ns": 978307200000000000}) with data.hub.repo as {}
	count(fs) == 1
	count(evidence_bundle.max_age) == 0 with input as inp({"timestamp_ns": now_ns - (30 * day_ns)}) with data.hub.repo as {}
	count(evidence_bundle.max_age) == 1 with input as inp({"timestamp_ns": (now_ns - (30 * day_ns)) - 1}) with data.hub.repo as {}
}

test_unlisted_input_is_denied_when_required if {
	b := object.union(binding("unlisted"), {"index": -1, "expected_sha256": ""})
	fs := evidence_bundle.inputs with input as inp({"inputs": [b]}) with data.hub.repo as required
	count(fs) == 1
	some f in fs
	f.target == "ev/a.json"
	f.actual == "not listed"
	count(evidence_bundle.inputs) == 0 with input as inp({"inputs": [b]}) with data.hub.repo as {}
}

test_outside_input_is_denied_when_required if {
	b := object.union(binding("outside_dir"), {"path": "", "index": -1, "file": "/tmp/sbom.json"})
	fs := evidence_bundle.inputs with input as inp({"inputs": [b]}) with data.hub.repo as required
	count(fs) == 1
}

test_input_with_another_digest_is_denied_when_required if {
	b := object.union(binding("digest_mismatch"), {"actual_sha256": "22"})
	fs := evidence_bundle.inputs with input as inp({"inputs": [b]}) with data.hub.repo as required
	count(fs) == 1
	some f in fs
	f.path == "files[0].sha256"
	f.expected == h
	f.actual == "22"
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
