package checksum

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	h256  = strings.Repeat("ab", 32)
	h256b = strings.Repeat("cd", 32)
	h512  = strings.Repeat("ef", 64)
)

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{
			name: "coreutils text mode",
			in:   h256 + "  app.tar.gz\n",
			want: []Entry{{Name: "app.tar.gz", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "coreutils binary marker",
			in:   h256 + " *app.tar.gz\n",
			want: []Entry{{Name: "app.tar.gz", Algorithm: SHA256, Hex: h256, Line: 1, Binary: true, Format: FormatGNU}},
		},
		{
			name: "sha512sum",
			in:   h512 + "  app.tar.gz\n",
			want: []Entry{{Name: "app.tar.gz", Algorithm: SHA512, Hex: h512, Line: 1, Format: FormatGNU}},
		},
		{
			name: "upper-case hex is normalised",
			in:   strings.ToUpper(h256) + "  a\n",
			want: []Entry{{Name: "a", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "no final newline",
			in:   h256 + "  a",
			want: []Entry{{Name: "a", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "CRLF line ends",
			in:   h256 + "  a\r\n" + h256b + "  b\r\n",
			want: []Entry{
				{Name: "a", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU},
				{Name: "b", Algorithm: SHA256, Hex: h256b, Line: 2, Format: FormatGNU},
			},
		},
		{
			name: "blank and comment lines are skipped but counted",
			in:   "# made by hand\n\n   \n" + h256 + "  a\n  # indented comment\n",
			want: []Entry{{Name: "a", Algorithm: SHA256, Hex: h256, Line: 4, Format: FormatGNU}},
		},
		{
			name: "leading ./ stripped, directories kept",
			in:   h256 + "  ./dist/app.tar.gz\n" + h256b + "  ././b\n",
			want: []Entry{
				{Name: "dist/app.tar.gz", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU},
				{Name: "b", Algorithm: SHA256, Hex: h256b, Line: 2, Format: FormatGNU},
			},
		},
		{
			name: "spaces in the name are kept, a leading one too",
			in:   h256 + "   my app (1).tar.gz \n",
			want: []Entry{{Name: " my app (1).tar.gz ", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "coreutils escaped name",
			in:   `\` + h256 + `  new\nline\\back` + "\n",
			want: []Entry{{Name: "new\nline\\back", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "backslash in an unescaped line is literal",
			in:   h256 + `  a\nb` + "\n",
			want: []Entry{{Name: `a\nb`, Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "BSD sha256",
			in:   "SHA256 (app.tar.gz) = " + h256 + "\n",
			want: []Entry{{Name: "app.tar.gz", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatBSD}},
		},
		{
			name: "BSD sha512 with parentheses and ) = in the name",
			in:   "SHA512 (a (x) = y.bin) = " + strings.ToUpper(h512) + "\n",
			want: []Entry{{Name: "a (x) = y.bin", Algorithm: SHA512, Hex: h512, Line: 1, Format: FormatBSD}},
		},
		{
			name: "BSD escaped name",
			in:   `\SHA256 (a\nb) = ` + h256 + "\n",
			want: []Entry{{Name: "a\nb", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatBSD}},
		},
		{
			name: "BSD reversed",
			in:   h256 + " app.tar.gz\n",
			want: []Entry{{Name: "app.tar.gz", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatReversed}},
		},
		{
			name: "goreleaser checksums.txt",
			in:   h256 + "  app_1.0.0_linux_amd64.tar.gz\n" + h256b + "  app_1.0.0_darwin_arm64.tar.gz\n",
			want: []Entry{
				{Name: "app_1.0.0_linux_amd64.tar.gz", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU},
				{Name: "app_1.0.0_darwin_arm64.tar.gz", Algorithm: SHA256, Hex: h256b, Line: 2, Format: FormatGNU},
			},
		},
		{
			name: "byte order mark",
			in:   "\xef\xbb\xbf" + h256 + "  a\n",
			want: []Entry{{Name: "a", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU}},
		},
		{
			name: "mixed algorithms for one name",
			in:   h256 + "  a\n" + h512 + "  a\n",
			want: []Entry{
				{Name: "a", Algorithm: SHA256, Hex: h256, Line: 1, Format: FormatGNU},
				{Name: "a", Algorithm: SHA512, Hex: h512, Line: 2, Format: FormatGNU},
			},
		},
		{
			name: "empty input",
			in:   "",
			want: []Entry{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(strings.NewReader(tt.in), 0)
			require.NoError(t, err)
			assert.Empty(t, l.Malformed)
			assert.Equal(t, tt.want, l.Entries)
			assert.Empty(t, l.Duplicates)
			assert.Empty(t, l.Conflicts)
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		line   int
		reason string // a substring of the reason
	}{
		{"bad hex", strings.Repeat("zz", 32) + "  a", 1, "not hexadecimal"},
		{"wrong length", strings.Repeat("a", 63) + "  a", 1, "63 hex digits"},
		{"md5 length", strings.Repeat("a", 32) + "  a", 1, "md5"},
		{"sha1 length", strings.Repeat("a", 40) + "  a", 1, "sha1"},
		{"sha384 length", strings.Repeat("a", 96) + "  a", 1, "sha384"},
		{"missing name", h256, 1, "missing file name"},
		{"missing name after separator", h256 + "  ", 1, "missing file name"},
		{"missing name after binary marker", h256 + " *", 1, "missing file name"},
		{"only ./ as name", h256 + "  ./", 1, "missing file name"},
		{"tab separator", h256 + "\ta", 1, "two spaces"},
		{"prose", "this is not a checksum file", 1, "not a checksum line"},
		{"one word", "hello", 1, "not a checksum line"},
		{"non-hex digest of sha256 length", strings.Repeat("g", 64) + "  a", 1, "not hexadecimal"},
		{"html", "<html>", 1, "not a checksum line"},
		{"BSD wrong length for the tag", "SHA256 (a) = " + h512, 1, "sha256 digest has 128 hex digits, want 64"},
		{"BSD sha512 tag with sha256 digest", "SHA512 (a) = " + h256, 1, "sha512 digest has 64 hex digits, want 128"},
		{"BSD unknown tag", "FOO (a) = " + h256, 1, "unknown algorithm tag"},
		{"BSD md5 tag", "MD5 (a) = " + strings.Repeat("a", 32), 1, "unsupported algorithm MD5"},
		{"BSD missing separator", "SHA256 (a) " + h256, 1, `missing ") = "`},
		{"BSD missing name", "SHA256 () = " + h256, 1, "missing file name"},
		{"BSD missing digest", "SHA256 (a) = ", 1, "missing digest"},
		{"BSD bad hex", "SHA256 (a) = " + strings.Repeat("g", 64), 1, "not hexadecimal"},
		{"escape unknown", `\` + h256 + `  a\tb`, 1, "unknown escape"},
		{"escape dangling", `\` + h256 + `  a\`, 1, "lone backslash"},
		{"name not UTF-8", h256 + "  a\xff", 1, "not valid UTF-8"},
		{"name with NUL", h256 + "  a\x00b", 1, "NUL"},
		{"line too long", h256 + "  " + strings.Repeat("a", MaxLineLength), 1, "longer than"},
		{"line number counts blanks and comments", "# c\n\n" + h256 + "  a\nnope nope\n", 4, "not a checksum line"},
		{"line number with CRLF", h256 + "  a\r\n\r\nnope\r\n", 3, "not a checksum line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(strings.NewReader(tt.in), 0)
			require.NoError(t, err)
			require.Len(t, l.Malformed, 1, "entries: %v", l.Entries)
			m := l.Malformed[0]
			assert.Equal(t, tt.line, m.Line)
			assert.Contains(t, m.Reason, tt.reason)
			assert.LessOrEqual(t, len(m.Text), MaxTextLength+len("…"))
			assert.NotContains(t, m.Text, "\r")
		})
	}
}

func TestParseKeepsGoodLinesAroundBadOnes(t *testing.T) {
	in := h256 + "  a\nbroken\n" + h256b + "  b\nSHA256 (c) = 12\n"
	l, err := Parse(strings.NewReader(in), 0)
	require.NoError(t, err)
	require.Len(t, l.Entries, 2)
	assert.Equal(t, "a", l.Entries[0].Name)
	assert.Equal(t, "b", l.Entries[1].Name)
	require.Len(t, l.Malformed, 2)
	assert.Equal(t, 2, l.Malformed[0].Line)
	assert.Equal(t, "broken", l.Malformed[0].Text)
	assert.Equal(t, 4, l.Malformed[1].Line)
	assert.Equal(t, 4, l.Lines)
}

func TestParseDuplicatesAndConflicts(t *testing.T) {
	in := h256 + "  a\n" + // 1
		h256 + "  b\n" + // 2
		h256 + " *./a\n" + // 3: identical duplicate of a
		h256 + "  b\n" + // 4: duplicate of b ...
		h256b + "  b\n" + // 5: ... and a conflict
		h512 + "  a\n" // 6: same name, other algorithm: not a repeat
	l, err := Parse(strings.NewReader(in), 0)
	require.NoError(t, err)
	assert.Empty(t, l.Malformed)
	assert.Equal(t, []Repeat{{Name: "a", Algorithm: SHA256, Occurrences: []Occurrence{
		{Line: 1, Hex: h256}, {Line: 3, Hex: h256},
	}}}, l.Duplicates)
	assert.Equal(t, []Repeat{{Name: "b", Algorithm: SHA256, Occurrences: []Occurrence{
		{Line: 2, Hex: h256}, {Line: 4, Hex: h256}, {Line: 5, Hex: h256b},
	}}}, l.Conflicts)
}

func TestParseLimit(t *testing.T) {
	in := h256 + "  a\n"
	_, err := Parse(strings.NewReader(in), int64(len(in)))
	require.NoError(t, err)
	_, err = Parse(strings.NewReader(in), int64(len(in)-1))
	require.ErrorIs(t, err, ErrTooLarge)

	_, err = Parse(iotest.ErrReader(errors.New("boom")), 0)
	require.ErrorContains(t, err, "boom")
}

func TestMalformedTextIsClipped(t *testing.T) {
	huge := bytes.Repeat([]byte("x"), 1<<20)
	l := ParseBytes(huge)
	require.Len(t, l.Malformed, 1)
	assert.LessOrEqual(t, len(l.Malformed[0].Text), MaxTextLength+len("…"))
}

func TestSetLookup(t *testing.T) {
	var s Set
	s.Add("SHA256SUMS", ParseBytes([]byte(h256+"  dist/app.tar.gz\n"+h256+"  x/dup\n"+h256+"  y/dup\n"+h256+"  plain\n")))
	s.Add("SHA512SUMS", ParseBytes([]byte(h512+"  plain\n")))

	tests := []struct {
		name      string
		subject   string
		used      string
		byBase    bool
		ambiguous []string
		ok        bool
	}{
		{"exact", "plain", "plain", false, nil, true},
		{"exact after ./", "./plain", "plain", false, nil, true},
		{"exact with directory", "dist/app.tar.gz", "dist/app.tar.gz", false, nil, true},
		{"unique base name", "app.tar.gz", "dist/app.tar.gz", true, nil, true},
		{"ambiguous base name", "dup", "", false, []string{"x/dup", "y/dup"}, false},
		{"absent", "nope", "", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used, byBase, amb, ok := s.Lookup(tt.subject)
			assert.Equal(t, tt.used, used)
			assert.Equal(t, tt.byBase, byBase)
			assert.Equal(t, tt.ambiguous, amb)
			assert.Equal(t, tt.ok, ok)
		})
	}
	es := s.Entries("plain")
	require.Len(t, es, 2)
	assert.Equal(t, SHA256, es[0].Algorithm)
	assert.Equal(t, "SHA256SUMS", es[0].File)
	assert.Equal(t, 4, es[0].Line)
	assert.Equal(t, SHA512, es[1].Algorithm)
	assert.Equal(t, "SHA512SUMS", es[1].File)
	assert.Equal(t, []string{"dist/app.tar.gz", "x/dup", "y/dup", "plain"}, s.Names())
	assert.Equal(t, 4, s.Len())
}

func TestSetRepeatsAcrossFiles(t *testing.T) {
	var s Set
	s.Add("one", ParseBytes([]byte(h256+"  a\n"+h256+"  b\n")))
	s.Add("two", ParseBytes([]byte(h256+"  a\n"+h256b+"  b\n")))
	dup, conf := s.Repeats()
	assert.Equal(t, []Repeat{{Name: "a", Algorithm: SHA256, Occurrences: []Occurrence{
		{File: "one", Line: 1, Hex: h256}, {File: "two", Line: 1, Hex: h256},
	}}}, dup)
	assert.Equal(t, []Repeat{{Name: "b", Algorithm: SHA256, Occurrences: []Occurrence{
		{File: "one", Line: 2, Hex: h256}, {File: "two", Line: 2, Hex: h256b},
	}}}, conf)
	// The first occurrence wins a lookup.
	assert.Equal(t, h256, s.Entries("b")[0].Hex)
}

// BenchmarkParse parses a 10,000-line SHA256SUMS, the size of a large release.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "%064x  dist/app_%d_linux_amd64.tar.gz\n", i, i)
	}
	in := []byte(sb.String())
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		l, err := Parse(bytes.NewReader(in), 0)
		if err != nil || len(l.Entries) != 10000 {
			b.Fatalf("parse: %d entries, %v", len(l.Entries), err)
		}
	}
}

// TestParseCoreutilsOutput parses what GNU coreutils 9.1 printed for files
// named "back\slash", "cr<CR>name", "new<LF>line" and "plain name", each
// holding "x": `sha256sum *` and `sha256sum --tag *`.
func TestParseCoreutilsOutput(t *testing.T) {
	const x = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
	gnu := `\` + x + `  back\\slash` + "\n" +
		`\` + x + `  cr\rname` + "\n" +
		`\` + x + `  new\nline` + "\n" +
		x + "  plain name\n"
	tag := `\SHA256 (back\\slash) = ` + x + "\n" +
		`\SHA256 (cr\rname) = ` + x + "\n" +
		`\SHA256 (new\nline) = ` + x + "\n" +
		"SHA256 (plain name) = " + x + "\n"
	want := []string{`back\slash`, "cr\rname", "new\nline", "plain name"}
	for name, in := range map[string]string{"sha256sum": gnu, "sha256sum --tag": tag} {
		t.Run(name, func(t *testing.T) {
			l := ParseBytes([]byte(in))
			require.Empty(t, l.Malformed)
			var got []string
			for _, e := range l.Entries {
				assert.Equal(t, x, e.Hex)
				assert.Equal(t, SHA256, e.Algorithm)
				got = append(got, e.Name)
			}
			assert.Equal(t, want, got)
		})
	}
}
