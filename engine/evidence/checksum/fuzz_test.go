package checksum

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		h256 + "  app.tar.gz\n",
		h256 + " *app.tar.gz\r\n",
		h512 + "  ./dist/app.tar.gz\n",
		`\` + h256 + `  a\nb\\c` + "\n",
		`\` + h256 + `  a\` + "\n",
		"SHA256 (app.tar.gz) = " + h256 + "\n",
		"SHA512 (a (1)) = " + h512 + "\n",
		`\SHA256 (a\nb) = ` + h256 + "\n",
		"MD5 (a) = d41d8cd98f00b204e9800998ecf8427e\n",
		"SHA256 (a) = " + h512 + "\n",
		h256 + " a\n",
		"# comment\n\n\xef\xbb\xbfjunk\n",
		h256 + "  a\n" + h256b + "  a\n" + h256 + "  a\n",
		"\xff\xfe\x00\x00 (",
		" (",
		"A (",
		strings.Repeat("a", 64) + "  \x00",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("parse within the limit failed: %v", err)
		}
		if n := bytes.Count(b, []byte("\n")); l.Lines > n+1 {
			t.Fatalf("%d lines counted in %d newlines", l.Lines, n)
		}
		last := 0
		for _, e := range l.Entries {
			if e.Line <= last || e.Line > l.Lines {
				t.Fatalf("entry line %d out of order (last %d, lines %d)", e.Line, last, l.Lines)
			}
			last = e.Line
			if e.Name == "" || strings.HasPrefix(e.Name, "./") || !utf8.ValidString(e.Name) {
				t.Fatalf("bad name %q", e.Name)
			}
			if !(e.Algorithm == SHA256 && len(e.Hex) == 64 || e.Algorithm == SHA512 && len(e.Hex) == 128) {
				t.Fatalf("algorithm %s with %d hex digits", e.Algorithm, len(e.Hex))
			}
			if e.Hex != strings.ToLower(e.Hex) || !isHex(e.Hex) {
				t.Fatalf("digest not normalised: %q", e.Hex)
			}
		}
		for _, m := range l.Malformed {
			if m.Line < 1 || m.Line > l.Lines || m.Reason == "" {
				t.Fatalf("bad malformed record %+v", m)
			}
			if len(m.Text) > MaxTextLength+len("…") || !utf8.ValidString(m.Text) {
				t.Fatalf("malformed text not clipped: %d bytes", len(m.Text))
			}
		}
		for _, r := range append(l.Duplicates, l.Conflicts...) {
			if len(r.Occurrences) < 2 {
				t.Fatalf("repeat with %d occurrences", len(r.Occurrences))
			}
		}
		var s Set
		s.Add("f", l)
		for _, e := range l.Entries {
			if used, byBase, _, ok := s.Lookup(e.Name); !ok || byBase || used != e.Name {
				t.Fatalf("lookup of listed %q: %q %v %v", e.Name, used, byBase, ok)
			}
		}
		if _, err := Parse(bytes.NewReader(b), int64(len(b))-1); len(b) > 1 && err == nil {
			t.Fatalf("limit not enforced")
		}
	})
}
