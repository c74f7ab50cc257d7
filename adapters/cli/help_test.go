package cli

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commandPaths lists every command of the tree, root first, as argument
// lists ("verify", "signature").
func commandPaths(c *cobra.Command, prefix []string) [][]string {
	out := [][]string{prefix}
	for _, sub := range c.Commands() {
		if sub.Hidden || sub.Name() == "help" {
			continue
		}
		out = append(out, commandPaths(sub, append(append([]string{}, prefix...), sub.Name()))...)
	}
	return out
}

// TestHelpGolden pins every command's --help in fixtures/cli/help; run
// go test ./adapters/cli -run TestHelpGolden -update after a deliberate change.
func TestHelpGolden(t *testing.T) {
	a := &app{ctx: context.Background(), getenv: func(string) string { return "" }}
	paths := commandPaths(a.newRootCmd(), nil)
	require.Greater(t, len(paths), 20, "the whole tree")
	dir := filepath.Join("..", "..", "fixtures", "cli", "help")
	want := map[string]bool{}
	for _, p := range paths {
		name := "hubgate"
		if len(p) > 0 {
			name += "_" + strings.Join(p, "_")
		}
		want[name+".txt"] = true
		t.Run(name, func(t *testing.T) {
			code, out, errs := run(t, append(p, "--help")...)
			require.Equal(t, 0, code, errs)
			assert.NotContains(t, out, "[=true|false]", "booleans take no value in help")
			assert.NotContains(t, out, " stringArray", "value names, not Go types")
			assert.NotContains(t, out, " string ", "value names, not Go types")
			for _, l := range strings.Split(out, "\n") {
				assert.Equal(t, strings.TrimRight(l, " "), l, "no trailing blanks")
			}
			file := filepath.Join(dir, name+".txt")
			if *update {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
			}
			b, err := os.ReadFile(file)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(b), out, "help of %q changed: go test ./adapters/cli -run TestHelpGolden -update", name)
		})
	}
	// No stale golden files of removed commands.
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		assert.True(t, want[e.Name()], "stale help golden %s", e.Name())
	}
}

func TestEvalHelpShowsValueNames(t *testing.T) {
	code, out, _ := run(t, "eval", "--help")
	require.Equal(t, 0, code)
	for _, s := range []string{
		"      --referrers FILE ",
		"  -o, --output FORMAT[=PATH] ",
		"      --repo OWNER/NAME ",
		"      --github   ",
		"      --subject-digest NAME=sha256:HEX ",
	} {
		assert.Contains(t, out, s)
	}
	assert.NotContains(t, out, "--referrers oras")
}

func TestSuggestions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"evl"}, "hubgate: unknown command \"evl\" for \"hubgate\" (did you mean eval?)\n"},
		{[]string{"registry", "lst"}, "hubgate: unknown command \"lst\" for \"hubgate registry\" (did you mean list?)\n"},
		{[]string{"eval", "--repoo", "x"}, "hubgate: eval: unknown flag: --repoo (did you mean --repo?)\n"},
		{[]string{"eval", "--colour", "x"}, "hubgate: eval: unknown flag: --colour (did you mean --color?)\n"},
		{[]string{"eval", "--zzzzzz"}, "hubgate: eval: unknown flag: --zzzzzz\n"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			assert.Equal(t, ExitUsage, code)
			assert.Empty(t, stdout, "no help dumped on a typo")
			assert.Equal(t, tt.want, stderr)
		})
	}
}

func TestVersion(t *testing.T) {
	old := readBuildInfo
	t.Cleanup(func() { readBuildInfo = old })
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/cicd-hub/hubgate", Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-28T00:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true
	}
	code, out, _ := run(t, "version")
	require.Equal(t, 0, code)
	assert.Regexp(t, `^hubgate v1\.2\.3 \(rev 0123456789ab, 2026-11-28T00:00:00Z, modified\) go1\.26\.0 [a-z0-9]+/[a-z0-9]+\n$`, out)
	code, flagOut, _ := run(t, "--version")
	require.Equal(t, 0, code)
	assert.Equal(t, out, flagOut, "--version prints what version prints")
	code, js, _ := run(t, "version", "--json")
	require.Equal(t, 0, code)
	assert.JSONEq(t, `{"version":"v1.2.3","module":"github.com/cicd-hub/hubgate","vcsRevision":"0123456789abcdef0123","vcsTime":"2026-11-28T00:00:00Z","vcsModified":true,"goVersion":"go1.26.0","platform":"`+platform()+`"}`, js)

	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	_, out, _ = run(t, "version")
	assert.True(t, strings.HasPrefix(out, "hubgate (devel) "), out)
}
