# Determinism: a rebuild made well after the original build produced the
# same bytes, path by path.
package hub.determinism

import data.hub.lib

# METADATA
# title: Determinism evidence is present
# description: The registry requires a cross-time rebuild for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Rebuild the release after the registry's determinism.min_delay and pass both checksum lists with --determinism-original and --determinism-rebuild.
present contains f if {
	f := lib.missing("determinism")
}

# METADATA
# title: The determinism evidence is readable
# description: A checksum list, the determinism report, a time flag or the registry's determinism settings could not be used.
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the file, line or setting named in the finding; both lists must be sha256sum output.
evidence contains f if {
	some f in lib.problems("determinism")
}

# METADATA
# title: The rebuild produced the same bytes
# description: A path has a different digest in the rebuild than in the original build.
# custom:
#   severity: high
#   remediation: Find the source of non-determinism (timestamps, paths, ordering; diffoscope explains it) and fix the build, or add the path to determinism.ignore if it is not shipped.
differs contains f if {
	input.determinism.compared
	some d in input.determinism.differs
	f := {
		"message": sprintf("%s differs between the builds: %s %s in %s, %s in %s%s%s", [d.path, d.algorithm, d.original, input.determinism.original, d.rebuild, input.determinism.rebuild, reason(d), explained(d.path)]),
		"evidence": input.determinism.rebuild,
		"path": d.path,
		"line": d.rebuild_line,
		"target": d.path,
		"expected": sprintf("%s:%s", [d.algorithm, d.original]),
		"actual": sprintf("%s:%s", [d.algorithm, d.rebuild]),
	}
}

reason(d) := sprintf(" (%s)", [d.reason]) if d.reason != ""

else := ""

# explained(path) names the sub-files diffoscope says differ, when an
# explanation for the path was given.
explained(path) := sprintf("; diffoscope: %s", [concat(", ", e.differing)]) if {
	some e in input.determinism.explanations
	endswith(e.source1, path)
	count(e.differing) > 0
} else := ""

# METADATA
# title: Both builds list the same paths
# description: A path is listed by one build only.
# custom:
#   severity: high
#   remediation: Make both builds produce the same set of files, or add the path to determinism.ignore if it is not shipped.
missing contains f if {
	input.determinism.compared
	some m in input.determinism.missing
	other := {"original": "rebuild", "rebuild": "original"}[m.side]
	f := {
		"message": sprintf("%s is listed by the %s only (%s:%s), not by the %s", [m.path, m.side, m.algorithm, m.digest, other]),
		"evidence": input.determinism[m.side],
		"path": m.path,
		"line": m.line,
		"target": m.path,
		"expected": sprintf("%s in both lists", [m.path]),
		"actual": sprintf("%s only", [m.side]),
	}
}

# METADATA
# title: The rebuild came long enough after the original
# description: A rebuild made shortly after the original shares its environment and proves little about reproducibility over time.
# custom:
#   severity: medium
#   remediation: Schedule the rebuild at least determinism.min_delay after the original build and give both build times (--determinism-original-time, --determinism-rebuild-time) or the hub's report.json.
too_soon contains f if {
	input.determinism.present
	input.determinism.delay.known
	input.determinism.delay.seconds < input.determinism.min_delay_seconds
	f := {
		"message": sprintf("the rebuild ran %vh after the original build, less than the required %s", [input.determinism.delay.hours, input.determinism.min_delay]),
		"target": "delay",
		"expected": sprintf(">= %s", [input.determinism.min_delay]),
		"actual": sprintf("%vh", [input.determinism.delay.hours]),
	}
}

too_soon contains f if {
	input.determinism.present
	not input.determinism.delay.known
	f := {
		"message": "the delay between the original build and the rebuild is unknown",
		"target": "delay",
		"expected": sprintf(">= %s", [input.determinism.min_delay]),
		"actual": "unknown",
	}
}

