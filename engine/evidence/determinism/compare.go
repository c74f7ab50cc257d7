package determinism

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
)

// Side names one of the two builds.
const (
	SideOriginal = "original"
	SideRebuild  = "rebuild"
)

// Diff is a path whose digests differ between the builds.
type Diff struct {
	Path      string `json:"path"`
	Algorithm string `json:"algorithm"`
	Original  string `json:"original"`
	Rebuild   string `json:"rebuild"`
	// OriginalLine and RebuildLine are the 1-based lines in each list.
	OriginalLine int `json:"original_line"`
	RebuildLine  int `json:"rebuild_line"`
	// Reason is set when the digests cannot be compared at all ("no
	// algorithm in common").
	Reason string `json:"reason"`
}

// Missing is a path listed by one build only.
type Missing struct {
	Path string `json:"path"`
	// Side is the build that lists the path.
	Side      string `json:"side"`
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
	Line      int    `json:"line"`
}

// Issue is a line of a list that makes the comparison unsafe: malformed, or
// a path listed twice with different digests.
type Issue struct {
	Side    string `json:"side"`
	Line    int    `json:"line"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Comparison is the outcome of [Compare]. Every slice is ordered by path.
type Comparison struct {
	// Compared counts the paths listed on both sides and not ignored;
	// Equal those whose every common digest matched.
	Compared int       `json:"compared"`
	Equal    int       `json:"equal"`
	Differs  []Diff    `json:"differs"`
	Missing  []Missing `json:"missing"`
	Ignored  []string  `json:"ignored"`
	Issues   []Issue   `json:"issues"`
}

type digest struct {
	hex  string
	line int
}

// index maps path → algorithm → digest, recording conflicts as issues.
func index(side string, l *checksum.List, ignore Globs, ignored map[string]bool, issues *[]Issue) map[string]map[string]digest {
	m := map[string]map[string]digest{}
	for _, bad := range l.Malformed {
		*issues = append(*issues, Issue{Side: side, Line: bad.Line, Message: fmt.Sprintf("malformed line: %s", bad.Reason)})
	}
	for _, e := range l.Entries {
		if ignore.Match(e.Name) {
			ignored[e.Name] = true
			continue
		}
		algs := m[e.Name]
		if algs == nil {
			algs = map[string]digest{}
			m[e.Name] = algs
		}
		if prev, ok := algs[e.Algorithm]; ok {
			if prev.hex != e.Hex {
				*issues = append(*issues, Issue{Side: side, Line: e.Line, Path: e.Name,
					Message: fmt.Sprintf("listed again with a different %s digest (first on line %d)", e.Algorithm, prev.line)})
			}
			continue
		}
		algs[e.Algorithm] = digest{hex: e.Hex, line: e.Line}
	}
	return m
}

// algorithms in the order they are compared: the strongest first.
var algorithms = []string{checksum.SHA512, checksum.SHA256}

// Compare compares the original build's list with the rebuild's. Paths
// matching ignore are left out.
func Compare(original, rebuild *checksum.List, ignore Globs) Comparison {
	c := Comparison{Differs: []Diff{}, Missing: []Missing{}, Ignored: []string{}, Issues: []Issue{}}
	ignored := map[string]bool{}
	a := index(SideOriginal, original, ignore, ignored, &c.Issues)
	b := index(SideRebuild, rebuild, ignore, ignored, &c.Issues)
	for p := range ignored {
		c.Ignored = append(c.Ignored, p)
	}
	slices.Sort(c.Ignored)
	paths := make([]string, 0, len(a)+len(b))
	for p := range a {
		paths = append(paths, p)
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		da, inA := a[p]
		db, inB := b[p]
		switch {
		case !inB:
			alg, d := strongest(da)
			c.Missing = append(c.Missing, Missing{Path: p, Side: SideOriginal, Algorithm: alg, Digest: d.hex, Line: d.line})
			continue
		case !inA:
			alg, d := strongest(db)
			c.Missing = append(c.Missing, Missing{Path: p, Side: SideRebuild, Algorithm: alg, Digest: d.hex, Line: d.line})
			continue
		}
		c.Compared++
		common := 0
		differs := false
		for _, alg := range algorithms {
			x, okA := da[alg]
			y, okB := db[alg]
			if !okA || !okB {
				continue
			}
			common++
			if x.hex != y.hex {
				differs = true
				c.Differs = append(c.Differs, Diff{Path: p, Algorithm: alg, Original: x.hex, Rebuild: y.hex, OriginalLine: x.line, RebuildLine: y.line})
			}
		}
		if common == 0 {
			algA, x := strongest(da)
			algB, y := strongest(db)
			c.Differs = append(c.Differs, Diff{Path: p, Algorithm: algA + "/" + algB, Original: x.hex, Rebuild: y.hex,
				OriginalLine: x.line, RebuildLine: y.line, Reason: "no algorithm in common"})
			continue
		}
		if !differs {
			c.Equal++
		}
	}
	slices.SortStableFunc(c.Issues, func(x, y Issue) int {
		return cmp.Or(cmp.Compare(x.Side, y.Side), cmp.Compare(x.Line, y.Line))
	})
	return c
}

func strongest(m map[string]digest) (string, digest) {
	for _, alg := range algorithms {
		if d, ok := m[alg]; ok {
			return alg, d
		}
	}
	return "", digest{}
}

// Globs are the registry's determinism.ignore patterns. A pattern is
// matched with [path.Match] against the whole slash-separated path, except
// that a "**" segment matches any number of segments (zero included), and a
// pattern without a slash matches the base name in any directory.
type Globs []string

// Validate returns an error naming the first malformed pattern.
func (g Globs) Validate() error {
	for i, p := range g {
		if p == "" {
			return fmt.Errorf("ignore[%d]: empty pattern", i)
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "**" {
				continue
			}
			if _, err := path.Match(seg, ""); err != nil {
				return fmt.Errorf("ignore[%d] %q: %w", i, p, err)
			}
		}
	}
	return nil
}

// Match reports whether name matches any pattern. Malformed patterns never
// match.
func (g Globs) Match(name string) bool {
	for _, p := range g {
		if matchGlob(p, name) {
			return true
		}
	}
	return false
}

func matchGlob(pattern, name string) bool {
	if pattern == "" {
		return false
	}
	if !strings.Contains(pattern, "/") {
		ok, err := path.Match(pattern, path.Base(name))
		return err == nil && ok
	}
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

// matchSegs matches segment lists with "**" in O(len(pat)·len(segs)) time
// (memoised), whatever the number of "**" segments.
func matchSegs(pat, segs []string) bool {
	memo := make([]int8, (len(pat)+1)*(len(segs)+1)) // 0 unknown, 1 yes, 2 no
	var m func(pi, si int) bool
	m = func(pi, si int) bool {
		k := pi*(len(segs)+1) + si
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var ok bool
		switch {
		case pi == len(pat):
			ok = si == len(segs)
		case pat[pi] == "**":
			ok = m(pi+1, si) || (si < len(segs) && m(pi, si+1))
		case si == len(segs):
			ok = false
		default:
			hit, err := path.Match(pat[pi], segs[si])
			ok = err == nil && hit && m(pi+1, si+1)
		}
		memo[k] = 2
		if ok {
			memo[k] = 1
		}
		return ok
	}
	return m(0, 0)
}
