# Evidence bundle: the release's evidence directory is exactly what its
# signed evidence-manifest.json lists, and the manifest was signed by a
# trusted identity.
package hub.evidence_bundle

import data.hub.lib
import data.hub.signature as sigs

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
# description: The evidence manifest, its bundle, the directory, the trusted root or a registry key could not be read or parsed.
# custom:
#   severity: high
#   outcome: error
#   remediation: Pass the manifest the hub wrote ({"version","timestamp","files":[{"path","sha256","size"}]}) and an existing directory.
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
	not sigs.identity_ok(eb.signature.issuer, eb.signature.san)
	f := {
		"message": sprintf("%s was signed by %s (issuer %s), which is not a trusted identity for %s", [eb.manifest, eb.signature.san, eb.signature.issuer, input.repo]),
		"evidence": eb.signature.file,
		"target": eb.manifest,
		"expected": sigs.describe_identities,
		"actual": sprintf("issuer %s and SAN %s", [eb.signature.issuer, eb.signature.san]),
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
