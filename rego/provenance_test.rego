package hub.provenance_test

import data.hub.provenance

gen := "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"

iss := "https://token.actions.githubusercontent.com"

san := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"

stmt(over) := object.union({
	"type": "https://in-toto.io/Statement/v1",
	"predicate_type": "https://slsa.dev/provenance/v1",
	"subjects": [{"name": "app.tar.gz", "digest": {"sha256": "11"}}],
	"builder_id": concat("@", [gen, "refs/tags/v2.0.0"]), "builder_name": gen, "builder_ref": "refs/tags/v2.0.0",
	"build_type": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
	"source": {"uri": "github.com/acme/app", "raw_uri": "https://github.com/acme/app", "ref": "refs/tags/v1.2.3", "commit": "ab", "path": "predicate.buildDefinition.externalParameters.workflow"},
}, over)

own_claims := {
	"source_repository_uri": "https://github.com/acme/app", "source_repository_ref": "refs/tags/v1.2.3",
	"source_repository_digest": "ab", "build_signer_uri": san, "build_trigger": "push",
}

att(over) := object.union({
	"file": "prov.sigstore.json", "index": 0, "line": 0, "path": "", "format": "sigstore-bundle",
	"verified": true, "reason": "", "keyed": false, "key_id": "", "issuer": iss, "san": san, "claims": own_claims, "tlog_index": 1,
	"statement": stmt({}),
}, over)

inp(atts) := {
	"repo": "acme/app",
	"subjects": [{"name": "app.tar.gz", "digest": {"sha256": "11"}}],
	"provenance": {"present": true, "problems": [], "files": ["prov.sigstore.json"], "trusted_root": "embedded", "attestations": atts},
}

all_findings(i, repo) := {f |
	some rule in ["signed", "identity", "certificate", "subject_digest", "builder_trusted", "source", "ref", "predicate_type"]
	some f in provenance[rule] with input as i with data.hub.repo as repo
}

test_good_provenance_passes if {
	count(all_findings(inp([att({})]), {})) == 0
}

test_good_v02_provenance_passes if {
	a := att({"statement": stmt({"type": "https://in-toto.io/Statement/v0.1", "predicate_type": "https://slsa.dev/provenance/v0.2"})})
	count(all_findings(inp([a]), {})) == 0
}

test_keyed_provenance_passes if {
	count(all_findings(inp([att({"keyed": true, "key_id": "ab", "issuer": "", "san": ""})]), {})) == 0
}

test_unsigned_dsse_is_denied if {
	# The hub's artifacts/slsa-provenance.json: DSSE envelopes with no signatures.
	a := att({"format": "dsse", "path": "[0]", "verified": false, "reason": "not verified: dsse envelope has no signatures", "issuer": "", "san": "", "statement": null})
	fs := provenance.signed with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "not verified: dsse envelope has no signatures"
	f.path == "[0]"
	# and the unverified statement is not used to satisfy the subject check
	count(provenance.subject_digest) == 1 with input as inp([a]) with data.hub.repo as {}
}

test_subject_digest_mismatch_is_denied if {
	a := att({"statement": stmt({"subjects": [{"name": "app.tar.gz", "digest": {"sha256": "22"}}]})})
	fs := provenance.subject_digest with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.expected == "sha256:11"
	f.actual == "sha256:22"
	f.target == "app.tar.gz"
}

test_untrusted_builder_is_denied if {
	a := att({"statement": stmt({"builder_id": "https://github.com/actions/runner/github-hosted", "builder_name": "https://github.com/actions/runner/github-hosted", "builder_ref": ""})})
	fs := provenance.builder_trusted with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "https://github.com/actions/runner/github-hosted"
	contains(f.expected, "release tag")
	f.path == "predicate.runDetails.builder.id"
}

test_default_builder_at_branch_is_denied if {
	a := att({"statement": stmt({"builder_id": concat("@", [gen, "refs/heads/main"]), "builder_ref": "refs/heads/main"})})
	count(provenance.builder_trusted) == 1 with input as inp([a]) with data.hub.repo as {}
}

