# Provenance: signed SLSA provenance verifies offline, names the release's
# subjects, and says the release was built by a trusted builder from the
# expected source and ref. Only verified attestations are judged: an
# unverified one is a provenance.signed finding and nothing else is read
# from it.
package hub.provenance

import data.hub.lib

# default_builders: with no builders in the registry, the
# slsa-github-generator reusable workflows slsa-verifier trusts, only at a
# release tag (refs/tags/vX.Y.Z).
default_builders := [
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml",
]

release_tag := `^refs/tags/v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`

builders := object.get(data.hub.repo, ["provenance", "builders"], [])

refs := object.get(data.hub.repo, ["provenance", "refs"], [])

predicate_types := object.get(data.hub.repo, ["provenance", "predicate_types"], [
	"https://slsa.dev/provenance/v1",
	"https://slsa.dev/provenance/v0.2",
])

# expected_source is the registry's provenance.source, else github.com/<repo>,
# normalised like the facts (no scheme, no .git, lowercase).
expected_source := norm_source(object.get(data.hub.repo, ["provenance", "source"], sprintf("github.com/%s", [input.repo])))

norm_source(s) := trim_suffix(trim_suffix(lower(trim_prefix(trim_prefix(trim_prefix(s, "git+"), "https://"), "http://")), "/"), ".git")

verified := [a | some a in input.provenance.attestations; a.verified; a.statement != null]

builder_ok(st) if {
	count(builders) == 0
	st.builder_name in default_builders
	regex.match(release_tag, st.builder_ref)
}

builder_ok(st) if {
	some b in builders
	builder_matches(b, st)
}

# short_tag is the version of a short-tag builder id (…@v2.1.0): vX.Y.Z,
# slsa-verifier's IsValidBuilderTag.
short_tag := `^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`

# builder_matches(b, st): the registry's builder entry b matches st's
# builder id as slsa-verifier's MatchesLoose/MatchesFull do: a bare name
# matches any ref, a full ref exactly, a short tag (@vX.Y.Z) the id at
# refs/tags/vX.Y.Z. A short form never stands for a branch.
builder_matches(b, st) if {
	not contains(b, "@")
	st.builder_id != ""
	b == st.builder_name
}

builder_matches(b, st) if {
	contains(b, "@")
	st.builder_id != ""
	b == st.builder_id
}

builder_matches(b, st) if {
	contains(b, "@")
	st.builder_id != ""
	parts := split(b, "@")
	ref := parts[count(parts) - 1]
	concat("@", array.slice(parts, 0, count(parts) - 1)) == st.builder_name
	regex.match(short_tag, ref)
	st.builder_ref == concat("", ["refs/tags/", ref])
}

describe_builders := sprintf("one of %s at a release tag (refs/tags/vX.Y.Z)", [concat(", ", default_builders)]) if {
	count(builders) == 0
} else := sprintf("one of %s", [concat(", ", builders)])

builder_path(st) := "predicate.builder.id" if {
	st.predicate_type == "https://slsa.dev/provenance/v0.2"
} else := "predicate.runDetails.builder.id"

where(a) := a.path if {
	a.path != ""
} else := "attestation"

# statement_digests(st) is the set of "alg:hex" digests of st's subjects.
statement_digests(st) := {d |
	some s in st.subjects
	some alg, hex in s.digest
	d := sprintf("%s:%s", [lower(alg), lower(hex)])
}

names_subject(st, subj) if {
	some alg, hex in subject_digests(subj)
	sprintf("%s:%s", [lower(alg), lower(hex)]) in statement_digests(st)
}

# subject_digests(subj) are the subject's digests: sha256, and those the
# collector hashed the subject file with because a verified statement names
# subjects by them (sha512 for npm provenance).
subject_digests(subj) := object.union(subj.digest, object.get(input.provenance, ["subject_digests", subj.name], {}))

# METADATA
# title: Provenance is present
# description: The registry requires signed build provenance for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Generate SLSA provenance with slsa-github-generator or actions/attest-build-provenance and pass it with --provenance.
present contains f if {
	f := lib.missing("provenance")
}

# METADATA
# title: The provenance is readable
# description: A provenance file, the trusted root or a registry key could not be read or parsed, or a verified payload is not an in-toto statement, or a signing time or the predicate's build time is after the evaluation time (--now).
# custom:
#   severity: high
#   outcome: error
#   remediation: Pass the .intoto.jsonl or .sigstore.json the builder produced, unmodified, and a valid trusted_root.json.
evidence contains f if {
	some f in lib.problems("provenance")
}

