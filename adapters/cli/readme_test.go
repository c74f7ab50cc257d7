package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shellCommands splits the sh code blocks of a Markdown file into simple
// commands: backslash continuations joined, comments dropped, ";" splitting
// commands, quotes removed.
func shellCommands(t *testing.T, md string) [][]string {
	t.Helper()
	var cmds [][]string
	in := false
	var block []string
	for _, l := range strings.Split(md, "\n") {
		// Blocks may be indented under a list item.
		l = strings.TrimLeft(l, " ")
		switch {
		case !in && (l == "```sh" || l == "```bash"):
			in, block = true, nil
		case in && l == "```":
			in = false
			text := strings.ReplaceAll(strings.Join(block, "\n"), "\\\n", " ")
			for _, line := range strings.Split(text, "\n") {
				cmds = append(cmds, splitShell(line)...)
			}
		case in:
			block = append(block, l)
		}
	}
	return cmds
}

// splitShell splits one line into commands and words, as sh would for the
// simple lines a README holds.
func splitShell(line string) [][]string {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord, quote := false, rune(0)
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case r == '#' && !inWord:
			flush()
			if len(words) > 0 {
				cmds = append(cmds, words)
			}
			return cmds
		case r == ';':
			flush()
			if len(words) > 0 {
				cmds = append(cmds, words)
			}
			words = nil
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	flush()
	if len(words) > 0 {
		cmds = append(cmds, words)
	}
	return cmds
}

// TestReadmeExamples runs every hubgate command of the README's sh blocks
// from the repository root: commands on repository files must run as
// written (exit 0 or 1, never the usage exit 2); commands with placeholders
// ("...", "<…>") or that serve, write keys or certificates are parsed: the
// command exists and every flag is known.
func TestReadmeExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	t.Chdir(filepath.Join("..", ".."))
	ran, parsed := 0, 0
	for _, words := range shellCommands(t, string(b)) {
		var args []string
		switch {
		case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/hubgate":
			args = words[3:]
		case words[0] == "hubgate":
			args = words[1:]
		default:
			continue
		}
		name := strings.Join(args, " ")
		placeholder := strings.Contains(name, "...") || strings.Contains(name, "<")
		runnable := !placeholder && len(args) > 0 && map[string]bool{"eval": true, "verify": true, "admission": true, "registry": true, "policy": true, "version": true}[args[0]]
		t.Run(name, func(t *testing.T) {
			if runnable {
				ran++
				var out, errb bytes.Buffer
				a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
				code := a.run(args)
				assert.Contains(t, []int{0, 1}, code, "the README example must run as written:\n%s", errb.String())
				if code == 1 {
					assert.NotContains(t, errb.String(), "no such file", "names a file that is not in the repository")
				}
				return
			}
			parsed++
			var clean []string
			for _, w := range args {
				if w != "..." {
					clean = append(clean, w)
				}
			}
			a := &app{ctx: context.Background(), getenv: func(string) string { return "" }}
			root := a.newRootCmd()
			cmd, rest, err := root.Find(clean)
			require.NoError(t, err)
			require.NotEqual(t, root, cmd, "an unknown command")
			assert.NoError(t, cmd.ParseFlags(rest), "flags the command does not know")
		})
	}
	assert.GreaterOrEqual(t, ran, 5, "examples that run")
	assert.GreaterOrEqual(t, parsed, 3, "examples that are parsed")
}
