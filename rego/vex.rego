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

# METADATA
# title: No VEX statement is dated after the evaluation time
# description: A VEX statement, or the document that holds it, carries a date after --now. The statement is ignored (it suppresses nothing); a date from the future is refused, not trusted.
# custom:
#   severity: medium
#   remediation: Date the VEX when it is written. If the clock that wrote it is right, evaluate with a later --now.
future contains f if {
	some s in input.vex.future
	f := {
		"message": sprintf("%s %s (%s for %s) is ignored: %s %s is after the evaluation time %s", [s.evidence, s.path, s.vulnerability, concat(", ", s.products), s.field, s.date, input.vex.now]),
		"evidence": s.evidence,
		"path": s.field,
		"target": s.vulnerability,
		"expected": sprintf("a date at or before %s", [input.vex.now]),
		"actual": s.date,
	}
}

future contains f if {
	rest := input.vex.future_total - count(input.vex.future)
	rest > 0
	f := {
		"message": sprintf("%d more VEX statements are dated after %s and are ignored", [rest, input.vex.now]),
		"target": "vex",
		"expected": sprintf("a date at or before %s", [input.vex.now]),
		"actual": "later dates",
	}
}

# METADATA
# title: not_affected justifications are enumerated values
# description: A not_affected statement whose justification is not one of its format's values (OpenVEX v0.2.0's five; CycloneDX's analysis.justification enumeration) suppresses nothing, whatever its impact statement says.
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Use one of the spec's values. OpenVEX - component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist. CycloneDX - code_not_present, code_not_reachable, requires_configuration, requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control.
justification_invalid contains f if {
	some s in input.vex.invalid_justification
	f := {
		"message": sprintf("%s %s says %s is not_affected for %s with the justification %q, which is not an enumerated value: it suppresses nothing", [s.evidence, s.path, s.vulnerability, concat(", ", s.products), s.justification]),
		"evidence": s.evidence,
		"path": s.field,
		"target": s.vulnerability,
		"expected": sprintf("one of %s", [concat(", ", s.allowed)]),
		"actual": s.justification,
	}
}

justification_invalid contains f if {
	rest := input.vex.invalid_justification_total - count(input.vex.invalid_justification)
	rest > 0
	f := {
		"message": sprintf("%d more not_affected statements have a justification that is not an enumerated value", [rest]),
		"target": "vex",
		"expected": "an enumerated justification of the format",
		"actual": "other values",
	}
}
