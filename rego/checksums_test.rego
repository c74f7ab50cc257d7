package hub.checksums_test

import data.hub.checksums

h1 := "1111111111111111111111111111111111111111111111111111111111111111"

h2 := "2222222222222222222222222222222222222222222222222222222222222222"

repo := {"require": ["checksums"], "checksums": {"algorithms": ["sha256", "sha512"]}}

check(alg, expected, actual, line) := {
	"algorithm": alg, "expected": expected, "actual": actual,
	"comparable": true, "match": expected == actual, "reason": "",
	"file": "SHA256SUMS", "line": line,
}

# facts builds input.checksums with the defaults of a clean list.
facts(over) := object.union(
	object.remove(
		{
			"present": true, "problems": [], "files": ["SHA256SUMS"],
			"entries": {"app.tar.gz": {"sha256": {"hex": h1, "file": "SHA256SUMS", "line": 1}}},
			"malformed": [], "malformed_omitted": 0, "duplicates": [], "conflicts": [],
			"subjects": {"app.tar.gz": {
				"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [],
				"checked": [check("sha256", h1, h1, 1)],
			}},
		},
		object.keys(over),
	),
	over,
)

subjects := [{"name": "app.tar.gz", "digest": {"sha256": h1}}]

inp(over) := {"repo": "acme/app", "subjects": subjects, "checksums": facts(over)}

all_findings(doc, r) := x if {
	x := ((((((checksums.present | checksums.evidence) | checksums.listed) | checksums.digest_match) | checksums.conflict) | checksums.duplicate) | checksums.malformed) | checksums.algorithm with input as doc with data.hub.repo as r
}

# --- a clean release ---

test_clean_release_has_no_findings if {
	count(all_findings(inp({}), repo)) == 0
}

# --- present ---

test_present_fails_when_required_and_missing if {
	some f in checksums.present with input as {"repo": "acme/app", "subjects": subjects, "checksums": {"present": false, "problems": []}}
		with data.hub.repo as repo
	f.target == "checksums"
	contains(f.message, "acme/app")
}

test_present_quiet_when_not_required if {
	count(checksums.present) == 0 with input as {"repo": "acme/app", "subjects": subjects, "checksums": {"present": false, "problems": []}}
		with data.hub.repo as {"require": []}
}

test_present_quiet_when_given if {
	count(checksums.present) == 0 with input as inp({}) with data.hub.repo as repo
}

# --- evidence ---

