package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: the controlling side to read what the
// terminal shows and the terminal side to write to. It skips where the
// system has none.
func openPTY(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pty number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pty: %v", err)
	}
	return ptmx, tty
}

// runOnTerminal runs hubgate with stdout on a pseudo-terminal and returns
// what the terminal received.
func runOnTerminal(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	ptmx, tty := openPTY(t)
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the terminal side closes
		got <- string(b)
	}()
	var errb bytes.Buffer
	a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: tty, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code := a.run(args)
	require.NoError(t, tty.Close())
	out := <-got
	// The line discipline turns \n into \r\n.
	return code, strings.ReplaceAll(out, "\r\n", "\n")
}

// TestColourOnATerminal: on a pseudo-terminal the text report is coloured,
// and the check table's columns still line up as a person sees them.
func TestColourOnATerminal(t *testing.T) {
	args := release(t, "tampered")
	code, out := runOnTerminal(t, nil, args...)
	require.Equal(t, ExitDenied, code)
	require.Contains(t, out, "\x1b[31mDENIED\x1b[0m", "colour on a terminal")
	visible := stripEscapes(out)
	i := strings.Index(visible, "CHECK")
	require.GreaterOrEqual(t, i, 0)
	block, _, _ := strings.Cut(visible[i:], "\n\n")
	lines := strings.Split(block, "\n")
	want := strings.Index(lines[0], "FINDINGS")
	for _, l := range lines[1:] {
		// the findings count starts under FINDINGS on every row
		assert.Equal(t, want, strings.IndexFunc(l[strings.Index(l, " "):], func(r rune) bool { return r >= '0' && r <= '9' })+strings.Index(l, " "), "row %q in\n%s", l, block)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		flag string
		want bool
	}{
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, "", false},
		{"--color never", nil, "never", false},
		{"--color always beats NO_COLOR", map[string]string{"NO_COLOR": "1"}, "always", true},
		{"--color auto", nil, "auto", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := append([]string{}, args...)
			if tt.flag != "" {
				a = append(a, "--color", tt.flag)
			}
			_, out := runOnTerminal(t, tt.env, a...)
			assert.Equal(t, tt.want, strings.Contains(out, "\x1b["), out)
		})
	}
}

func TestColorFlag(t *testing.T) {
	args := release(t, "pass")
	code, out, _ := run(t, append(args, "--color", "always")...)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "\x1b[32mALLOWED\x1b[0m", "always colours a pipe too")
	code, _, errs := run(t, append(args, "--color", "sometimes")...)
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "hubgate: --color \"sometimes\": want auto, always or never\n", errs)
	// colour never goes into a report file
	p := t.TempDir() + "/r.txt"
	code, _, _ = run(t, append(args, "--color", "always", "-o", "text="+p)...)
	require.Equal(t, 0, code)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "\x1b")
}

func stripEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
