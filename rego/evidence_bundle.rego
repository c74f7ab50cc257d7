# Evidence bundle: the release's evidence directory is exactly what its
# signed evidence-manifest.json lists, the manifest was signed by a trusted
# identity, and it is bound to this release: it names this release's
# subjects, its timestamp is recent and not in the future, and (when the
# registry requires evidence_bundle) every evidence file eval read is one of
# its files.
package hub.evidence_bundle

import data.hub.lib

eb := input.evidence_bundle

# METADATA
# title: An evidence bundle is present
# description: The registry requires a signed evidence bundle for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Pass evidence-manifest.json with --evidence-manifest (its bundle beside it as evidence-manifest.json.sigstore.json) and the directory with --evidence-dir.
present contains f if {
	f := lib.missing("evidence_bundle")
}

# METADATA
# title: The evidence manifest is readable
# description: The evidence manifest, its bundle, the directory, the trusted root or a registry key could not be read or parsed, or the manifest was signed after the evaluation time (--now).
# custom:
#   severity: high
#   outcome: error
#   remediation: Pass the manifest the hub wrote ({"version","timestamp","subjects":[{"name","digest":{"sha256"}}],"files":[{"path","sha256","size"}]}, files not empty) and an existing directory.
evidence contains f if {
	some f in lib.problems("evidence_bundle")
}

# METADATA
# title: The evidence manifest is signed by a trusted identity
# description: A sigstore bundle over evidence-manifest.json (evidence-manifest.json.sigstore.json, else evidence-manifest.json.bundle, beside it) verifies offline, and its signer matches provenance.identities (anchored), or it was signed with a registry key.
# custom:
#   severity: critical
#   remediation: Sign the manifest in the release workflow (cosign sign-blob --bundle evidence-manifest.json.sigstore.json evidence-manifest.json) and keep the bundle beside it.
signature contains f if {
	eb.present
	eb.manifest != ""
	not eb.signature.verified
	f := {
		"message": sprintf("%s is not signed: %s", [eb.manifest, eb.signature.reason]),
		"evidence": eb.manifest,
		"target": eb.manifest,
		"expected": sprintf("a sigstore bundle over the manifest that verifies against the %s trusted root or a registry key", [eb.trusted_root]),
		"actual": eb.signature.reason,
	}
}

signature contains f if {
	eb.signature.verified
	not eb.signature.keyed
	not lib.signer_ok(eb.signature)
	f := {
		"message": sprintf("%s was signed by %s (issuer %s), which is not a trusted identity for %s", [eb.manifest, eb.signature.san, eb.signature.issuer, input.repo]),
		"evidence": eb.signature.file,
		"target": eb.manifest,
		"expected": lib.describe_identities,
		"actual": lib.describe_signer(eb.signature),
	}
}

content_status := {"missing", "digest_mismatch", "size_mismatch", "duplicate", "unreadable"}

path_status := {"unsafe_path", "symlink", "not_regular"}

# METADATA
# title: Every listed file is present and unchanged
# description: Each file the manifest lists is in the evidence directory with the listed sha256 and size.
# custom:
#   severity: high
#   remediation: Regenerate the evidence directory and the manifest together in one job, and sign the manifest after the last file is written.
files contains f if {
	some fc in eb.files
	fc.status in content_status
	f := {
		"message": sprintf("%s: %s is %s", [eb.manifest, fc.path, replace(fc.status, "_", " ")]),
		"evidence": eb.manifest,
		"path": sprintf("files[%d]", [fc.index]),
		"target": fc.path,
		"expected": sprintf("sha256 %s, %d bytes", [fc.expected_sha256, fc.expected_size]),
		"actual": actual(fc),
	}
}

actual(fc) := "no such file" if {
	fc.status == "missing"
} else := "listed twice" if {
	fc.status == "duplicate"
} else := fc.detail if {
	fc.status == "unreadable"
} else := sprintf("sha256 %s, %d bytes", [fc.actual_sha256, fc.actual_size])

