# Signature: the release's sigstore bundle verifies offline against the
# trusted root (or a registry key), covers a release subject, and was made
# by an identity the registry trusts.
#
# The identity helpers here (identities, signer_ok, describe_identities)
# are shared by hub.provenance and hub.evidence_bundle: every identity
# pattern is anchored as ^(?:pattern)$, whatever the registry wrote.
package hub.signature

import data.hub.lib

# anchored(p) makes p match whole strings only.
anchored(p) := concat("", ["^(?:", p, ")$"])

# quote(s) escapes the regexp metacharacters of s.
quote(s) := strings.replace_n({
	"\\": "\\\\", ".": "\\.", "+": "\\+", "*": "\\*", "?": "\\?", "(": "\\(", ")": "\\)",
	"[": "\\[", "]": "\\]", "{": "\\{", "}": "\\}", "|": "\\|", "^": "\\^", "$": "\\$",
}, s)

# release_workflow and release_ref name the default signer: the repo's
# release workflow file (registry provenance.release_workflow, default
# release.yml) at a ref matching release_ref (provenance.release_ref,
# default refs/tags/.+).
release_workflow := object.get(data.hub.repo, ["provenance", "release_workflow"], "release.yml")

release_ref := object.get(data.hub.repo, ["provenance", "release_ref"], "refs/tags/.+")

# default_identities: with no identities in the registry, the repo's release
# workflow at a release ref, run in the repo itself: the SAN names the
# workflow file at a matching ref, and the certificate's source repository
# extension is this repo and its source ref matches. A reusable workflow of
# this repo called from another repo (same SAN, other source repository), a
# branch ref or another workflow file does not match. engine/trust's
# DefaultIdentity builds the same identity.
default_identities := [{
	"issuer": "https://token\\.actions\\.githubusercontent\\.com",
	"subject": concat("", ["https://github\\.com/", quote(input.repo), "/\\.github/workflows/", quote(release_workflow), "@(?:", release_ref, ")"]),
	"source_repository_uri": concat("", ["https://github\\.com/", quote(input.repo)]),
	"source_repository_ref": release_ref,
}]

configured := object.get(data.hub.repo, ["provenance", "identities"], [])

identities := configured if {
	count(configured) > 0
} else := default_identities

# claim_keys are the Fulcio extensions an identity may constrain, by their
# names in the registry and in the facts' "claims".
claim_keys := ["source_repository_uri", "source_repository_ref", "build_signer_uri", "build_trigger"]

# pattern_ok(p, v) holds when the anchored pattern p is valid and matches the
# whole of v, which is not empty.
pattern_ok(p, v) if {
	v != ""
	regex.is_valid(anchored(p))
	regex.match(anchored(p), v)
}

# claim_ok(p, v): the identity's extension pattern p is unset, or the
# certificate carries the extension (v) and p matches it.
claim_ok(p, v) if {
	p == ""
	is_string(v)
}

claim_ok(p, v) if {
	p != ""
	pattern_ok(p, v)
}

# signer_ok(s) holds when one identity matches the verified signer s, an
# object with "issuer", "san" and "claims" (the certificate's Fulcio
# extensions, as engine/trust.Claims): its anchored issuer and subject
# patterns match, and so does each extension pattern it sets. An invalid
# pattern never matches.
signer_ok(s) if {
	some id in identities
	pattern_ok(id.issuer, object.get(s, "issuer", ""))
	pattern_ok(id.subject, object.get(s, "san", ""))
	claims := object.get(s, "claims", {})
	every k in claim_keys {
		claim_ok(object.get(id, k, ""), object.get(claims, k, ""))
	}
}

# identity_ok(issuer, san) is signer_ok for a signer of whom only the issuer
# and SAN are known: an identity that constrains an extension (the defaults
# do) never matches it. Prefer signer_ok.
identity_ok(issuer, san) if signer_ok({"issuer": issuer, "san": san, "claims": {}})

describe_identities := concat(" or ", [describe_identity(id) | some id in identities])

describe_identity(id) := concat(" and ", array.concat(
	[sprintf("issuer ^(?:%s)$", [id.issuer]), sprintf("SAN ^(?:%s)$", [id.subject])],
	[sprintf("%s ^(?:%s)$", [k, p]) | some k in claim_keys; p := object.get(id, k, ""); p != ""],
))

# describe_signer(s) is what the verified signer s is, for a finding's
# "actual".
describe_signer(s) := concat(" and ", array.concat(
	[sprintf("issuer %s", [object.get(s, "issuer", "")]), sprintf("SAN %s", [object.get(s, "san", "")])],
	[sprintf("%s %s", [k, v]) | some k in claim_keys; v := object.get(s, ["claims", k], ""); v != ""],
))

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
	not signer_ok(s)
	f := {
		"message": sprintf("%s was signed by %s (issuer %s), which is not a trusted identity for %s", [s.file, s.san, s.issuer, input.repo]),
		"evidence": s.file,
		"path": "verificationMaterial.certificate",
		"target": s.file,
		"expected": describe_identities,
		"actual": describe_signer(s),
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
