# Checksums: every subject is listed in the release's checksum file, with a
# digest that matches the bytes.
#
# input.checksums is the facts document of engine/collect_checksums.go:
#   files        the checksum files, in the order given
#   entries      {"<listed name>": {"sha256": {"hex", "file", "line"}, "sha512": {...}}}
#   malformed    [{"file", "line", "text", "reason"}], malformed_omitted (count)
#   duplicates   [{"name", "algorithm", "file", "lines", "files", "digests"}], same digest
#   conflicts    the same shape, different digests
#   subjects     {"<subject name>": {"listed", "entry", "by_base_name", "ambiguous",
#                 "checked": [{"algorithm", "expected", "actual", "comparable", "match",
#                              "reason", "file", "line"}]}}
package hub.checksums

import data.hub.lib

# METADATA
# title: A checksum file is present
# description: The registry requires a checksum file for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Publish SHA256SUMS (or goreleaser's checksums.txt) with the release and pass it with --checksums.
present contains f if {
	f := lib.missing("checksums")
}

# METADATA
# title: The checksum file is readable
# description: The checksum file could not be read.
# custom:
#   severity: high
#   outcome: error
#   remediation: Check that the file exists, is not larger than the size limit, and is a checksum list.
evidence contains f if {
	some f in lib.problems("checksums")
}

# METADATA
# title: Every subject is listed
# description: Each artifact of the release has a line in the checksum file, so a downloader can check what they got.
# custom:
#   severity: high
#   remediation: Regenerate the checksum file from the artifacts you ship (sha256sum * > SHA256SUMS), or pass the subject under the name the file lists it by.
listed contains f if {
	input.checksums.present
	some s in input.subjects
	not input.checksums.subjects[s.name].listed
	f := {
		"message": _unlisted_message(s.name),
		"evidence": _files,
		"path": "",
		"line": 0,
		"target": s.name,
		"expected": sprintf("a line for %s", [s.name]),
		"actual": _unlisted_actual(s.name),
	}
}

_files := concat(", ", input.checksums.files)

_ambiguous(name) := amb if {
	amb := input.checksums.subjects[name].ambiguous
	count(amb) > 0
}

_unlisted_message(name) := msg if {
	amb := _ambiguous(name)
	msg := sprintf(
		"%s is not listed by that name in %s, and %d entries share its base name (%s), so none can be chosen",
		[name, _files, count(amb), concat(", ", amb)],
	)
} else := sprintf("%s is not listed in %s", [name, _files])

_unlisted_actual(name) := concat(", ", _ambiguous(name)) if {
	_ambiguous(name)
} else := "no line"

# METADATA
# title: Every digest matches
# description: The digest the checksum file lists for a subject equals the digest of the subject's bytes; a digest that could not be computed fails too.
# custom:
#   severity: critical
#   remediation: Do not ship. Either the artifact changed after the checksum file was made (re-download or rebuild it and compare again), or the checksum file is stale (regenerate it from the artifact you mean to ship). If the digest could not be computed, pass the artifact itself with --subject so hubgate can hash it.
digest_match contains f if {
	some name, sub in input.checksums.subjects
	some c in sub.checked
	c.comparable == true
	c.match != true
	f := {
		"message": sprintf(
			"%s does not match line %d of %s: its %s is %s…, the line says %s…",
			[name, c.line, c.file, c.algorithm, _short(c.actual), _short(c.expected)],
		),
		"evidence": c.file,
		"path": "",
		"line": c.line,
		"target": name,
		"expected": sprintf("%s:%s", [c.algorithm, c.expected]),
		"actual": sprintf("%s:%s", [c.algorithm, c.actual]),
	}
}

# A digest that could not be computed fails: it is never taken on trust.
digest_match contains f if {
	some name, sub in input.checksums.subjects
	some c in sub.checked
	not c.comparable
	f := {
		"message": sprintf(
			"cannot check %s against its %s on line %d of %s: %s",
			[name, c.algorithm, c.line, c.file, _reason(c)],
		),
		"evidence": c.file,
		"path": "",
		"line": c.line,
		"target": name,
		"expected": sprintf("%s:%s", [c.algorithm, c.expected]),
		"actual": "not computed",
	}
}

# A listed subject with nothing compared fails too.
digest_match contains f if {
	some name, sub in input.checksums.subjects
	sub.listed
	count(object.get(sub, "checked", [])) == 0
	f := {
		"message": sprintf("%s is listed in %s, but no digest of it was compared", [name, _files]),
		"evidence": _files,
		"path": "",
		"line": 0,
		"target": name,
		"expected": "a digest compared",
		"actual": "none",
	}
}

_short(hex) := substring(hex, 0, 12)

