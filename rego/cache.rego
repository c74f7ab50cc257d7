# Cache: the build cache holds exactly the files its signed manifest lists,
# with their digests, and the manifest was signed by an identity the
# registry trusts (hub.lib.signer_ok, shared with every signed kind).
package hub.cache

import data.hub.lib

# METADATA
# title: Cache evidence is present
# description: The registry requires the build cache to be checked, and no cache evidence was given.
# custom:
#   severity: high
#   remediation: Pass the cache-manifest.json with --cache-manifest, its sigstore bundle with --cache-signature and the restored cache with --cache-dir.
present contains f if {
	f := lib.missing("cache")
}

# METADATA
# title: The cache evidence is readable
# description: The cache manifest, its directory or the trusted root could not be read, or a manifest entry is malformed, or the manifest was signed after the evaluation time (--now).
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the file and field named in the finding.
evidence contains f if {
	some f in lib.problems("cache")
}

# METADATA
# title: The cache manifest is signed by a trusted identity
# description: The cache manifest's sigstore signature must verify over its bytes against the shared trust material (--trusted-root, provenance.trusted_root, provenance.keys), by one of the registry's keys or with a certificate that matches the registry's provenance.identities, as for every signed kind; with none, this repository's release workflow at a release ref, run in this repository. A missing signature fails.
# custom:
#   severity: critical
#   remediation: Sign cache-manifest.json keylessly from a trusted workflow of this repository (cosign sign-blob --bundle), or add that workflow to provenance.identities, and pass the bundle with --cache-signature.
signature contains f if {
	input.cache.present
	input.cache.manifest != ""
	not input.cache.signature.verified
	f := {
		"message": sprintf("the cache manifest's signature is not verified: %s", [trim_prefix(input.cache.signature.error, "not verified: ")]),
		"evidence": sig_evidence,
		"target": input.cache.manifest,
		"expected": "a sigstore bundle that verifies over the manifest",
		"actual": sig_actual,
	}
}

signature contains f if {
	input.cache.signature.verified
	not input.cache.signature.keyed
	not lib.signer_ok(input.cache.signature)
	f := {
		"message": sprintf("the cache manifest was signed by %s (issuer %s), which is not a trusted identity for %s", [input.cache.signature.san, input.cache.signature.issuer, input.repo]),
		"evidence": input.cache.signature_file,
		"path": "verificationMaterial",
		"target": input.cache.manifest,
		"expected": lib.describe_identities,
		"actual": lib.describe_signer(input.cache.signature),
	}
}

sig_evidence := input.cache.signature_file if input.cache.signature_file != ""

else := input.cache.manifest

sig_actual := "no signature" if not input.cache.signature.given

else := "not verified"

# METADATA
# title: Every listed cache file is present
# description: A file the manifest lists is missing from the cache directory.
# custom:
#   severity: high
#   remediation: Restore the cache from its signed source, or regenerate and re-sign the manifest.
missing contains f if {
	input.cache.checked
	some m in input.cache.missing
	f := {
		"message": sprintf("%s is listed in the cache manifest and missing from %s", [m.path, input.cache.dir]),
		"evidence": input.cache.manifest,
		"path": sprintf("entries[%d]", [m.index]),
		"target": m.path,
		"expected": "present",
		"actual": "missing",
	}
}

# METADATA
# title: Every cache file matches its digest
# description: A file in the cache differs from the digest or size the manifest records, or is not a regular file.
# custom:
#   severity: critical
#   remediation: Treat the cache as poisoned; discard it and rebuild it from trusted sources.
mismatch contains f if {
	input.cache.checked
	some m in input.cache.mismatched
	f := {
		"message": sprintf("%s in %s: %s", [m.path, input.cache.dir, m.reason]),
		"evidence": input.cache.manifest,
		"path": sprintf("entries[%d]", [m.index]),
		"target": m.path,
		"expected": sprintf("%s:%s", [input.cache.algorithm, m.expected]),
		"actual": sprintf("%s:%s", [input.cache.algorithm, m.actual]),
	}
}

# METADATA
# title: The cache holds no unlisted files
# description: A file is in the cache directory but not in its signed manifest; injected files are how a cache gets poisoned.
# custom:
#   severity: critical
#   remediation: Treat the cache as poisoned; discard it, find what wrote the file, and rebuild the cache from trusted sources.
unlisted contains f if {
	input.cache.checked
	some u in input.cache.unlisted
	f := {
		"message": sprintf("%s (%s, %d bytes) is in %s but not in the signed cache manifest", [u.path, u.kind, u.size, input.cache.dir]),
		"evidence": input.cache.dir,
		"path": u.path,
		"target": u.path,
		"expected": "listed in the manifest",
		"actual": "unlisted",
	}
}