# METADATA
# title: The provenance is signed and verifies
# description: Every attestation verifies offline against the trusted root (certificate chain, transparency-log proof, signing time) or a registry key. Unsigned DSSE envelopes never pass.
# custom:
#   severity: critical
#   remediation: Publish the provenance with its signature and transparency-log entry (a sigstore bundle), or sign it with a key listed in provenance.keys.
signed contains f if {
	some a in input.provenance.attestations
	not a.verified
	f := {
		"message": sprintf("%s %s is not verified: %s", [a.file, where(a), trim_prefix(a.reason, "not verified: ")]),
		"evidence": a.file,
		"path": a.path,
		"line": a.line,
		"target": a.file,
		"expected": "an attestation signed by a trusted certificate with a transparency-log entry, or by a registry key",
		"actual": a.reason,
	}
}

# METADATA
# title: The provenance signer is trusted
# description: The verified certificate matches one of the registry's provenance.identities (issuer, SAN and the Fulcio extensions each names, anchored), with none the repo's release workflow at a release ref run in this repo; or, as slsa-verifier accepts, the certificate was issued to the attestation's trusted reusable-workflow builder (SAN equal to the builder id) for a run in this repo (source repository extension).
# custom:
#   severity: critical
#   remediation: Generate provenance from a trusted workflow, or add its identity to provenance.identities in the registry.
identity contains f if {
	some a in verified
	not a.keyed
	not signer_trusted(a)
	f := {
		"message": sprintf("%s %s was signed by %s (issuer %s), which is not a trusted identity for %s", [a.file, where(a), a.san, a.issuer, input.repo]),
		"evidence": a.file,
		"path": a.path,
		"line": a.line,
		"target": a.file,
		"expected": lib.describe_identities,
		"actual": lib.describe_signer(a),
	}
}

# signer_trusted(a): a's signer matches an identity, or the certificate was
# issued to a's trusted builder (a reusable workflow such as
# slsa-github-generator signs with its own identity) for a run whose source
# repository is this repo's.
signer_trusted(a) if lib.signer_ok(a)

signer_trusted(a) if {
	not lib.keys_only
	a.issuer == "https://token.actions.githubusercontent.com"
	a.san == a.statement.builder_id
	builder_ok(a.statement)
	norm_source(object.get(a, ["claims", "source_repository_uri"], "")) == expected_source
}

# METADATA
# title: The provenance agrees with its certificate
# description: Where the Fulcio certificate carries them, the predicate's source repository, ref, commit, builder id (for a reusable-workflow builder, against the build-signer URI) and trigger equal the certificate's extensions, as slsa-verifier checks for GitHub Actions builders. A key-signed attestation has no certificate, and nothing is compared.
# custom:
#   severity: critical
#   remediation: Publish the provenance exactly as the builder signed it; a predicate that names another repository, ref, commit, builder or trigger than the signing workflow's certificate was not produced by that run.
certificate contains f if {
	some a in verified
	some m in object.get(a, "certificate_mismatches", [])
	f := {
		"message": sprintf("%s %s: the predicate's %s is %s (%s) but the certificate's is %s (%s)", [a.file, where(a), m.field, source_text(m.predicate), m.predicate_path, m.certificate, m.certificate_source]),
		"evidence": a.file,
		"path": m.predicate_path,
		"line": a.line,
		"target": a.file,
		"expected": sprintf("%s %s, from the %s", [m.field, m.certificate, m.certificate_source]),
		"actual": sprintf("%s %s, from %s", [m.field, source_text(m.predicate), m.predicate_path]),
	}
}

# METADATA
# title: The provenance names each subject
# description: For each release subject, a verified attestation lists the subject's digest among its subjects.
# custom:
#   severity: critical
#   remediation: Generate the provenance over the released artifacts themselves (their sha256, or sha512 for an npm tarball), and pass the provenance of every subject.
subject_digest contains f if {
	input.provenance.present
	some subj in input.subjects
	not some_names(subj)
	listed := {d | some a in verified; some d in statement_digests(a.statement)}
	f := {
		"message": sprintf("no verified provenance names subject %s", [subj.name]),
		"evidence": concat(", ", input.provenance.files),
		"path": "subject",
		"target": subj.name,
		"expected": concat(", ", sort([sprintf("%s:%s", [alg, hex]) | some alg, hex in subject_digests(subj)])),
		"actual": actual_digests(listed),
	}
}

