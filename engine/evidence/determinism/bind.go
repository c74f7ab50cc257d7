package determinism

import (
	"path"
	"slices"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/policy"
)

// Align makes the two lists' names comparable the way the hub writes them.
// The hub's cross-time-determinism workflow hashes `find original-artifacts/
// -type f` and `find artifacts/ -type f`, so the same file is
// "original-artifacts/app.tar.gz" in one list and "artifacts/app.tar.gz" in
// the other; and since each list is written into the directory it lists,
// each names itself (hashed while still empty).
//
// So, when every entry of each list lies under one top directory and the
// two top directories differ, that directory is removed from each list's
// names (roots returns what was removed, "" when nothing). Then a
// top-level entry named like the list file itself (selfOriginal,
// selfRebuild: the lists' base names) is left out; dropped returns the
// names left out. Nothing else changes: a list that lies under the same
// directory as the other, or under several, is compared as written.
func Align(original, rebuild *checksum.List, selfOriginal, selfRebuild string) (a, b *checksum.List, roots [2]string, dropped []string) {
	ra, rb := topDir(original), topDir(rebuild)
	a, b = original, rebuild
	if ra != "" && rb != "" && ra != rb {
		a, b = strip(original, ra), strip(rebuild, rb)
		roots = [2]string{ra, rb}
	}
	a, da := dropSelf(a, path.Base(selfOriginal))
	b, db := dropSelf(b, path.Base(selfRebuild))
	dropped = append(da, db...)
	slices.Sort(dropped)
	return a, b, roots, dropped
}

// topDir is the one first path segment every entry shares, "" when the
// list is empty, an entry has no directory, or the entries differ.
func topDir(l *checksum.List) string {
	top := ""
	for _, e := range l.Entries {
		d, _, ok := strings.Cut(e.Name, "/")
		if !ok || d == "" || d == "." || d == ".." {
			return ""
		}
		if top == "" {
			top = d
		} else if d != top {
			return ""
		}
	}
	return top
}

func strip(l *checksum.List, dir string) *checksum.List {
	out := *l
	out.Entries = make([]checksum.Entry, len(l.Entries))
	for i, e := range l.Entries {
		e.Name = strings.TrimPrefix(e.Name, dir+"/")
		out.Entries[i] = e
	}
	return &out
}

func dropSelf(l *checksum.List, self string) (*checksum.List, []string) {
	if self == "" || self == "." || self == "/" {
		return l, nil
	}
	var dropped []string
	keep := make([]checksum.Entry, 0, len(l.Entries))
	for _, e := range l.Entries {
		if e.Name == self {
			dropped = append(dropped, e.Name)
			continue
		}
		keep = append(keep, e)
	}
	if dropped == nil {
		return l, nil
	}
	out := *l
	out.Entries = keep
	return &out, dropped
}

// Listing is what one build's list says about a subject.
type Listing struct {
	// Listed is true when the list names the subject: by its name, or by
	// the one entry with its base name.
	Listed bool `json:"listed"`
	// Name and Line locate the entry used.
	Name string `json:"name"`
	Line int    `json:"line"`
	// Algorithm and Digest are the entry's; Match is true when the digest
	// equals the subject's for that algorithm.
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
	Match     bool   `json:"match"`
	// Reason says why a listed entry cannot be compared ("ambiguous", "no
	// algorithm in common"), or "".
	Reason string `json:"reason"`
}

// Binding ties one subject of the release to both builds: the rebuild is
// evidence about this release only when both lists name the subject with
// its own digest.
type Binding struct {
	Subject string `json:"subject"`
	// Expected is the subject's digest, "algorithm:hex", for the algorithm
	// compared (the strongest both sides have).
	Expected string  `json:"expected"`
	Original Listing `json:"original"`
	Rebuild  Listing `json:"rebuild"`
}

// Bind looks each subject up in both lists (exact name, else the unique
// entry with its base name, as the checksums kind does) and compares the
// listed digest with the subject's computed one. The result is in subject
// order.
func Bind(original, rebuild *checksum.List, subjects []policy.Subject) []Binding {
	var sa, sb checksum.Set
	sa.Add("", original)
	sb.Add("", rebuild)
	out := make([]Binding, 0, len(subjects))
	for _, s := range subjects {
		b := Binding{Subject: s.Name}
		b.Original, b.Expected = listing(&sa, s)
		b.Rebuild, _ = listing(&sb, s)
		if b.Expected == "" {
			for _, alg := range algorithms {
				if h := s.Digest[alg]; h != "" {
					b.Expected = alg + ":" + h
					break
				}
			}
		}
		out = append(out, b)
	}
	return out
}

func listing(set *checksum.Set, s policy.Subject) (Listing, string) {
	used, _, ambiguous, ok := set.Lookup(s.Name)
	if !ok {
		if len(ambiguous) > 0 {
			return Listing{Reason: "ambiguous: " + strings.Join(ambiguous, ", ")}, ""
		}
		return Listing{}, ""
	}
	l := Listing{Listed: true, Name: used}
	entries := set.Entries(used)
	for _, alg := range algorithms {
		for _, e := range entries {
			if e.Algorithm != alg {
				continue
			}
			want := strings.ToLower(s.Digest[alg])
			if want == "" {
				continue
			}
			l.Line, l.Algorithm, l.Digest, l.Match = e.Line, alg, e.Hex, e.Hex == want
			return l, alg + ":" + want
		}
	}
	if len(entries) > 0 {
		l.Line, l.Algorithm, l.Digest = entries[0].Line, entries[0].Algorithm, entries[0].Hex
	}
	l.Reason = "no algorithm in common with the subject's digest"
	return l, ""
}
