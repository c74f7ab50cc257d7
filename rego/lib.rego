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