# METADATA
# title: The previous release's delayed rebuild passed
# description: The registry requires the previous release's cross-time rebuild to have passed before this release ships.
# custom:
#   severity: high
#   remediation: Pass the previous release's hubgate decision JSON with --determinism-previous; if its determinism check did not pass, fix that first.
previous_unverified contains f if {
	input.determinism.require_previous
	input.determinism.previous == null
	f := {
		"message": "the previous release's decision is required and was not given (or could not be read)",
		"evidence": input.determinism.previous_file,
		"target": "previous",
		"expected": "a decision whose determinism check passed",
		"actual": "none",
	}
}

previous_unverified contains f if {
	p := input.determinism.previous
	p != null
	not previous_ok(p)
	f := {
		"message": sprintf("the previous release's decision for %s is %s (allowed: %v) with determinism check %q", [p.repo, p.outcome, p.allowed, p.determinism]),
		"evidence": input.determinism.previous_file,
		"target": "previous",
		"expected": sprintf("an allowed decision for %s whose determinism check passed", [input.repo]),
		"actual": sprintf("outcome %s, determinism %q, repo %s", [p.outcome, p.determinism, p.repo]),
	}
}

previous_ok(p) if {
	p.allowed
	p.determinism == "pass"
	p.repo == input.repo
}

# METADATA
# title: Both builds' lists name the subject with its digest
# description: A cross-time rebuild is evidence about this release only when the original build's list and the rebuild's list both name every subject, with the digest computed from the subject's bytes. Lists about other files prove nothing about this release.
# custom:
#   severity: high
#   remediation: Hash the released artifacts themselves in both builds (sha256sum over the files you ship), so both lists name each subject with its digest.
subject_bound contains f if {
	input.determinism.compared
	some b in input.determinism.subjects
	some side in ["original", "rebuild"]
	l := b[side]
	not l.match
	f := {
		"message": sprintf("the %s list %s %s", [{"original": "original build's", "rebuild": "rebuild's"}[side], input.determinism[side], unbound_detail(b, l)]),
		"evidence": input.determinism[side],
		"path": l.name,
		"line": l.line,
		"target": b.subject,
		"expected": sprintf("%s listed as %s", [b.subject, expected_digest(b)]),
		"actual": unbound_actual(l),
	}
}

subject_bound contains f if {
	input.determinism.compared
	count(input.subjects) == 0
	f := {
		"message": "the determinism lists are not tied to any subject: no subject was given",
		"evidence": input.determinism.rebuild,
		"target": "subjects",
		"expected": "at least one subject (--subject)",
		"actual": "none",
	}
}

expected_digest(b) := b.expected if b.expected != ""

else := "its digest"

unbound_detail(b, l) := sprintf("does not name %s", [b.subject]) if {
	not l.listed
	l.reason == ""
} else := sprintf("cannot tell which entry is %s (%s)", [b.subject, l.reason]) if {
	not l.listed
} else := sprintf("lists %s as %s:%s, which cannot be compared with the subject (%s)", [b.subject, l.algorithm, l.digest, l.reason]) if {
	l.reason != ""
} else := sprintf("lists %s (as %s) with %s:%s, but the subject is %s", [b.subject, l.name, l.algorithm, l.digest, b.expected])

unbound_actual(l) := "not listed" if {
	not l.listed
} else := sprintf("%s:%s", [l.algorithm, l.digest])

# METADATA
# title: The determinism evidence is signed
# description: The registry's determinism.require_signed makes the checksum lists, the report and the previous decision count only when a sigstore bundle beside each (FILE.sigstore.json or FILE.bundle) verifies over its bytes and was signed by a trusted identity (provenance.identities, else this repository's release workflow at a release ref, as for every signed kind) or a registry key.
# custom:
#   severity: high
#   remediation: Sign each file in the workflow that produced it (cosign sign-blob --bundle FILE.sigstore.json FILE) and ship the bundle beside it.
signed contains f if {
	some s in input.determinism.signing.reports
	f := unsigned(s)
}

# unsigned(s) is the finding for a self-reported file whose signature
# did not verify, or verified for an untrusted signer. The same function is
# in hub.drill and hub.egress.
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
