package checksum

import (
	"path"
	"slices"
)

// Occurrence is where one entry was listed, and with which digest.
type Occurrence struct {
	// File is the checksum file, as given to [Set.Add]; empty within one [List].
	File string `json:"file"`
	Line int    `json:"line"`
	Hex  string `json:"hex"`
}

// Repeat is a name listed more than once for one algorithm.
type Repeat struct {
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	// Occurrences are in the order they were read.
	Occurrences []Occurrence `json:"occurrences"`
}

// Located is an entry and the file it came from.
type Located struct {
	Entry
	File string `json:"file"`
}

type key struct{ name, alg string }

// Set merges the entries of one or more checksum lists. The first entry for a
// name and algorithm is the one [Set.Lookup] returns; later ones are
// repeats, reported by [Set.Repeats]. The zero value is an empty set, ready
// to use. A Set is not safe for concurrent use.
type Set struct {
	firsts []Located           // the first entry of each name and algorithm, in order
	index  map[key]int         // into firsts
	later  map[key][]Located   // the repeats, rare
	names  []string            // distinct names, in first-seen order
	named  map[string]bool     // the names
	algs   []string            // distinct algorithms, in first-seen order
	base   map[string]string   // base name -> the first name with it
	bases  map[string][]string // base name -> every name with it, when more than one
}

// Add adds the entries of l, read from file.
func (s *Set) Add(file string, l *List) {
	if s.index == nil {
		s.index = make(map[key]int, len(l.Entries))
		s.later = map[key][]Located{}
		s.named = make(map[string]bool, len(l.Entries))
		s.base = make(map[string]string, len(l.Entries))
		s.bases = map[string][]string{}
	}
	for _, e := range l.Entries {
		k := key{e.Name, e.Algorithm}
		if _, seen := s.index[k]; seen {
			s.later[k] = append(s.later[k], Located{Entry: e, File: file})
			continue
		}
		s.index[k] = len(s.firsts)
		s.firsts = append(s.firsts, Located{Entry: e, File: file})
		if !containsString(s.algs, e.Algorithm) {
			s.algs = append(s.algs, e.Algorithm)
		}
		if s.named[e.Name] {
			continue
		}
		s.named[e.Name] = true
		s.names = append(s.names, e.Name)
		b := path.Base(e.Name)
		switch first, ok := s.base[b]; {
		case !ok:
			s.base[b] = e.Name
		case s.bases[b] == nil:
			s.bases[b] = []string{first, e.Name}
		default:
			s.bases[b] = append(s.bases[b], e.Name)
		}
	}
}

// Len returns the number of distinct names.
func (s *Set) Len() int { return len(s.names) }

// Names returns the distinct names in the order they were first listed.
func (s *Set) Names() []string { return append([]string(nil), s.names...) }

// Entries returns the first entry of name for each algorithm it is listed
// with, in the order they were listed.
func (s *Set) Entries(name string) []Located {
	var idx []int
	for _, a := range s.algs {
		if i, ok := s.index[key{name, a}]; ok {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	out := make([]Located, len(idx))
	for j, i := range idx {
		out[j] = s.firsts[i]
	}
	return out
}

// Lookup finds the entries for a subject called name (normalised with
// [NormaliseName]). It tries the exact name first; failing that, the one
// entry whose base name is name, if exactly one has it. It returns the name
// of the entry used, whether the base-name fallback found it, and false when
// neither matched. ambiguous lists the candidates when several entries share
// the base name.
func (s *Set) Lookup(name string) (used string, byBase bool, ambiguous []string, ok bool) {
	name = NormaliseName(name)
	if s.named[name] {
		return name, false, nil, true
	}
	if cands := s.bases[name]; len(cands) > 1 {
		return "", false, append([]string(nil), cands...), false
	}
	if first, ok := s.base[name]; ok {
		return first, true, nil, true
	}
	return "", false, nil, false
}

// Repeats returns the names listed more than once for one algorithm: the
// duplicates (every digest the same) and the conflicts (digests differ), in
// the order they were first listed.
func (s *Set) Repeats() (duplicates, conflicts []Repeat) {
	duplicates, conflicts = []Repeat{}, []Repeat{}
	if len(s.later) == 0 {
		return duplicates, conflicts
	}
	for _, first := range s.firsts {
		k := key{first.Name, first.Algorithm}
		later := s.later[k]
		if len(later) == 0 {
			continue
		}
		r := Repeat{Name: k.name, Algorithm: k.alg, Occurrences: make([]Occurrence, 0, 1+len(later))}
		same := true
		for _, o := range append([]Located{first}, later...) {
			r.Occurrences = append(r.Occurrences, Occurrence{File: o.File, Line: o.Line, Hex: o.Hex})
			same = same && o.Hex == first.Hex
		}
		if same {
			duplicates = append(duplicates, r)
		} else {
			conflicts = append(conflicts, r)
		}
	}
	return duplicates, conflicts
}
