package provenance

import (
	"path"
	"regexp"
	"strings"
)

// DefaultBuilders are the builders trusted when the registry names none:
// the slsa-framework/slsa-github-generator reusable workflows slsa-verifier
// trusts (generic and container generators, Go and container-based
// builders). Like slsa-verifier, hubgate trusts them only when referenced at
// a release tag (see [ReleaseTagRef]).
var DefaultBuilders = []string{
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml",
}

// ReleaseTagRef matches the refs default builders must be referenced at:
// refs/tags/vX.Y.Z, slsa-verifier's IsValidBuilderTag (no leading zeros,
// pre-release or build suffix).
var ReleaseTagRef = regexp.MustCompile(`^refs/tags/v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// SplitBuilderID splits "name@ref" at its last "@".
func SplitBuilderID(id string) (name, ref string) {
	if i := strings.LastIndex(id, "@"); i >= 0 {
		return id[:i], id[i+1:]
	}
	return id, ""
}

// ShortTag matches the version of a short-tag builder id
// ("…/builder_go_slsa3.yml@v2.1.0"): vX.Y.Z with no pre-release or build
// suffix, slsa-verifier's IsValidBuilderTag. Rego's provenance.short_tag is
// the same expression.
var ShortTag = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// BuilderMatches reports whether a trusted builder entry, as users and the
// registry write it, matches the builder id of a provenance statement, with
// slsa-verifier's MatchesLoose/MatchesFull semantics (allowRef true):
//
//   - the bare name "…/builder_go_slsa3.yml" matches the name at any ref;
//   - the full ref "…/builder_go_slsa3.yml@refs/tags/v2.1.0" matches that
//     id exactly;
//   - the short tag "…/builder_go_slsa3.yml@v2.1.0" matches the id at
//     refs/tags/v2.1.0, and only when the tag is vX.Y.Z ([ShortTag]).
//
// A short form never stands for a branch: "@main" or "@v2.1.0" never
// matches "@refs/heads/…", and a non-semver short version matches only an
// id that carries it verbatim.
func BuilderMatches(entry, id string) bool {
	if id == "" || entry == "" {
		return false
	}
	name, ref := SplitBuilderID(id)
	if !strings.Contains(entry, "@") {
		return entry == name
	}
	if entry == id {
		return true
	}
	en, eref := SplitBuilderID(entry)
	return en == name && ShortTag.MatchString(eref) && ref == "refs/tags/"+eref
}

// BuilderTrusted reports whether id is trusted. With trusted entries, one
// of them must match id ([BuilderMatches]). With none, id's name must be
// one of [DefaultBuilders] and its ref a release tag. The Rego rule
// provenance.builder_trusted decides the same way (TestRegoAgrees).
func BuilderTrusted(trusted []string, id string) bool {
	name, ref := SplitBuilderID(id)
	if id == "" {
		return false
	}
	if len(trusted) == 0 {
		for _, b := range DefaultBuilders {
			if name == b && ReleaseTagRef.MatchString(ref) {
				return true
			}
		}
		return false
	}
	for _, t := range trusted {
		if BuilderMatches(t, id) {
			return true
		}
	}
	return false
}

// RefAllowed reports whether ref matches one of the glob patterns ("*"
// does not cross "/"), as the Rego rule provenance.ref does with
// glob.match(p, ["/"], ref). No patterns allow every ref.
func RefAllowed(patterns []string, ref string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, err := path.Match(p, ref); err == nil && ok {
			return true
		}
	}
	return false
}