# METADATA
# title: No unlisted file is present
# description: The evidence directory holds no file, link or special file that the manifest does not list.
# custom:
#   severity: high
#   remediation: Remove the file from the evidence directory, or add it to the manifest before signing.
unlisted contains f if {
	some p in eb.unlisted
	f := {
		"message": sprintf("%s is in %s but not listed in %s", [p, eb.dir, eb.manifest]),
		"evidence": eb.manifest,
		"path": "files",
		"target": p,
		"expected": "only the files the manifest lists",
		"actual": p,
	}
}

# METADATA
# title: Listed paths stay inside the directory
# description: No listed path is absolute, climbs out with "..", goes through a symbolic link, or names something other than a regular file.
# custom:
#   severity: critical
#   remediation: List plain relative paths of regular files; never put symbolic links in the evidence directory.
paths contains f if {
	some fc in eb.files
	fc.status in path_status
	f := {
		"message": sprintf("%s: %s is refused: %s", [eb.manifest, fc.path, fc.detail]),
		"evidence": eb.manifest,
		"path": sprintf("files[%d].path", [fc.index]),
		"target": fc.path,
		"expected": "a relative path to a regular file inside the evidence directory, without symbolic links",
		"actual": replace(fc.status, "_", " "),
	}
}

# METADATA
# title: The trusted root still vouches for the manifest signer
# description: A certificate authority or transparency log of the trusted root that vouches for the manifest's signature has a validity window that has ended.
# custom:
#   severity: low
#   outcome: warn
#   remediation: Refresh the trusted root (sigstore's TUF trusted_root.json, --trusted-root or provenance.trusted_root).
trusted_root_current contains f if {
	eb.signature.verified
	some w in eb.signature.expired_trust
	f := {
		"message": sprintf("%s: %s", [eb.manifest, w]),
		"evidence": eb.signature.file,
		"target": eb.manifest,
		"expected": sprintf("validity windows of the %s trusted root that have not ended", [eb.trusted_root]),
		"actual": w,
	}
}

# same_digest(a, b): the digest maps share an algorithm, and agree on every
# algorithm they share.
same_digest(a, b) if {
	common := {alg | some alg, _ in a; b[alg]}
	count(common) > 0
	every alg in common {
		a[alg] == b[alg]
	}
}

digest_text(d) := concat(", ", [sprintf("%s:%s", [alg, v]) | some alg, v in d])

manifest_subjects := "none" if {
	count(eb.subjects) == 0
} else := concat("; ", [digest_text(s.digest) | some s in eb.subjects])

# METADATA
# title: The manifest names this release's subjects
# description: The signed manifest's subjects are exactly this release's subjects, by digest, so a manifest signed for another release cannot be replayed onto this one.
# custom:
#   severity: critical
#   remediation: Write the release's artifacts into the manifest's subjects ({"name","digest":{"sha256"}}) before signing it, in the same job that builds them.
subjects contains f if {
	eb.parsed
	some s in input.subjects
	not named(s)
	f := {
		"message": sprintf("%s does not name subject %s (%s)", [eb.manifest, s.name, digest_text(s.digest)]),
		"evidence": eb.manifest,
		"path": "subjects",
		"target": s.name,
		"expected": digest_text(s.digest),
		"actual": manifest_subjects,
	}
}

subjects contains f if {
	eb.parsed
	some i, ms in eb.subjects
	not release_subject(ms)
	f := {
		"message": sprintf("%s names subject %s (%s), which is not a subject of this release", [eb.manifest, ms.name, digest_text(ms.digest)]),
		"evidence": eb.manifest,
		"path": sprintf("subjects[%d].digest", [i]),
		"target": ms.name,
		"expected": concat("; ", [digest_text(s.digest) | some s in input.subjects]),
		"actual": digest_text(ms.digest),
	}
}

named(s) if {
	some ms in eb.subjects
	same_digest(ms.digest, s.digest)
}

release_subject(ms) if {
	some s in input.subjects
	same_digest(ms.digest, s.digest)
}

