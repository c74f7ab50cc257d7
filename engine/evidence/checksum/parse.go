package checksum

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cicd-hub/hubgate/engine/bounded"
	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

// The algorithms a checksum list may use.
const (
	SHA256 = "sha256"
	SHA512 = "sha512"
)

// Formats of a checksum line, as recorded in [Entry.Format].
const (
	// FormatGNU is coreutils' "<hex>  <name>" or "<hex> *<name>" (goreleaser too).
	FormatGNU = "gnu"
	// FormatBSD is "SHA256 (<name>) = <hex>".
	FormatBSD = "bsd"
	// FormatReversed is "<hex> <name>", as "sha256 -r" prints it.
	FormatReversed = "bsd-reversed"
)

const (
	// DefaultLimit is the size limit [Parse] callers use when they have no
	// better one: 64 MiB is some 300,000 sha512 lines.
	DefaultLimit int64 = 64 << 20
	// MaxLineLength bounds one line. Longer lines are malformed.
	MaxLineLength = 16 << 10
	// MaxTextLength bounds the text of a malformed line kept in [Malformed.Text].
	MaxTextLength = 200
)

// ErrTooLarge is returned by [Parse] when the input exceeds its limit.
var ErrTooLarge = errors.New("checksum list exceeds the size limit")

// Entry is one well-formed line of a checksum list.
type Entry struct {
	// Name is the file name, unescaped, without a leading "./".
	Name string `json:"name"`
	// Algorithm is [SHA256] or [SHA512].
	Algorithm string `json:"algorithm"`
	// Hex is the digest in lower case.
	Hex string `json:"hex"`
	// Line is the 1-based line number.
	Line int `json:"line"`
	// Binary is true for coreutils' "*name" binary marker.
	Binary bool `json:"binary,omitempty"`
	// Format is [FormatGNU], [FormatBSD] or [FormatReversed].
	Format string `json:"format"`
}

// Malformed is a line that is neither an entry, a comment nor blank.
type Malformed struct {
	// Line is the 1-based line number.
	Line int `json:"line"`
	// Text is the line, cut to [MaxTextLength] bytes, as valid UTF-8.
	Text string `json:"text"`
	// Reason says what is wrong, in a few words.
	Reason string `json:"reason"`
}

// List is a parsed checksum list.
type List struct {
	// Entries are the well-formed lines in file order, repeats included.
	Entries []Entry `json:"entries"`
	// Malformed are the bad lines in file order.
	Malformed []Malformed `json:"malformed"`
	// Duplicates are names listed more than once for one algorithm, always
	// with the same digest.
	Duplicates []Repeat `json:"duplicates"`
	// Conflicts are names listed more than once for one algorithm with
	// different digests.
	Conflicts []Repeat `json:"conflicts"`
	// Lines is the number of lines read.
	Lines int `json:"lines"`
}

// Parse reads a checksum list of at most limit bytes from r. It returns an
// error only when r fails or holds more than limit bytes (wrapping
// [ErrTooLarge]); bad lines are [List.Malformed]. A limit ≤ 0 means
// [DefaultLimit].
func Parse(r io.Reader, limit int64) (*List, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	b, err := bounded.ReadAll(r, limit)
	if errors.Is(err, bounded.ErrTooLarge) {
		return nil, fmt.Errorf("%w of %d bytes", ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read checksum list: %w", err)
	}
	return ParseBytes(b), nil
}

// ParseBytes parses a checksum list held in memory. It never fails: bad lines
// are [List.Malformed].
func ParseBytes(b []byte) *List {
	l := &List{Entries: []Entry{}, Malformed: []Malformed{}}
	// One conversion for the whole input: names are substrings of it.
	str := strings.TrimPrefix(string(b), "\xef\xbb\xbf")
	for n := 1; len(str) > 0; n++ {
		var raw string
		if i := strings.IndexByte(str, '\n'); i >= 0 {
			raw, str = str[:i], str[i+1:]
		} else {
			raw, str = str, ""
		}
		l.Lines = n
		raw = strings.TrimSuffix(raw, "\r")
		e, reason, skip := parseLine(raw)
		if skip {
			continue
		}
		if reason != "" {
			l.Malformed = append(l.Malformed, Malformed{Line: n, Text: parse.Clip(raw, MaxTextLength), Reason: reason})
			continue
		}
		e.Line = n
		l.Entries = append(l.Entries, e)
	}
	var s Set
	s.Add("", l)
	l.Duplicates, l.Conflicts = s.Repeats()
	return l
}

// parseLine parses one line without its line end. skip is true for blank
// and comment lines; reason is non-empty for a malformed line.
func parseLine(raw string) (e Entry, reason string, skip bool) {
	s := strings.TrimLeft(raw, " \t")
	if strings.TrimSpace(s) == "" || s[0] == '#' {
		return e, "", true
	}
	if len(raw) > MaxLineLength {
		return e, fmt.Sprintf("line is longer than %d bytes", MaxLineLength), false
	}
	escaped := false
	if s[0] == '\\' {
		escaped, s = true, s[1:]
	}
	if tag, rest, ok := bsdTag(s); ok {
		e, reason = parseBSD(tag, rest)
	} else {
		e, reason = parseGNU(s)
	}
	if reason != "" {
		return e, reason, false
	}
	if escaped {
		name, err := unescape(e.Name)
		if err != "" {
			return e, err, false
		}
		e.Name = name
	}
	name, reason := normaliseName(e.Name)
	if reason != "" {
		return e, reason, false
	}
	e.Name = name
	return e, "", false
}

// bsdTag reports whether s looks like "TAG (...": a short word starting with a
// letter, then " (".
func bsdTag(s string) (tag, rest string, ok bool) {
	i := strings.Index(s, " (")
	if i <= 0 || i > 16 {
		return "", "", false
	}
	tag = s[:i]
	if c := tag[0]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
		return "", "", false
	}
	for j := 0; j < len(tag); j++ {
		c := tag[j]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", "", false
		}
	}
	return tag, s[i+2:], true
}

