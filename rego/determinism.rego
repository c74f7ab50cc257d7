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
