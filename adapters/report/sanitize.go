package report

import (
	"fmt"
	"strings"
)

// Sanitize makes untrusted text (file names, messages, targets: anything
// that comes from evidence) inert for display, so that it cannot move the
// cursor, clear or recolour a terminal or a log viewer, break out of its
// line, or reorder what a reader sees. It is the one sanitiser every
// renderer uses:
//
//   - C0 controls, DEL and C1 controls are escaped: "\n", "\r" and "\t" as
//     those two-character escapes, the others as "\x1b", "\x9b";
//   - Unicode bidirectional controls (U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators
//     U+2028 and U+2029 are escaped as "\u202e";
//   - invalid UTF-8 becomes U+FFFD.
//
// Everything else, non-Latin scripts included, is kept. Sanitize does not
// escape backslashes, so a name that already reads `\x1b` looks the same as
// one that held ESC; both are harmless.
func Sanitize(s string) string {
	if !needsSanitize(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidiOrSeparator(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			// An invalid byte ranges as utf8.RuneError, written as U+FFFD.
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean is the name the renderers call Sanitize by.
func clean(s string) string { return Sanitize(s) }

func needsSanitize(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			// Non-ASCII: look at runes (only some of them need escaping).
			if c < 0x80 {
				return true
			}
			return strings.ContainsFunc(s[i:], func(r rune) bool {
				return isControl(r) || isBidiOrSeparator(r) || r == '\uFFFD'
			})
		}
	}
	return false
}

// isControl reports C0 controls, DEL and C1 controls.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// isBidiOrSeparator reports the Unicode bidirectional formatting controls
// (Unicode TR9: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI)
// and the line and paragraph separators.
func isBidiOrSeparator(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