some_names(subj) if {
	some a in verified
	names_subject(a.statement, subj)
}

actual_digests(listed) := "no verified attestation" if {
	count(listed) == 0
} else := concat(", ", sort(listed))

# METADATA
# title: The builder is trusted
# description: The SLSA builder id matches one of the registry's provenance.builders as slsa-verifier's --builder-id does (a bare name matches any ref, name@refs/tags/vX.Y.Z exactly, the short tag name@vX.Y.Z the id at refs/tags/vX.Y.Z; never a branch), or with none, an slsa-github-generator builder at a release tag.
# custom:
#   severity: critical
#   remediation: Build with a trusted builder referenced at a release tag, or add the builder id to provenance.builders in the registry.
builder_trusted contains f if {
	some a in verified
	not builder_ok(a.statement)
	f := {
		"message": sprintf("builder %s is not trusted for %s", [a.statement.builder_id, input.repo]),
		"evidence": a.file,
		"path": builder_path(a.statement),
		"line": a.line,
		"target": a.statement.builder_id,
		"expected": describe_builders,
		"actual": a.statement.builder_id,
	}
}

# METADATA
# title: The source is the repository's own
# description: The source repository the provenance names is the registry's provenance.source, by default github.com/<repo>.
# custom:
#   severity: critical
#   remediation: Build the release from this repository, or set provenance.source in the registry.
source contains f if {
	some a in verified
	got := norm_source(a.statement.source.uri)
	got != expected_source
	f := {
		"message": sprintf("%s %s was built from %s, not %s", [a.file, where(a), source_text(a.statement.source.uri), expected_source]),
		"evidence": a.file,
		"path": a.statement.source.path,
		"line": a.line,
		"target": a.file,
		"expected": expected_source,
		"actual": source_text(a.statement.source.uri),
	}
}

source_text(u) := u if {
	u != ""
} else := "none"

# METADATA
# title: The source ref is allowed
# description: The source ref the provenance names matches one of the registry's provenance.refs glob patterns (such as refs/tags/v*), when any are set.
# custom:
#   severity: high
#   remediation: Release from an allowed ref (a release tag), or add the ref pattern to provenance.refs.
ref contains f if {
	count(refs) > 0
	some a in verified
	r := a.statement.source.ref
	not ref_ok(r)
	f := {
		"message": sprintf("%s %s was built from ref %s, which provenance.refs does not allow", [a.file, where(a), source_text(r)]),
		"evidence": a.file,
		"path": a.statement.source.path,
		"line": a.line,
		"target": a.file,
		"expected": sprintf("a ref matching one of %s", [concat(", ", refs)]),
		"actual": source_text(r),
	}
}

ref_ok(r) if {
	r != ""
	some p in refs
	glob.match(p, ["/"], r)
}

# METADATA
# title: The predicate type is accepted
# description: Each verified attestation's predicate type is one of the registry's provenance.predicate_types (by default SLSA provenance v1 and v0.2).
# custom:
#   severity: medium
#   remediation: Publish SLSA provenance, or add the predicate type to provenance.predicate_types.
predicate_type contains f if {
	some a in verified
	not a.statement.predicate_type in predicate_types
	f := {
		"message": sprintf("%s %s has predicate type %s, which is not accepted", [a.file, where(a), a.statement.predicate_type]),
		"evidence": a.file,
		"path": "predicateType",
		"line": a.line,
		"target": a.file,
		"expected": sprintf("one of %s", [concat(", ", predicate_types)]),
		"actual": a.statement.predicate_type,
	}
}

# METADATA
# title: The trusted root still vouches for the provenance signer
# description: A certificate authority or transparency log of the trusted root that vouches for an attestation has a validity window that has ended; the attestation was valid when signed, but the root may be stale or rotated.
# custom:
#   severity: low
#   outcome: warn
#   remediation: Refresh the trusted root (sigstore's TUF trusted_root.json, --trusted-root or provenance.trusted_root).
trusted_root_current contains f if {
	some a in verified
	some w in a.expired_trust
	f := {
		"message": sprintf("%s %s: %s", [a.file, where(a), w]),
		"evidence": a.file,
		"path": a.path,
		"line": a.line,
		"target": a.file,
		"expected": sprintf("validity windows of the %s trusted root that have not ended", [input.provenance.trusted_root]),
		"actual": w,
	}
}