test_evidence_reports_problems if {
	p := {"evidence": "SHA256SUMS", "path": "", "line": 0, "message": "read checksums: open SHA256SUMS: no such file or directory"}
	fs := checksums.evidence with input as inp({"problems": [p]}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.evidence == "SHA256SUMS"
	contains(f.message, "no such file")
}

test_evidence_quiet_without_problems if {
	count(checksums.evidence) == 0 with input as inp({}) with data.hub.repo as repo
}

# --- listed ---

test_listed_fails_for_unlisted_subject if {
	sub := {"listed": false, "entry": "", "by_base_name": false, "ambiguous": [], "checked": []}
	fs := checksums.listed with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.target == "app.tar.gz"
	f.evidence == "SHA256SUMS"
	f.message == "app.tar.gz is not listed in SHA256SUMS"
	f.actual == "no line"
}

test_listed_fails_for_subject_missing_from_facts if {
	# Fail closed: a subject the collector said nothing about is not listed.
	fs := checksums.listed with input as inp({"subjects": {}}) with data.hub.repo as repo
	count(fs) == 1
}

test_listed_names_ambiguous_candidates if {
	sub := {"listed": false, "entry": "", "by_base_name": false, "ambiguous": ["linux/app.tar.gz", "darwin/app.tar.gz"], "checked": []}
	some f in checksums.listed with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
	contains(f.message, "linux/app.tar.gz, darwin/app.tar.gz")
	f.actual == "linux/app.tar.gz, darwin/app.tar.gz"
}

test_listed_passes_when_listed if {
	count(checksums.listed) == 0 with input as inp({}) with data.hub.repo as repo
}

test_listed_passes_by_base_name if {
	sub := {"listed": true, "entry": "dist/app.tar.gz", "by_base_name": true, "ambiguous": [], "checked": [check("sha256", h1, h1, 1)]}
	count(checksums.listed) == 0 with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
}

test_listed_quiet_when_absent if {
	count(checksums.listed) == 0 with input as {"repo": "acme/app", "subjects": subjects, "checksums": {"present": false, "problems": []}}
		with data.hub.repo as repo
}

# --- digest_match ---

test_digest_match_fails_on_mismatch if {
	sub := {"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [], "checked": [check("sha256", h2, h1, 3)]}
	fs := checksums.digest_match with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.evidence == "SHA256SUMS"
	f.line == 3
	f.path == ""
	f.target == "app.tar.gz"
	f.expected == concat(":", ["sha256", h2])
	f.actual == concat(":", ["sha256", h1])
	contains(f.message, "line 3 of SHA256SUMS")
}

test_digest_match_fails_when_not_comparable if {
	c := {
		"algorithm": "sha512", "expected": "ee", "actual": "", "comparable": false, "match": false,
		"reason": "the subject has no file to hash and no sha512 digest was given", "file": "SHA512SUMS", "line": 2,
	}
	sub := {"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [], "checked": [c]}
	fs := checksums.digest_match with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.actual == "not computed"
	f.evidence == "SHA512SUMS"
	contains(f.message, "no file to hash")
}

test_digest_match_fails_when_listed_but_nothing_checked if {
	sub := {"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [], "checked": []}
	count(checksums.digest_match) == 1 with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
}

test_digest_match_fails_on_any_algorithm if {
	sub := {"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [], "checked": [
		check("sha256", h1, h1, 1),
		check("sha512", "aa", "bb", 7),
	]}
	fs := checksums.digest_match with input as inp({"subjects": {"app.tar.gz": sub}}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.line == 7
}

test_digest_match_passes_on_match if {
	count(checksums.digest_match) == 0 with input as inp({}) with data.hub.repo as repo
}

# --- conflict ---

conflict_fact := {
	"name": "app.tar.gz", "algorithm": "sha256", "file": "SHA256SUMS",
	"lines": [1, 4, 9], "files": ["SHA256SUMS", "SHA256SUMS", "SHA256SUMS"], "digests": [h1, h1, h2],
}

test_conflict_fails_and_points_at_the_differing_line if {
	fs := checksums.conflict with input as inp({"conflicts": [conflict_fact]}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.line == 9
	f.evidence == "SHA256SUMS"
	f.target == "app.tar.gz"
	f.actual == concat(":", ["sha256", h2])
	contains(f.message, "3 times")
	contains(f.message, "SHA256SUMS:9")
}

test_conflict_quiet_without_conflicts if {
	count(checksums.conflict) == 0 with input as inp({}) with data.hub.repo as repo
}

# --- duplicate ---

test_duplicate_warns if {
	d := {"name": "app.tar.gz", "algorithm": "sha256", "file": "SHA256SUMS", "lines": [1, 2], "files": ["SHA256SUMS", "SHA256SUMS"], "digests": [h1, h1]}
	fs := checksums.duplicate with input as inp({"duplicates": [d]}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	f.line == 2
	contains(f.message, "lines 1, 2 of SHA256SUMS")
}

test_duplicate_across_files_names_each_file if {
	d := {"name": "app.tar.gz", "algorithm": "sha256", "file": "A", "lines": [5, 2], "files": ["A", "B"], "digests": [h1, h1]}
	some f in checksums.duplicate with input as inp({"duplicates": [d]}) with data.hub.repo as repo
	contains(f.message, "(A:5, B:2)")
	f.evidence == "B"
	f.line == 2
}

test_duplicate_quiet_without_duplicates if {
	count(checksums.duplicate) == 0 with input as inp({}) with data.hub.repo as repo
}

# --- malformed ---

test_malformed_one_finding_per_line if {
	ms := [
		{"file": "SHA256SUMS", "line": 2, "text": "zz  a", "reason": "digest is not hexadecimal: \"zz\""},
		{"file": "SHA256SUMS", "line": 5, "text": "SHA256 (a) = 12", "reason": "sha256 digest has 2 hex digits, want 64"},
	]
	fs := checksums.malformed with input as inp({"malformed": ms}) with data.hub.repo as repo
	count(fs) == 2
	{f.line | some f in fs} == {2, 5}
	some f in fs
	f.line == 5
	f.actual == "SHA256 (a) = 12"
	f.message == "line 5 of SHA256SUMS is malformed: sha256 digest has 2 hex digits, want 64"
}

test_malformed_counts_omitted_lines if {
	fs := checksums.malformed with input as inp({"malformed_omitted": 12}) with data.hub.repo as repo
	count(fs) == 1
	some f in fs
	contains(f.message, "12 more")
}

test_malformed_quiet_for_clean_file if {
	count(checksums.malformed) == 0 with input as inp({}) with data.hub.repo as repo
}

# --- algorithm ---

test_algorithm_fails_for_disallowed if {
	sub := {"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [], "checked": [check("sha256", h1, h1, 1)]}
	fs := checksums.algorithm with input as inp({"subjects": {"app.tar.gz": sub}})
		with data.hub.repo as {"require": ["checksums"], "checksums": {"algorithms": ["sha512"]}}
	count(fs) == 1
	some f in fs
	f.actual == "sha256"
	f.expected == "one of sha512"
	f.target == "app.tar.gz"
}

test_algorithm_covered_by_another_allowed_entry if {
	# SHA256SUMS and SHA512SUMS both given, the registry accepts sha512 only:
	# the sha512 entry covers the subject.
	sub := {"listed": true, "entry": "app.tar.gz", "by_base_name": false, "ambiguous": [], "checked": [check("sha256", h1, h1, 1), check("sha512", "ee", "ee", 1)]}
	count(checksums.algorithm) == 0 with input as inp({"subjects": {"app.tar.gz": sub}})
		with data.hub.repo as {"require": ["checksums"], "checksums": {"algorithms": ["sha512"]}}
}

test_algorithm_passes_for_allowed if {
	count(checksums.algorithm) == 0 with input as inp({}) with data.hub.repo as repo
}

test_algorithm_defaults_when_registry_is_silent if {
	count(checksums.algorithm) == 0 with input as inp({}) with data.hub.repo as {"require": ["checksums"]}
}