_reason(c) := c.reason if {
	c.reason != ""
} else := "no digest could be computed"

# METADATA
# title: No conflicting entries
# description: A name is listed twice for the same algorithm with different digests, so the file vouches for two different artifacts.
# custom:
#   severity: critical
#   remediation: Regenerate the checksum file from the artifacts you ship, with one line per file; find out how two different files came to share a name.
conflict contains f if {
	some r in input.checksums.conflicts
	i := min({j | some j, d in r.digests; d != r.digests[0]})
	f := {
		"message": sprintf(
			"%s is listed %d times for %s with different digests (%s)",
			[r.name, count(r.lines), r.algorithm, concat(", ", _locations(r))],
		),
		"evidence": r.files[i],
		"path": sprintf("line %d", [r.lines[i]]),
		"line": r.lines[i],
		"target": r.name,
		"expected": sprintf("%s:%s (as on line %d of %s)", [r.algorithm, r.digests[0], r.lines[0], r.files[0]]),
		"actual": sprintf("%s:%s", [r.algorithm, r.digests[i]]),
	}
}

_locations(r) := [sprintf("%s:%d %s…", [r.files[i], l, _short(r.digests[i])]) | some i, l in r.lines]

# METADATA
# title: No duplicate entries
# description: A name is listed more than once with the same digest; harmless, but a sign the file was put together by hand.
# custom:
#   severity: low
#   outcome: warn
#   remediation: Regenerate the checksum file so that each file has one line per algorithm.
duplicate contains f if {
	some r in input.checksums.duplicates
	f := {
		"message": sprintf(
			"%s is listed %d times for %s with the same digest (%s)",
			[r.name, count(r.lines), r.algorithm, _where(r)],
		),
		"evidence": r.files[1],
		"path": sprintf("line %d", [r.lines[1]]),
		"line": r.lines[1],
		"target": r.name,
		"expected": "one line per file and algorithm",
		"actual": sprintf("%d lines", [count(r.lines)]),
	}
}

# _where(r) says where a repeat's lines are: "lines 1, 3 of F" within one
# file, "F:1, G:3" across several.
_where(r) := sprintf("lines %s of %s", [concat(", ", [sprintf("%d", [l]) | some l in r.lines]), r.file]) if {
	count({f | some f in r.files}) == 1
} else := concat(", ", [sprintf("%s:%d", [r.files[i], l]) | some i, l in r.lines])

# METADATA
# title: Every line is well formed
# description: A line of the checksum file is neither a checksum, a comment nor blank, so whatever it meant to vouch for is not checked.
# custom:
#   severity: high
#   remediation: Fix or remove the line. Lines look like "<hex>  <name>" (sha256sum), "<hex> *<name>", or "SHA256 (<name>) = <hex>" (sha256sum --tag); only sha256 and sha512 are accepted.
malformed contains f if {
	some m in input.checksums.malformed
	f := {
		"message": sprintf("line %d of %s is malformed: %s", [m.line, m.file, m.reason]),
		"evidence": m.file,
		"path": "",
		"line": m.line,
		"target": m.file,
		"expected": `"<hex>  <name>" or "SHA256 (<name>) = <hex>"`,
		"actual": m.text,
	}
}

malformed contains f if {
	n := input.checksums.malformed_omitted
	n > 0
	f := {
		"message": sprintf("%d more malformed lines in %s are not listed one by one", [n, _files]),
		"evidence": _files,
		"path": "",
		"line": 0,
		"target": _files,
		"expected": "no malformed lines",
		"actual": sprintf("%d more", [n]),
	}
}

# METADATA
# title: Only allowed algorithms
# description: Every subject is vouched for by a digest whose algorithm this repository accepts. Entries with another algorithm are still compared (a mismatch fails digest_match), but they do not count as coverage.
# custom:
#   severity: high
#   remediation: Publish checksums with an algorithm the registry lists under checksums.algorithms (sha256sum or sha512sum).
algorithm contains f if {
	allowed := object.get(data.hub.repo, ["checksums", "algorithms"], ["sha256", "sha512"])
	some name, sub in input.checksums.subjects
	count(sub.checked) > 0
	not _covered(sub, allowed)
	used := sort({c.algorithm | some c in sub.checked})
	c := sub.checked[0]
	f := {
		"message": sprintf(
			"%s is checked only with %s (line %d of %s), and this repository accepts only %s",
			[name, concat(", ", used), c.line, c.file, concat(", ", allowed)],
		),
		"evidence": c.file,
		"path": "",
		"line": c.line,
		"target": name,
		"expected": sprintf("one of %s", [concat(", ", allowed)]),
		"actual": concat(", ", used),
	}
}

_covered(sub, allowed) if {
	some c in sub.checked
	c.algorithm in allowed
}
