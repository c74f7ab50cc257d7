# Egress: the build reached only the hosts its registry entry allows, and the
# proxy provably enforced the allowlist while it ran.
package hub.egress

import data.hub.lib

# METADATA
# title: An egress report is present
# description: The registry requires egress evidence for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Run the build behind the hub's egress proxy and pass its egress-report.json or Squid access.log with --egress.
present contains f if {
	f := lib.missing("egress")
}

# METADATA
# title: The egress evidence is readable
# description: An egress report, a Squid log line or the registry's egress settings could not be used.
# custom:
#   severity: high
#   outcome: error
#   remediation: Check the file named in the finding; fix the registry's egress.allow or egress.canary entry if the registry is named.
evidence contains f if {
	some f in lib.problems("egress")
}

# host_port renders a host fact the way allowlist entries are written.
host_port(h) := sprintf("[%s]:%d", [h.host, h.port]) if {
	contains(h.host, ":")
	h.port != 0
} else := sprintf("%s:%d", [h.host, h.port]) if {
	h.port != 0
} else := h.host

# METADATA
# title: Every host the build reached is allowed
# description: A connection to a host that the registry's egress allowlist does not cover got through the proxy.
# custom:
#   severity: high
#   remediation: Remove the dependency on the host, or add it to egress.allow in the registry if it is legitimate (hubgate egress suggest derives the list from an audit run).
unlisted_host contains f if {
	input.egress.present
	some h in input.egress.hosts
	h.allowed
	not h.canary
	h.match == ""
	f := {
		"message": sprintf("the build connected to %s (%s), which egress.allow does not cover%s", [host_port(h), times(h.count), invalid_note(h)]),
		"evidence": h.evidence,
		"path": h.path,
		"line": h.line,
		"target": host_port(h),
		"expected": allow_text,
		"actual": host_port(h),
	}
}

# allow_text describes the allowlist: the entries when few, else their count.
allow_text := sprintf("a host covered by %v", [input.egress.allow]) if {
	count(input.egress.allow) <= 10
} else := sprintf("a host covered by egress.allow (%d entries)", [count(input.egress.allow)])

times(n) := "1 attempt" if n == 1

else := sprintf("%d attempts", [n])

invalid_note(h) := sprintf(" (%s)", [h.invalid]) if h.invalid != ""

else := ""

# METADATA
# title: Egress enforcement is proven live
# description: The canary host must have been tried and blocked during the build, which proves the proxy enforced the allowlist.
# custom:
#   severity: high
#   remediation: Set egress.canary in the registry to a host that is never allowed, and have the build try it once behind the proxy.
enforcement_unproven contains f if {
	input.egress.present
	input.egress.canary.host == ""
	f := {
		"message": "no egress canary is configured, so nothing shows the proxy was enforcing",
		"target": "egress.canary",
		"expected": "a canary host, tried and blocked",
		"actual": "none configured",
	}
}

enforcement_unproven contains f if {
	input.egress.present
	input.egress.canary.host != ""
	input.egress.canary.attempts == 0
	f := {
		"message": sprintf("the canary %s was never attempted, so nothing shows the proxy was enforcing", [input.egress.canary.host]),
		"target": input.egress.canary.host,
		"expected": "the canary tried and blocked",
		"actual": "no attempt",
	}
}

enforcement_unproven contains f if {
	input.egress.present
	input.egress.canary.allowed > 0
	some h in input.egress.hosts
	h.canary
	h.allowed
	f := {
		"message": sprintf("the canary %s got through the proxy (%s): egress was not enforced", [host_port(h), times(h.count)]),
		"evidence": h.evidence,
		"path": h.path,
		"line": h.line,
		"target": input.egress.canary.host,
		"expected": "blocked",
		"actual": "allowed",
	}
}

enforcement_unproven contains f if {
	input.egress.present
	some file in input.egress.without_attempts
	f := {
		"message": sprintf("%s has no per-attempt records, so it cannot show which hosts the build reached", [file]),
		"evidence": file,
		"path": "attempts",
		"target": file,
		"expected": "attempts[] with host, port, allowed",
		"actual": "counts only",
	}
}

# METADATA
# title: The build made no blocked connection attempts
# description: The proxy blocked connections the build tried (the canary excepted). The registry's egress.blocked_attempts says whether this warns or fails.
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Find what in the build reaches for the host; remove it, or allow the host in egress.allow.
blocked_attempts contains f if {
	input.egress.present
	some h in input.egress.hosts
	not h.allowed
	not h.canary
	f := {
		"message": sprintf("the proxy blocked %s to %s", [times(h.count), host_port(h)]),
		"evidence": h.evidence,
		"path": h.path,
		"line": h.line,
		"target": host_port(h),
		"expected": "no blocked attempts",
		"actual": sprintf("%d blocked", [h.count]),
		"outcome": input.egress.blocked_mode,
	}
}

# METADATA
# title: The egress evidence is signed
# description: The registry's egress.require_signed makes each egress report or proxy log count only when a sigstore bundle beside it (FILE.sigstore.json or FILE.bundle) verifies over its bytes and was signed by a trusted identity (provenance.identities, else this repository's release workflow at a release ref, as for every signed kind) or a registry key.
# custom:
#   severity: high
#   remediation: Sign egress-report.json (or the proxy log) in the job that wrote it (cosign sign-blob --bundle FILE.sigstore.json FILE) and ship the bundle beside it.
signed contains f if {
	some s in input.egress.signing.reports
	f := unsigned(s)
}

# unsigned(s): see hub.determinism.
unsigned(s) := {
	"message": sprintf("%s is not signed: %s", [s.file, s.error]),
	"evidence": s.file,
	"target": s.file,
	"expected": sprintf("a bundle beside it (%s.sigstore.json) that verifies over its bytes", [s.file]),
	"actual": object.get({"": "no bundle"}, s.bundle, "a bundle that does not verify"),
} if {
	not s.verified
}

unsigned(s) := {
	"message": sprintf("%s was signed by %s (issuer %s), not by a trusted identity", [s.file, s.san, s.issuer]),
	"evidence": s.bundle,
	"target": s.file,
	"expected": lib.describe_identities,
	"actual": sprintf("%s / %s", [s.issuer, s.san]),
} if {
	s.verified
	not report_signer_ok(s)
}

# report_signer_ok(s): a registry key signed the report, or its certificate's
# signer and Fulcio claims match the registry's identities (the rule every
# signed kind shares, hub.lib.signer_ok).
report_signer_ok(s) if s.keyed

report_signer_ok(s) if {
	not s.keyed
	lib.signer_ok(s)
}
