# Vulnerabilities: no finding at or over the CVSS or EPSS threshold ships
# unless a VEX statement bound to this product says not_affected or fixed.
# The matching (id and aliases, purls, the subject digest, latest statement
# wins, maximum age) is done in Go; each finding carries its effective status,
# the deciding statement and the near misses. Go also renders the display
# texts of a finding (component_text, cvss_text, epss_text, status_text,
# why_text), once per finding; the rules compare with the thresholds and
# only format with sprintf.
package hub.vulnerabilities

import data.hub.lib

# METADATA
# title: A vulnerability report is present
# description: The registry requires a vulnerability scan for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Scan the release (grype -o json) and pass the report with --vulns.
present contains f if {
	f := lib.missing("vulnerabilities")
}

# METADATA
# title: The vulnerability reports are readable
# description: A vulnerability report could not be read or parsed, or holds entries that cannot be used.
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the file at the position shown; grype JSON and CycloneDX vulnerabilities are read.
evidence contains f if {
	some f in lib.problems("vulnerabilities")
}

cfg := input.vulnerabilities.config

crossings(f) := array.concat(cvss_crossing(f), epss_crossing(f))

# Without a CVSS score, score is the lower bound of the severity's CVSS band
# (critical 9.0, high 7.0, medium 4.0, low 0.1), computed in Go.
cvss_crossing(f) := [sprintf("CVSS %v >= %v", [f.cvss, cfg.cvss_threshold])] if {
	f.has_cvss
	f.cvss >= cfg.cvss_threshold
} else := [sprintf("severity %s (CVSS band from %v) >= %v", [f.severity, f.score, cfg.cvss_threshold])] if {
	not f.has_cvss
	f.score_source == "severity"
	f.score >= cfg.cvss_threshold
} else := []

epss_crossing(f) := [sprintf("EPSS %v >= %v", [f.epss, cfg.epss_threshold])] if {
	f.has_epss
	f.epss >= cfg.epss_threshold
} else := []

# METADATA
# title: The vulnerability report is about this release
# description: A vulnerability report counts only when it is bound to a release subject - the scan's target digest (grype source.target manifestDigest, imageID or repoDigests; CycloneDX metadata.component hashes or digest) is a subject digest, or the report names an SBOM (grype sbom-file source path, CycloneDX BOM-Link) that is itself bound to a subject by digest. An empty report about nothing, or a report about another build, does not satisfy the vulnerabilities requirement.
# custom:
#   severity: high
#   remediation: Scan the release by digest (grype IMAGE@sha256:... or grype sbom:SBOM where the SBOM was made from the image by digest) and pass the SBOM with --sbom.
bound contains r if {
	some rep in input.vulnerabilities.reports
	not rep.bound
	r := {
		"message": sprintf("%s is not bound to this release: %s", [rep.evidence, rep.unbound]),
		"evidence": rep.evidence,
		"path": rep.target_field,
		"target": rep.evidence,
		"expected": bound_expected,
		"actual": rep.actual,
	}
}

bound_expected := sprintf("a target digest in [%s], or an SBOM bound to one of them", [concat(", ", input.vulnerabilities.release_subjects)]) if {
	count(input.vulnerabilities.release_subjects) > 0
} else := "a release subject (--subject or --subject-digest) the report's target digest equals"

# METADATA
# title: No vulnerability is left without a score
# description: A finding with no CVSS score, no EPSS percentile and no severity cannot be compared with any threshold. The registry's vulnerabilities.unscored decides - fail (default), warn, or ignore (a note).
# custom:
#   severity: high
#   remediation: Use a scanner database that scores the vulnerability, or publish a VEX statement for it; the registry may set vulnerabilities.unscored.
unscored contains r if {
	some f in input.vulnerabilities.findings
	f.unscored
	not f.suppressed
	r := {
		"message": sprintf("%s%s has no CVSS score, no EPSS percentile and no severity (%s): vulnerabilities.unscored is %s", [f.id, f.component_text, f.reason, cfg.unscored]),
		"evidence": f.evidence,
		"path": f.path,
		"target": f.target,
		"expected": "a CVSS score, an EPSS percentile or a severity",
		"actual": sprintf("none (severity %q)", [f.severity]),
		"outcome": unscored_outcome,
	}
}

unscored_outcome := "warn" if cfg.unscored == "warn"

unscored_outcome := "pass" if cfg.unscored == "ignore"

unscored_outcome := "fail" if not cfg.unscored in {"warn", "ignore"}

