// Package parse is the one parse-error helper of the evidence packages:
// [Error] names the field, line and column of a bad document, and the
// engine turns it into a problem naming them (evidence.ProblemOf). It
// also holds the bounds and format sniffing the JSON and XML parsers share.
package parse

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultMaxSize bounds a document when the caller gives no limit.
const DefaultMaxSize int64 = 256 << 20

// ErrTooLarge is wrapped when a document exceeds the size limit.
var ErrTooLarge = errors.New("document exceeds the size limit")

// Error is a document that could not be decoded, with the position of the
// problem when the decoder gave one.
type Error struct {
	// Path is the field path ("components.purl"), "" when unknown.
	Path string
	// Line and Col are 1-based, 0 when unknown.
	Line, Col int
	Err       error
}

func (e *Error) Error() string {
	s := ""
	if e.Line > 0 {
		s = fmt.Sprintf("line %d", e.Line)
		if e.Col > 0 {
			s += fmt.Sprintf(":%d", e.Col)
		}
		s += ": "
	}
	if e.Path != "" {
		s += e.Path + ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// FieldPath is the field's path in the file, such as "entries[3].sha256".
func (e *Error) FieldPath() string { return e.Path }

// Errorf returns an *Error for the field at path.
func Errorf(path, format string, args ...any) error {
	return &Error{Path: path, Err: fmt.Errorf(format, args...)}
}

// MaxQuoted is how many bytes of a bad value a problem quotes ([Clip]).
const MaxQuoted = 80

// Clip is how a problem quotes a value from the document: s as valid UTF-8 (invalid bytes become U+FFFD), at most max
// bytes long and cut on a rune boundary, with "…" appended when it was cut.
func Clip(s string, max int) string {
	if max < 0 {
		max = 0
	}
	cut := len(s) > max
	if cut {
		s = s[:max]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > max {
		cut = true
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	if cut {
		s += "…"
	}
	return s
}

// Issue is a problem with one element of a document that was otherwise read:
// an invalid purl, an unknown status. The rest of the document is used.
type Issue struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// LineCol returns the 1-based line and column of the byte at the 0-based
// offset in data (the end of data when offset is past it).
func LineCol(data []byte, offset int64) (line, col int) {
	if offset < 0 {
		return 0, 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// JSONError turns an error from encoding/json over data into an [*Error]
// with a line and column (syntax errors and type errors) and a field path
// (type errors). Other errors are wrapped unchanged.
func JSONError(data []byte, err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read before the error: the bad byte is
		// the last of them.
		l, c := LineCol(data, max(se.Offset-1, 0))
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			return &Error{Line: l, Col: c, Err: errors.New("unexpected end of json: the document is truncated")}
		}
		return &Error{Line: l, Col: c, Err: fmt.Errorf("invalid json: %s", se.Error())}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		l, c := LineCol(data, te.Offset)
		return &Error{Path: te.Field, Line: l, Col: c, Err: fmt.Errorf("cannot use json %s as %s", te.Value, te.Type)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		l, c := LineCol(data, int64(len(data)))
		return &Error{Line: l, Col: c, Err: errors.New("unexpected end of json: the document is truncated")}
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Err: err}
}

// XMLError turns an error from encoding/xml into an [*Error] with a line.
func XMLError(err error) error {
	if err == nil {
		return nil
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &Error{Line: se.Line, Err: fmt.Errorf("invalid xml: %s", se.Msg)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Err: errors.New("unexpected end of xml: the document is empty or truncated")}
	}
	return &Error{Err: fmt.Errorf("invalid xml: %w", err)}
}

// CheckSize returns an error wrapping [ErrTooLarge] when data is over limit
// (limit <= 0 means [DefaultMaxSize]).
func CheckSize(data []byte, limit int64) error {
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if int64(len(data)) > limit {
		return &Error{Err: fmt.Errorf("%w: %d bytes over the limit of %d", ErrTooLarge, len(data), limit)}
	}
	return nil
}

// FirstByte returns the first non-space byte of data, 0 when there is none.
// '{' or '[' means JSON, '<' means XML.
func FirstByte(data []byte) byte {
	// Skip a UTF-8 byte order mark.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for _, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b
	}
	return 0
}

// Presence is a JSON value that records only that it was there. Decoding a
// document into a struct of Presence fields checks its syntax and tells
// formats apart without copying their contents.
type Presence bool

// UnmarshalJSON implements [json.Unmarshaler].
func (p *Presence) UnmarshalJSON(b []byte) error {
	*p = Presence(!bytes.Equal(b, []byte("null")))
	return nil
}
