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

// ReleaseTagRef matches the refs default builders must be referenced at.
var ReleaseTagRef = regexp.MustCompile(`^refs/tags/v[0-9]+\.[0-9]+\.[0-9]+$`)

// SplitBuilderID splits "name@ref" at its last "@".
func SplitBuilderID(id string) (name, ref string) {
	if i := strings.LastIndex(id, "@"); i >= 0 {
		return id[:i], id[i+1:]
	}
	return id, ""
}

// BuilderTrusted reports whether id is trusted. With trusted entries, an
// entry with "@ref" must equal id exactly and an entry without one matches
// id's name at any ref (slsa-verifier's --builder-id). With none, id's name
// must be one of [DefaultBuilders] and its ref a release tag. The Rego rule
// provenance.builder_trusted decides the same way.
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
		if strings.Contains(t, "@") {
			if t == id {
				return true
			}
		} else if t == name {
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
