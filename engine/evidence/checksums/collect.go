package checksums

import (
	"bytes"
	"context"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/policy"
)

// maxChecksumMalformed bounds the malformed lines the checksums facts carry;
// the rest are counted in malformed_omitted.
const maxChecksumMalformed = 1000

// Facts is the facts document of the checksums kind, input.checksums
// in Rego. Every lookup a rule makes is by key: entries by listed name,
// subjects by subject name.
type Facts struct {
	evidence.Facts
	// Files are the checksum files, in the order given.
	Files []string `json:"files"`
	// Entries maps a listed name to its algorithms, each with the first
	// digest listed for it.
	Entries map[string]map[string]checksumEntry `json:"entries"`
	// Malformed are the bad lines, in file and line order, at most
	// maxChecksumMalformed of them.
	Malformed []checksumMalformed `json:"malformed"`
	// MalformedOmitted counts the malformed lines left out of Malformed.
	MalformedOmitted int `json:"malformed_omitted"`
	// Duplicates are names listed more than once for one algorithm with the
	// same digest; Conflicts with different digests.
	Duplicates []checksumRepeat `json:"duplicates"`
	Conflicts  []checksumRepeat `json:"conflicts"`
	// Subjects maps each subject name to what the lists say about it.
	Subjects map[string]*checksumSubject `json:"subjects"`
}

