# Shared helpers for every evidence kind's package. Rules live in hub.<kind>;
# this package has functions only, so the engine finds no rules here.
package hub.lib

# missing(kind) is a finding when the registry requires kind and no evidence of
# it was given.
missing(kind) := f if {
	kind in data.hub.repo.require
	not input[kind].present
	f := {
		"message": sprintf("%s evidence is required for %s, and none was given", [kind, input.repo]),
		"target": kind,
		"expected": sprintf("%s evidence", [kind]),
		"actual": "none",
	}
}

# problems(kind) is the set of findings for evidence of kind that could not be
# read, parsed or verified.
problems(kind) := {f |
	some p in input[kind].problems
	f := {
		"message": p.message,
		"evidence": p.evidence,
		"path": p.path,
		"line": p.line,
		"target": p.evidence,
	}
}

# Signer identities, shared by every signed kind: every identity pattern is
# anchored as ^(?:pattern)$, whatever the registry wrote.

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

# keys_only is the registry's provenance.keys_only: only provenance.keys
# are trusted, and no certificate signer is (verify signature --key).
keys_only := object.get(data.hub.repo, ["provenance", "keys_only"], false)

# signer_ok(s) is the one identity judgement of every signed kind
# (provenance, signature, cache, evidence bundle, determinism, drill,
# egress): it holds when one identity matches the verified certificate
# signer s, an object with "issuer", "san" and "claims" (the certificate's
# Fulcio extensions, as engine/trust.Claims): its anchored issuer and
# subject patterns match, and so does each extension pattern it sets. An
# invalid pattern never matches; with provenance.keys_only nothing does.
signer_ok(s) if {
	not keys_only
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

describe_identities := "a registry key (provenance.keys_only: no certificate signer is trusted)" if {
	keys_only
} else := concat(" or ", [describe_identity(id) | some id in identities])

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

