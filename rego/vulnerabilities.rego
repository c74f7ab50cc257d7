# Vulnerabilities: no finding at or over the CVSS or EPSS threshold ships
# unless a VEX statement bound to this product says not_affected or fixed.
# The matching (id and aliases, purls, the subject digest, latest statement
# wins, maximum age) is done in Go; each finding carries its effective status,
# the deciding statement and the near misses.
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

epss_text(f) := sprintf("%v", [f.epss]) if f.has_epss

epss_text(f) := "none" if not f.has_epss

cvss_text(f) := sprintf("%v", [f.cvss]) if f.has_cvss

cvss_text(f) := "none" if not f.has_cvss

crossings(f) := array.concat(cvss_crossing(f), epss_crossing(f))

cvss_crossing(f) := [sprintf("CVSS %v >= %v", [f.cvss, cfg.cvss_threshold])] if {
	f.has_cvss
	f.cvss >= cfg.cvss_threshold
} else := []

epss_crossing(f) := [sprintf("EPSS %v >= %v", [f.epss, cfg.epss_threshold])] if {
	f.has_epss
	f.epss >= cfg.epss_threshold
} else := []

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
		"message": sprintf("%s%s: %s (CVSS %s, EPSS %s) is not suppressed: %s", [f.id, component_suffix(f), concat(" and ", c), cvss_text(f), epss_text(f), f.reason]),
		"evidence": f.evidence,
		"path": f.path,
		"target": f.target,
		"expected": sprintf("CVSS < %v and EPSS < %v, or a not_affected or fixed VEX statement for this product", [cfg.cvss_threshold, cfg.epss_threshold]),
		"actual": sprintf("CVSS %s, EPSS %s, VEX status %s", [cvss_text(f), epss_text(f), status_text(f)]),
	}
}

component_suffix(f) := sprintf(" in %s", [f.purls[0]]) if count(f.purls) > 0

component_suffix(f) := sprintf(" in %s", [f.component]) if {
	count(f.purls) == 0
	f.component != ""
}

component_suffix(f) := "" if {
	count(f.purls) == 0
	f.component == ""
}

status_text(f) := f.status if f.status != ""

status_text(f) := "none" if f.status == ""

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
		"message": sprintf("%s%s is under investigation according to %s %s (%s)", [f.id, component_suffix(f), f.decision.evidence, f.decision.path, f.decision.timestamp]),
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
		"message": sprintf("%s%s (CVSS %s, EPSS %s) is %s for %s according to %s %s, made %s%s", [f.id, component_suffix(f), cvss_text(f), epss_text(f), d.status, d.product, d.evidence, d.path, d.timestamp, why(d)]),
		"evidence": d.evidence,
		"path": d.path,
		"target": f.target,
		"expected": "",
		"actual": d.status,
	}
}

why(d) := sprintf(": %s", [d.justification]) if d.justification != ""

why(d) := sprintf(": %s", [d.impact]) if {
	d.justification == ""
	d.impact != ""
}

why(d) := "" if {
	d.justification == ""
	d.impact == ""
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
		"message": sprintf("%s%s: %s %s (%s for %s) did not apply: %s", [f.id, component_suffix(f), n.evidence, n.path, n.status, n.product, n.reason]),
		"evidence": n.evidence,
		"path": n.path,
		"target": f.target,
		"expected": "a statement for this product",
		"actual": n.product,
	}
}