type checksumEntry struct {
	Hex  string `json:"hex"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type checksumMalformed struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

type checksumRepeat struct {
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	// File and Lines locate the occurrences; Files[i], Lines[i] and
	// Digests[i] describe the i-th one (Files differ only when several
	// checksum files were merged).
	File    string   `json:"file"`
	Lines   []int    `json:"lines"`
	Files   []string `json:"files"`
	Digests []string `json:"digests"`
}

type checksumSubject struct {
	// Listed is true when an entry was found for the subject.
	Listed bool `json:"listed"`
	// Entry is the listed name used: the subject's own name, or the one
	// entry with the subject's name as its base name.
	Entry string `json:"entry"`
	// ByBaseName is true when Entry was found by base name.
	ByBaseName bool `json:"by_base_name"`
	// Ambiguous lists the entries sharing the subject's base name when no
	// exact entry exists and more than one does.
	Ambiguous []string `json:"ambiguous"`
	// Checked has one comparison per algorithm the entry is listed with.
	Checked []checksumCheck `json:"checked"`
}

type checksumCheck struct {
	Algorithm string `json:"algorithm"`
	// Expected is the digest the list gives; Actual the one computed from
	// the subject's bytes (or given with --subject-digest), empty when none
	// could be had.
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// Comparable is false when no actual digest could be had; Reason says why.
	Comparable bool   `json:"comparable"`
	Match      bool   `json:"match"`
	Reason     string `json:"reason"`
	File       string `json:"file"`
	Line       int    `json:"line"`
}

// Collect parses every --checksums file, merges them, and compares
// each subject with the entries listed for it.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{
		Facts:      evidence.New(items),
		Files:      []string{},
		Entries:    map[string]map[string]checksumEntry{},
		Malformed:  []checksumMalformed{},
		Duplicates: []checksumRepeat{},
		Conflicts:  []checksumRepeat{},
		Subjects:   map[string]*checksumSubject{},
	}
	if len(items) == 0 {
		return facts
	}
	var set checksum.Set
	for _, it := range items {
		facts.Files = append(facts.Files, it.Path)
		b, err := env.ReadFile(policy.KindChecksums, it.Role, it.Path)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "read checksums: %v", err)
			continue
		}
		l, err := checksum.Parse(bytes.NewReader(b), checksum.DefaultLimit)
		if err != nil {
			facts.AddProblem(it.Path, "", 0, "parse checksums: %v", err)
			continue
		}
		if len(l.Entries) == 0 && len(l.Malformed) == 0 {
			facts.AddProblem(it.Path, "", 0, "parse checksums: the file lists no checksums")
			continue
		}
		for _, m := range l.Malformed {
			if len(facts.Malformed) >= maxChecksumMalformed {
				facts.MalformedOmitted++
				continue
			}
			facts.Malformed = append(facts.Malformed, checksumMalformed{File: it.Path, Line: m.Line, Text: m.Text, Reason: m.Reason})
		}
		set.Add(it.Path, l)
	}

	for _, name := range set.Names() {
		algs := map[string]checksumEntry{}
		for _, e := range set.Entries(name) {
			algs[e.Algorithm] = checksumEntry{Hex: e.Hex, File: e.File, Line: e.Line}
		}
		facts.Entries[name] = algs
	}
	dups, confs := set.Repeats()
	for _, r := range dups {
		facts.Duplicates = append(facts.Duplicates, checksumRepeatFact(r))
	}
	for _, r := range confs {
		facts.Conflicts = append(facts.Conflicts, checksumRepeatFact(r))
	}

	for i, s := range env.Subjects {
		sub := checkChecksumSubject(ctx, &set, s, env.SubjectPath(i, s.Name))
		if prev, ok := facts.Subjects[s.Name]; ok {
			// Two subjects with one name: keep every comparison, so a
			// mismatch of either shows.
			prev.Listed = prev.Listed && sub.Listed
			prev.Checked = append(prev.Checked, sub.Checked...)
			continue
		}
		facts.Subjects[s.Name] = sub
	}
	return facts
}

func checksumRepeatFact(r checksum.Repeat) checksumRepeat {
	out := checksumRepeat{Name: r.Name, Algorithm: r.Algorithm, File: r.Occurrences[0].File}
	for _, o := range r.Occurrences {
		out.Lines = append(out.Lines, o.Line)
		out.Files = append(out.Files, o.File)
		out.Digests = append(out.Digests, o.Hex)
	}
	return out
}

// checkChecksumSubject finds the entries for s and compares each with the
// subject's digest, hashing the subject's file for algorithms the engine did
// not compute.
func checkChecksumSubject(ctx context.Context, set *checksum.Set, s policy.Subject, path string) *checksumSubject {
	sub := &checksumSubject{Ambiguous: []string{}, Checked: []checksumCheck{}}
	used, byBase, ambiguous, ok := set.Lookup(s.Name)
	if !ok {
		if ambiguous != nil {
			sub.Ambiguous = ambiguous
		}
		return sub
	}
	sub.Listed, sub.Entry, sub.ByBaseName = true, used, byBase
	entries := set.Entries(used)

	actual := make(map[string]string, len(entries))
	var missing []string
	for _, e := range entries {
		if h := strings.ToLower(s.Digest[e.Algorithm]); h != "" {
			actual[e.Algorithm] = h
		} else {
			missing = append(missing, e.Algorithm)
		}
	}
	reason := ""
	if len(missing) > 0 {
		switch {
		case path == "":
			algs := strings.Join(missing, "/")
			reason = "the subject was given without a file to hash and without a " + algs + " digest; pass the file with --subject, or its " +
				algs + " with --subject-digest NAME=" + missing[0] + ":HEX"
		case ctx.Err() != nil:
			reason = "hashing " + path + " was cancelled: " + ctx.Err().Error()
		default:
			d, _, err := checksum.HashFile(path, missing...)
			if err != nil {
				reason = err.Error()
			} else {
				for a, h := range d {
					actual[a] = h
				}
			}
		}
	}
	for _, e := range entries {
		c := checksumCheck{Algorithm: e.Algorithm, Expected: e.Hex, File: e.File, Line: e.Line}
		if h, ok := actual[e.Algorithm]; ok {
			c.Actual, c.Comparable, c.Match = h, true, h == e.Hex
		} else {
			c.Reason = reason
		}
		sub.Checked = append(sub.Checked, c)
	}
	return sub
}