test_configured_builder_without_ref_matches_any_ref if {
	a := att({"statement": stmt({"builder_id": concat("@", [gen, "refs/heads/main"]), "builder_ref": "refs/heads/main"})})
	count(provenance.builder_trusted) == 0 with input as inp([a]) with data.hub.repo as {"provenance": {"builders": [gen]}}
}

test_configured_builder_with_ref_is_exact if {
	repo := {"provenance": {"builders": [concat("@", [gen, "refs/tags/v2.0.0"])]}}
	count(provenance.builder_trusted) == 0 with input as inp([att({})]) with data.hub.repo as repo
	a := att({"statement": stmt({"builder_id": concat("@", [gen, "refs/tags/v2.0.1"]), "builder_ref": "refs/tags/v2.0.1"})})
	count(provenance.builder_trusted) == 1 with input as inp([a]) with data.hub.repo as repo
}

test_wrong_source_repo_is_denied if {
	a := att({"statement": stmt({"source": {"uri": "github.com/evil/app", "raw_uri": "https://github.com/evil/app", "ref": "refs/tags/v1.2.3", "commit": "", "path": "p"}})})
	fs := provenance.source with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.expected == "github.com/acme/app"
	f.actual == "github.com/evil/app"
}

test_missing_source_is_denied if {
	a := att({"statement": stmt({"source": {"uri": "", "raw_uri": "", "ref": "", "commit": "", "path": ""}})})
	fs := provenance.source with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	f.actual == "none"
}

test_configured_source if {
	repo := {"provenance": {"source": "https://github.com/Acme/Monorepo.git"}}
	a := att({"statement": stmt({"source": {"uri": "github.com/acme/monorepo", "raw_uri": "x", "ref": "refs/tags/v1", "commit": "", "path": "p"}})})
	count(provenance.source) == 0 with input as inp([a]) with data.hub.repo as repo
	count(provenance.source) == 1 with input as inp([att({})]) with data.hub.repo as repo
}

