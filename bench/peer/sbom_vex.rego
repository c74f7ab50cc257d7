# The old hub's vulnerability gate, as a shell step ran it: opa eval over an
# input that jq had normalised first (flat vulnerabilities with a score,
# flat VEX exemptions). It is the peer of `hubgate eval` on the vulnerability
# gate in bench/: same threshold, same statements, no parsing, no binding.
package hub.old.sbom_vex

import rego.v1

exempt contains [e.id, e.purl] if {
	some e in input.vex
	e.status == "not_affected"
}

deny contains msg if {
	some v in input.vulnerabilities
	v.score >= input.threshold
	not exempt[[v.id, v.purl]]
	msg := sprintf("%s in %s: CVSS %v >= %v", [v.id, v.purl, v.score, input.threshold])
}

deny contains msg if {
	some v in input.vulnerabilities
	v.epss >= input.epss_threshold
	not exempt[[v.id, v.purl]]
	msg := sprintf("%s in %s: EPSS %v >= %v", [v.id, v.purl, v.epss, input.epss_threshold])
}

components := {c | some c in input.components}

unknown_component contains v.purl if {
	some v in input.vulnerabilities
	not v.purl in components
}

allow if count(deny) == 0
