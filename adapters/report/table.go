package report

import (
	"io"
	"strings"
	"unicode/utf8"
)

// table aligns columns by the width people see: runes, with ANSI escape
// sequences counted as nothing. text/tabwriter counts bytes, so colour codes
// and multi-byte runes shifted its columns on a terminal. Cells are padded
// first and painted after, so the escapes never enter the arithmetic.
type table struct {
	rows [][]tcell
}

// tcell is one table cell: its text and, optionally, how to paint it.
type tcell struct {
	text  string
	paint func(string) string
}

func (t *table) row(cells ...tcell) { t.rows = append(t.rows, cells) }

// write writes the table with two spaces between columns and no trailing
// blanks.
func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], visibleWidth(c.text))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			s := c.text
			if c.paint != nil {
				s = c.paint(s)
			}
			b.WriteString(s)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-visibleWidth(c.text)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// visibleWidth is the number of runes of s a terminal shows: ANSI CSI
// sequences (ESC [ … final byte) and OSC sequences (ESC ] … BEL or ST) count
// as zero.
func visibleWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) {
			switch s[i+1] {
			case '[':
				j := i + 2
				for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
					j++
				}
				i = j + 1
				continue
			case ']':
				j := i + 2
				for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
					j++
				}
				if j < len(s) && s[j] == 0x1b {
					j++
				}
				i = j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}