test_disallowed_ref_is_denied if {
	repo := {"provenance": {"refs": ["refs/tags/v*"]}}
	count(provenance.ref) == 0 with input as inp([att({})]) with data.hub.repo as repo
	a := att({"statement": stmt({"source": {"uri": "github.com/acme/app", "raw_uri": "x", "ref": "refs/heads/main", "commit": "", "path": "p"}})})
	fs := provenance.ref with input as inp([a]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.actual == "refs/heads/main"
	f.expected == "a ref matching one of refs/tags/v*"
}

test_glob_star_does_not_cross_slash if {
	repo := {"provenance": {"refs": ["refs/tags/v*"]}}
	a := att({"statement": stmt({"source": {"uri": "github.com/acme/app", "raw_uri": "x", "ref": "refs/tags/v1/evil", "commit": "", "path": "p"}})})
	count(provenance.ref) == 1 with input as inp([a]) with data.hub.repo as repo
}

test_wrong_identity_is_denied if {
	a := att({"san": "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1"})
	fs := provenance.identity with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	contains(f.actual, "evil")
}

test_predicate_type_not_accepted if {
	a := att({"statement": stmt({"predicate_type": "https://spdx.dev/Document"})})
	fs := provenance.predicate_type with input as inp([a]) with data.hub.repo as {}
	count(fs) == 1
	count(provenance.predicate_type) == 0 with input as inp([a]) with data.hub.repo as {"provenance": {"predicate_types": ["https://spdx.dev/Document"]}}
}

test_no_provenance_no_subject_findings if {
	i := {"repo": "acme/app", "subjects": [{"name": "a", "digest": {"sha256": "11"}}], "provenance": {"present": false, "problems": [], "files": [], "attestations": []}}
	count(provenance.subject_digest) == 0 with input as i with data.hub.repo as {}
}

test_expired_trust_warns if {
	fs := provenance.trusted_root_current with input as inp([att({"expired_trust": ["certificate authority x: validity ended 2026-01-01T00:00:00Z"]})]) with data.hub.repo as {}
	count(fs) == 1
	count(provenance.trusted_root_current) == 0 with input as inp([att({"expired_trust": []})]) with data.hub.repo as {}
}

# Issue 14.1: a predicate that disagrees with its certificate is denied,
# naming both values and their sources.
test_certificate_mismatch_is_denied if {
	m := {
		"field": "source repository", "certificate": "https://github.com/acme/app",
		"certificate_source": "certificate extension sourceRepositoryURI (1.3.6.1.4.1.57264.1.12)",
		"predicate": "github.com/acme/other", "predicate_path": "predicate.buildDefinition.externalParameters.workflow",
	}
	fs := provenance.certificate with input as inp([att({"certificate_mismatches": [m]})]) with data.hub.repo as {}
	count(fs) == 1
	some f in fs
	contains(f.expected, "https://github.com/acme/app")
	contains(f.expected, "sourceRepositoryURI")
	contains(f.actual, "github.com/acme/other")
	contains(f.actual, "externalParameters.workflow")
	f.path == "predicate.buildDefinition.externalParameters.workflow"
}

test_no_certificate_mismatch_passes if {
	count(provenance.certificate) == 0 with input as inp([att({"certificate_mismatches": []})]) with data.hub.repo as {}
}

# A reusable-workflow builder signs with its own identity: trusted when the
# builder is trusted and the run's source repository is this repo.
builder_signed(claims) := att({
	"san": concat("@", [gen, "refs/tags/v2.0.0"]),
	"claims": object.union(own_claims, object.union({"build_signer_uri": concat("@", [gen, "refs/tags/v2.0.0"])}, claims)),
})

test_trusted_builder_signer_passes if {
	count(provenance.identity) == 0 with input as inp([builder_signed({})]) with data.hub.repo as {}
}

test_trusted_builder_signer_for_another_repo_is_denied if {
	count(provenance.identity) == 1 with input as inp([builder_signed({"source_repository_uri": "https://github.com/evil/app"})]) with data.hub.repo as {}
}

test_untrusted_builder_signer_is_denied if {
	a := builder_signed({})
	other := "https://github.com/evil/gen/.github/workflows/gen.yml@refs/tags/v1.0.0"
	b := object.union(a, {"san": other, "statement": stmt({"builder_id": other, "builder_name": "https://github.com/evil/gen/.github/workflows/gen.yml", "builder_ref": "refs/tags/v1.0.0"})})
	count(provenance.identity) == 1 with input as inp([b]) with data.hub.repo as {}
}

# Issue 14.2: builder ids as users write them, tags only.
test_configured_builder_short_tag_matches_the_tag if {
	repo := {"provenance": {"builders": [concat("@", [gen, "v2.0.0"])]}}
	count(provenance.builder_trusted) == 0 with input as inp([att({})]) with data.hub.repo as repo
}

test_configured_builder_short_tag_never_matches_a_branch if {
	repo := {"provenance": {"builders": [concat("@", [gen, "v2.0.0"])]}}
	a := att({"statement": stmt({"builder_id": concat("@", [gen, "refs/heads/v2.0.0"]), "builder_ref": "refs/heads/v2.0.0"})})
	fs := provenance.builder_trusted with input as inp([a]) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.actual == concat("@", [gen, "refs/heads/v2.0.0"])
	contains(f.expected, concat("@", [gen, "v2.0.0"]))
}

test_configured_builder_non_semver_short_form_never_matches_a_tag if {
	repo := {"provenance": {"builders": [concat("@", [gen, "main"])]}}
	a := att({"statement": stmt({"builder_id": concat("@", [gen, "refs/tags/main"]), "builder_ref": "refs/tags/main"})})
	count(provenance.builder_trusted) == 1 with input as inp([a]) with data.hub.repo as repo
	b := att({"statement": stmt({"builder_id": concat("@", [gen, "refs/heads/main"]), "builder_ref": "refs/heads/main"})})
	count(provenance.builder_trusted) == 1 with input as inp([b]) with data.hub.repo as repo
}

# The builder judgement has no Go copy (engine/evidence/provenance only
# reports builder_id, builder_name and builder_ref): these cases, once Go's
# own table, pin it. Each is [registry builders, builder id, trusted].
builder_cases := [
	[[], concat("@", [gen, "refs/tags/v2.0.0"]), true],
	[[], "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0", true],
	[[], "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v1.9.0", true],
	[[], "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml@refs/tags/v1.9.0", true],
	[[], concat("@", [gen, "refs/heads/main"]), false],
	[[], concat("@", [gen, "refs/tags/v2.0.0-rc.1"]), false],
	[[], concat("@", [gen, "refs/tags/v02.0.0"]), false],
	[[], gen, false],
	[[], "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_nodejs_slsa3.yml@refs/tags/v2.0.0", false],
	[[], "https://github.com/evil/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0", false],
	[[], concat("", [gen, "x@refs/tags/v2.0.0"]), false],
	[[], "https://github.com/actions/runner/github-hosted", false],
	[[], "", false],
	[[gen], concat("@", [gen, "refs/heads/main"]), true],
	[[gen], "https://github.com/actions/runner/github-hosted", false],
	[[gen], "", false],
	[[concat("@", [gen, "refs/tags/v2.0.0"])], concat("@", [gen, "refs/tags/v2.0.0"]), true],
	[[concat("@", [gen, "refs/tags/v2.0.0"])], concat("@", [gen, "refs/tags/v2.0.1"]), false],
	[["https://example.com/builder"], concat("@", [gen, "refs/tags/v2.0.0"]), false],
	[[concat("@", [gen, "v2.1.0"])], concat("@", [gen, "refs/tags/v2.1.0"]), true],
	[[concat("@", [gen, "v2.1.1"])], concat("@", [gen, "refs/tags/v2.1.0"]), false],
	[[concat("@", [gen, "v2.1.0"])], concat("@", [gen, "refs/heads/v2.1.0"]), false],
	[[concat("@", [gen, "main"])], concat("@", [gen, "refs/heads/main"]), false],
	[[concat("@", [gen, "main"])], concat("@", [gen, "refs/tags/main"]), false],
	[[concat("@", [gen, "v2.1"])], concat("@", [gen, "refs/tags/v2.1"]), false],
	[[concat("@", [gen, "v2.1.0-rc.1"])], concat("@", [gen, "refs/tags/v2.1.0-rc.1"]), false],
	[[concat("@", [gen, "refs/heads/main"])], concat("@", [gen, "refs/heads/main"]), true],
	[[concat("@", [gen, "v2.1.0"])], concat("@", [gen, "v2.1.0"]), true],
	[[concat("@", [gen, "v2.1.0"])], "https://github.com/evil/x/.github/workflows/builder_go_slsa3.yml@refs/tags/v2.1.0", false],
]

split_id(id) := [concat("@", array.slice(parts, 0, count(parts) - 1)), parts[count(parts) - 1]] if {
	contains(id, "@")
	parts := split(id, "@")
} else := [id, ""]

test_builder_cases if {
	every c in builder_cases {
		[name, ref] := split_id(c[1])
		a := att({"statement": stmt({"builder_id": c[1], "builder_name": name, "builder_ref": ref})})
		n := count(provenance.builder_trusted) with input as inp([a]) with data.hub.repo as {"provenance": {"builders": c[0]}}
		(n == 0) == c[2]
	}
}

# The ref globs: "*" does not cross "/"; no patterns allow every ref.
ref_cases := [
	[[], "refs/heads/main", true],
	[["refs/tags/v*"], "refs/tags/v1.2.3", true],
	[["refs/tags/v*"], "refs/heads/main", false],
	[["refs/tags/v*"], "refs/tags/v1/evil", false],
	[["refs/tags/v*"], "", false],
	[["refs/heads/main", "refs/tags/*"], "refs/heads/main", true],
	[["refs/heads/main", "refs/tags/*"], "refs/heads/dev", false],
]

test_ref_cases if {
	every c in ref_cases {
		a := att({"statement": stmt({"source": {"uri": "github.com/acme/app", "raw_uri": "x", "ref": c[1], "commit": "", "path": "p"}})})
		n := count(provenance.ref) with input as inp([a]) with data.hub.repo as {"provenance": {"refs": c[0]}}
		(n == 0) == c[2]
	}
}

# provenance.keys_only: the builder's own certificate is not trusted either.
test_keys_only_refuses_the_builder_certificate if {
	count(provenance.identity) == 0 with input as inp([builder_signed({})]) with data.hub.repo as {}
	count(provenance.identity) == 1 with input as inp([builder_signed({})]) with data.hub.repo as {"provenance": {"keys_only": true}}
}
