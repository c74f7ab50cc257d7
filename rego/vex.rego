# VEX: the release's VEX documents are readable and every not_affected
# statement says why. Which statement applies to which vulnerability is judged
# in hub.vulnerabilities.
package hub.vex

import data.hub.lib

# METADATA
# title: A VEX document is present
# description: The registry requires VEX for this repository, and none was given.
# custom:
#   severity: medium
#   remediation: Publish the release's VEX (OpenVEX 0.2 or CycloneDX VEX) and pass it with --vex.
present contains f if {
	f := lib.missing("vex")
}

# METADATA
# title: The VEX documents are readable
# description: A VEX document could not be read or parsed, or holds statements that cannot be used.
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the file at the position shown. OpenVEX must be strict JSON at version 0.2.x; CycloneDX VEX needs analysis.state on each vulnerability.
evidence contains f if {
	some f in lib.problems("vex")
}

# METADATA
# title: not_affected statements are justified
# description: A not_affected statement with neither a justification nor an impact statement suppresses nothing.
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Add a justification (component_not_present, vulnerable_code_not_in_execute_path, ...) or an impact statement that says why the product is not affected.
justification_missing contains f if {
	some s in input.vex.unjustified
	f := {
		"message": sprintf("%s %s says %s is not_affected for %s without a justification or impact statement: it suppresses nothing", [s.evidence, s.path, s.vulnerability, concat(", ", s.products)]),
		"evidence": s.evidence,
		"path": s.path,
		"target": s.vulnerability,
		"expected": "a justification or an impact statement",
		"actual": "none",
	}
}

justification_missing contains f if {
	rest := input.vex.unjustified_total - count(input.vex.unjustified)
	rest > 0
	f := {
		"message": sprintf("%d more not_affected statements have no justification or impact statement", [rest]),
		"target": "vex",
		"expected": "a justification or an impact statement",
		"actual": "none",
	}
}