# METADATA
# title: The manifest's timestamp is a valid past time
# description: The manifest's timestamp is an RFC 3339 date-time and not after the evaluation time.
# custom:
#   severity: high
#   remediation: Write the signing time as RFC 3339 UTC (date -u +%Y-%m-%dT%H:%M:%SZ) when the manifest is made; check the evaluation time (--now).
timestamp contains f if {
	eb.parsed
	not eb.timestamp_valid
	f := {
		"message": sprintf("%s: timestamp %q is not an RFC 3339 time", [eb.manifest, eb.timestamp]),
		"evidence": eb.manifest,
		"path": "timestamp",
		"target": eb.manifest,
		"expected": "an RFC 3339 date-time, such as 2026-11-27T00:00:00Z",
		"actual": eb.timestamp,
	}
}

timestamp contains f if {
	eb.timestamp_valid
	eb.timestamp_ns > input.now_ns
	f := {
		"message": sprintf("%s: timestamp %s is after the evaluation time %s", [eb.manifest, eb.timestamp, input.now]),
		"evidence": eb.manifest,
		"path": "timestamp",
		"target": eb.manifest,
		"expected": sprintf("a time not after %s", [input.now]),
		"actual": eb.timestamp,
	}
}

# METADATA
# title: The manifest is recent
# description: The manifest's timestamp lies within the registry's evidence_bundle.max_age of the evaluation time.
# custom:
#   severity: high
#   remediation: Make and sign the evidence manifest in the release job itself; an old manifest belongs to an old release.
max_age contains f if {
	eb.timestamp_valid
	eb.timestamp_ns <= input.now_ns
	input.now_ns - eb.timestamp_ns > eb.max_age_ns
	f := {
		"message": sprintf("%s: timestamp %s is older than evidence_bundle.max_age %s at %s", [eb.manifest, eb.timestamp, eb.max_age, input.now]),
		"evidence": eb.manifest,
		"path": "timestamp",
		"target": eb.manifest,
		"expected": sprintf("a time within %s before %s", [eb.max_age, input.now]),
		"actual": eb.timestamp,
	}
}

# METADATA
# title: Every evidence file read is listed in the manifest
# description: When the registry requires evidence_bundle, each evidence file eval read, of any kind, is inside the evidence directory, listed in the manifest, and the bytes read have the listed sha256.
# custom:
#   severity: critical
#   remediation: Put every evidence file in the evidence directory before the manifest is made, pass them from there, and sign the manifest after the last file is written.
inputs contains f if {
	"evidence_bundle" in data.hub.repo.require
	some b in eb.inputs
	b.status != "ok"
	f := input_finding(b)
}

input_finding(b) := {
	"message": sprintf("%s (%s evidence) is not in the evidence directory %s, so %s cannot list it", [b.file, b.kind, eb.dir, eb.manifest]),
	"evidence": eb.manifest,
	"path": "files",
	"target": b.file,
	"expected": sprintf("a file inside %s listed in files", [eb.dir]),
	"actual": sprintf("%s, outside %s", [b.file, eb.dir]),
} if {
	b.status == "outside_dir"
} else := {
	"message": sprintf("%s (%s evidence) is not listed in %s", [b.file, b.kind, eb.manifest]),
	"evidence": eb.manifest,
	"path": "files",
	"target": b.file,
	"expected": sprintf("a files entry for %s with sha256 %s", [b.path, b.actual_sha256]),
	"actual": "not listed",
} if {
	b.status == "unlisted"
} else := {
	"message": sprintf("%s (%s evidence) has sha256 %s, but %s lists %s", [b.file, b.kind, b.actual_sha256, eb.manifest, b.expected_sha256]),
	"evidence": eb.manifest,
	"path": sprintf("files[%d].sha256", [b.index]),
	"target": b.file,
	"expected": b.expected_sha256,
	"actual": b.actual_sha256,
} if {
	b.status == "digest_mismatch"
} else := {
	"message": sprintf("%s (%s evidence): %s", [b.file, b.kind, b.status]),
	"evidence": eb.manifest,
	"path": "files",
	"target": b.file,
	"expected": "a listed file with its listed sha256",
	"actual": b.status,
}