# METADATA
# title: VEX statements do not tie
# description: Two VEX statements for the same vulnerability and product, made at the same time, say different statuses. The less favourable status decided (affected, under_investigation, fixed, not_affected, in that order), whatever the order of the files.
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Publish one statement with a later timestamp that says what is true now.
vex_tie contains r if {
	some f in input.vulnerabilities.findings
	some t in f.ties
	d := f.decision
	r := {
		"message": sprintf("%s%s: %s %s (%s) and %s %s (%s) were made at the same time (%s); the less favourable %s decided", [f.id, f.component_text, d.evidence, d.path, d.status, t.evidence, t.path, t.status, tie_time(d), d.status]),
		"evidence": t.evidence,
		"path": t.path,
		"target": f.target,
		"expected": sprintf("one latest statement for %s", [d.product]),
		"actual": sprintf("%s and %s at %s", [d.status, t.status, tie_time(d)]),
	}
}

tie_time(d) := d.timestamp if d.timestamp != ""

tie_time(d) := "no timestamp" if d.timestamp == ""

# METADATA
# title: No unsuppressed vulnerability at or over a threshold
# description: Every vulnerability whose CVSS base score or EPSS percentile is at or over the registry's threshold needs a VEX statement for this product that says not_affected (with a justification) or fixed.
# custom:
#   severity: high
#   remediation: Upgrade the affected component, or publish a justified not_affected VEX statement bound to this release's digest or the component's purl.
threshold contains r if {
	some f in input.vulnerabilities.findings
	not f.suppressed
	c := crossings(f)
	count(c) > 0
	r := {
		"message": sprintf("%s%s: %s (CVSS %s, EPSS %s) is not suppressed: %s", [f.id, f.component_text, concat(" and ", c), f.cvss_text, f.epss_text, f.reason]),
		"evidence": f.evidence,
		"path": f.path,
		"target": f.target,
		"expected": sprintf("CVSS (or severity band) < %v and EPSS < %v, or a not_affected or fixed VEX statement for this product", [cfg.cvss_threshold, cfg.epss_threshold]),
		"actual": sprintf("CVSS %s, EPSS %s, VEX status %s", [f.cvss_text, f.epss_text, f.status_text]),
	}
}

# METADATA
# title: No vulnerability is under investigation
# description: The deciding VEX statement says the vulnerability is still under investigation.
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Finish the investigation and publish not_affected, affected or fixed.
under_investigation contains r if {
	some f in input.vulnerabilities.findings
	f.status == "under_investigation"
	r := {
		"message": sprintf("%s%s is under investigation according to %s %s (%s)", [f.id, f.component_text, f.decision.evidence, f.decision.path, f.decision.timestamp]),
		"evidence": f.decision.evidence,
		"path": f.decision.path,
		"target": f.target,
		"expected": "not_affected, affected or fixed",
		"actual": "under_investigation",
		"outcome": ui_outcome,
	}
}

ui_outcome := "fail" if cfg.under_investigation == "fail"

ui_outcome := "warn" if cfg.under_investigation != "fail"

# METADATA
# title: VEX suppressions that applied
# description: A VEX statement for this product suppressed a vulnerability; the note names the statement that decided it.
# custom:
#   severity: info
#   outcome: pass
#   remediation: Nothing to do; review the statement if the suppression is unexpected.
vex_applied contains r if {
	some f in input.vulnerabilities.findings
	f.suppressed
	d := f.decision
	r := {
		"message": sprintf("%s%s (CVSS %s, EPSS %s) is %s for %s according to %s %s, made %s%s", [f.id, f.component_text, f.cvss_text, f.epss_text, d.status, d.product, d.evidence, d.path, d.timestamp, f.why_text]),
		"evidence": d.evidence,
		"path": d.path,
		"target": f.target,
		"expected": "",
		"actual": d.status,
	}
}

# METADATA
# title: VEX statements that did not apply
# description: A VEX statement about the same vulnerability did not apply, because it names another product, another version, a qualifier the component lacks, is too old, unjustified or superseded.
# custom:
#   severity: info
#   outcome: pass
#   remediation: If the statement was meant to apply, bind it to this release's digest or the affected component's exact purl.
near_miss contains r if {
	some f in input.vulnerabilities.findings
	some n in f.near_misses
	r := {
		"message": sprintf("%s%s: %s %s (%s for %s) did not apply: %s", [f.id, f.component_text, n.evidence, n.path, n.status, n.product, n.reason]),
		"evidence": n.evidence,
		"path": n.path,
		"target": f.target,
		"expected": "a statement for this product",
		"actual": n.product,
	}
}
