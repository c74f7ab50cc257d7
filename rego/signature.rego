# Signature: the release's sigstore bundle verifies offline against the
# trusted root (or a registry key), covers a release subject, and was made
# by an identity the registry trusts.
#
# Signer identities are judged by the one helper every signed kind shares,
# hub.lib.signer_ok (rego/lib.rego). The names below are aliases of it,
# kept for rules and tests that call data.hub.lib.signer_ok.
package hub.signature

import data.hub.lib

identities := lib.identities

signer_ok(s) if lib.signer_ok(s)

identity_ok(issuer, san) if lib.identity_ok(issuer, san)

describe_identities := lib.describe_identities

describe_signer(s) := lib.describe_signer(s)

# METADATA
# title: A signature is present
# description: The registry requires a signature over the release, and none was given.
# custom:
#   severity: high
#   remediation: Sign the artifact with cosign sign-blob --bundle (or actions/attest) and pass the bundle with --signature.
present contains f if {
	f := lib.missing("signature")
}

# METADATA
# title: The signature bundle is readable
# description: The signature file, the trusted root or a registry key could not be read or parsed, or the bundle was signed after the evaluation time (--now).
# custom:
#   severity: high
#   outcome: error
#   remediation: Pass a sigstore bundle (.sigstore.json) written by cosign or sigstore-js, and a valid trusted_root.json.
evidence contains f if {
	some f in lib.problems("signature")
}

# METADATA
# title: The signature verifies
# description: The sigstore bundle verifies offline (certificate chain, transparency-log proof, signing time, or a trusted key) over a release subject.
# custom:
#   severity: critical
#   remediation: Sign the released bytes themselves, keep the bundle's transparency-log entry, and verify against the trusted root the signer used (--trusted-root).
verified contains f if {
	some s in input.signature.signatures
	not s.verified
	f := {
		"message": sprintf("%s does not verify: %s", [s.file, trim_prefix(s.reason, "not verified: ")]),
		"evidence": s.file,
		"target": s.file,
		"expected": sprintf("a sigstore bundle over a release subject that verifies against the %s trusted root or a registry key", [input.signature.trusted_root]),
		"actual": s.reason,
	}
}

# METADATA
# title: The signer is trusted
# description: The verified certificate's OIDC issuer, SAN and the Fulcio extensions the identity names match one of the registry's provenance.identities (full-string regular expressions); with none, the repo's release workflow (provenance.release_workflow) at a release ref (provenance.release_ref), run in this repo.
# custom:
#   severity: critical
#   remediation: Sign from the release workflow of this repository, or add the signer to provenance.identities in the registry.
identity contains f if {
	some s in input.signature.signatures
	s.verified
	not s.keyed
	not lib.signer_ok(s)
	f := {
		"message": sprintf("%s was signed by %s (issuer %s), which is not a trusted identity for %s", [s.file, s.san, s.issuer, input.repo]),
		"evidence": s.file,
		"path": "verificationMaterial.certificate",
		"target": s.file,
		"expected": lib.describe_identities,
		"actual": lib.describe_signer(s),
	}
}

# METADATA
# title: The trusted root still vouches for the signer
# description: A certificate authority or transparency log of the trusted root that vouches for the signature has a validity window that has ended; the signature was valid when made, but the root may be stale or rotated.
# custom:
#   severity: low
#   outcome: warn
#   remediation: Refresh the trusted root (sigstore's TUF trusted_root.json, --trusted-root or provenance.trusted_root) and sign new releases with current infrastructure.
trusted_root_current contains f if {
	some s in input.signature.signatures
	some w in s.expired_trust
	f := {
		"message": sprintf("%s: %s", [s.file, w]),
		"evidence": s.file,
		"target": s.file,
		"expected": sprintf("validity windows of the %s trusted root that have not ended", [input.signature.trusted_root]),
		"actual": w,
	}
}