// knownTags maps BSD tags to algorithms. Tags that name an unsupported
// algorithm map to "".
var knownTags = map[string]string{
	"SHA256": SHA256, "SHA512": SHA512,
	"SHA2-256": SHA256, "SHA2-512": SHA512,
	"MD5": "", "SHA1": "", "SHA224": "", "SHA384": "", "SHA2-224": "", "SHA2-384": "",
	"BLAKE2B": "", "BLAKE2": "", "SM3": "", "CRC": "", "SHA3-256": "", "SHA3-512": "",
}

func parseBSD(tag, rest string) (Entry, string) {
	alg, known := knownTags[strings.ToUpper(tag)]
	if !known {
		return Entry{}, fmt.Sprintf("unknown algorithm tag %q (want SHA256 or SHA512)", parse.Clip(tag, 32))
	}
	if alg == "" {
		return Entry{}, fmt.Sprintf("unsupported algorithm %s (want SHA256 or SHA512)", strings.ToUpper(tag))
	}
	i := strings.LastIndex(rest, ") = ")
	if i < 0 {
		return Entry{}, `missing ") = " between the name and the digest`
	}
	name, hx := rest[:i], strings.TrimRight(rest[i+4:], " \t")
	if name == "" {
		return Entry{}, "missing file name"
	}
	if hx == "" {
		return Entry{}, "missing digest"
	}
	if !isHex(hx) {
		return Entry{}, fmt.Sprintf("digest is not hexadecimal: %q", parse.Clip(hx, 40))
	}
	if want := hexLen(alg); len(hx) != want {
		return Entry{}, fmt.Sprintf("%s digest has %d hex digits, want %d", alg, len(hx), want)
	}
	return Entry{Name: name, Algorithm: alg, Hex: strings.ToLower(hx), Format: FormatBSD}, ""
}

func parseGNU(s string) (Entry, string) {
	i := strings.IndexAny(s, " \t")
	hx := s
	if i >= 0 {
		hx = s[:i]
	}
	if !isHex(hx) {
		if i < 0 || len(hx) != 64 && len(hx) != 128 {
			return Entry{}, "not a checksum line: want \"<hex>  <name>\" or \"SHA256 (<name>) = <hex>\""
		}
		return Entry{}, fmt.Sprintf("digest is not hexadecimal: %q", parse.Clip(hx, 40))
	}
	var alg string
	switch len(hx) {
	case 64:
		alg = SHA256
	case 128:
		alg = SHA512
	case 32:
		return Entry{}, "digest has 32 hex digits (md5?): only sha256 (64) and sha512 (128) are accepted"
	case 40:
		return Entry{}, "digest has 40 hex digits (sha1?): only sha256 (64) and sha512 (128) are accepted"
	case 96:
		return Entry{}, "digest has 96 hex digits (sha384?): only sha256 (64) and sha512 (128) are accepted"
	default:
		return Entry{}, fmt.Sprintf("digest has %d hex digits: want 64 (sha256) or 128 (sha512)", len(hx))
	}
	if i < 0 || i+1 >= len(s) {
		return Entry{}, "missing file name"
	}
	e := Entry{Algorithm: alg, Hex: strings.ToLower(hx)}
	rest := s[i:]
	switch {
	case len(rest) >= 2 && rest[0] == ' ' && (rest[1] == ' ' || rest[1] == '*'):
		e.Format, e.Binary, e.Name = FormatGNU, rest[1] == '*', rest[2:]
	case rest[0] == ' ':
		e.Format, e.Name = FormatReversed, rest[1:]
	default:
		return Entry{}, `want two spaces or " *" between the digest and the name`
	}
	if e.Name == "" {
		return Entry{}, "missing file name"
	}
	return e, ""
}

// unescape undoes coreutils' escaping of names on lines that start with a
// backslash.
func unescape(s string) (string, string) {
	if !strings.Contains(s, `\`) {
		return s, ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", "escaped name ends with a lone backslash"
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", fmt.Sprintf(`unknown escape "\%c" in the name (want \\, \n or \r)`, s[i])
		}
	}
	return b.String(), ""
}

// normaliseName strips leading "./" and rejects names that cannot be
// compared safely.
func normaliseName(s string) (string, string) {
	for strings.HasPrefix(s, "./") {
		s = s[2:]
	}
	switch {
	case s == "":
		return "", "missing file name"
	case !utf8.ValidString(s):
		return "", "file name is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "", "file name contains a NUL byte"
	}
	return s, ""
}

// NormaliseName returns name as checksum entries are keyed: without leading
// "./".
func NormaliseName(name string) string {
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	return name
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func hexLen(alg string) int {
	if alg == SHA512 {
		return 128
	}
	return 64
}
