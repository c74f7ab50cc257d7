package engine_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/cicd-hub/hubgate/adapters/cli"
)

var update = flag.Bool("update", false, "rewrite the want files of fixtures/cases/*.txtar")

// TestCases runs every fixtures/cases/*.txtar through the real command line,
// in process. A case holds:
//
//	-- args --        one eval argument per line, paths relative to the case
//	-- <any file> --  registry, evidence, subjects
//	-- want.exit --   the exit code
//	-- want.json --   the decision (stdout of -o json), or
//	-- want.stderr -- what hubgate printed on stderr, for exit 2 cases
//
// go test ./engine -run TestCases -update rewrites the want files.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("../fixtures/cases/*.txtar")
	require.NoError(t, err)
	for i, f := range files {
		files[i], err = filepath.Abs(f)
		require.NoError(t, err)
	}
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			require.NoError(t, err)
			dir := t.TempDir()
			var args []string
			for _, f := range ar.Files {
				switch {
				case f.Name == "args":
					for _, l := range strings.Split(string(f.Data), "\n") {
						if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
							args = append(args, l)
						}
					}
				case strings.HasPrefix(f.Name, "want."):
				default:
					p := filepath.Join(dir, filepath.FromSlash(f.Name))
					require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
					require.NoError(t, os.WriteFile(p, f.Data, 0o644))
				}
			}
			require.NotEmpty(t, args, "case has no args")
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			code := cli.Main(context.Background(), append([]string{"eval", "-o", "json"}, args...), strings.NewReader(""), &stdout, &stderr)

			got := map[string][]byte{"want.exit": []byte(strconv.Itoa(code) + "\n")}
			if code == 2 {
				got["want.stderr"] = stderr.Bytes()
			} else {
				got["want.json"] = stdout.Bytes()
			}
			if *update {
				var kept []txtar.File
				for _, f := range ar.Files {
					if !strings.HasPrefix(f.Name, "want.") {
						kept = append(kept, f)
					}
				}
				for _, n := range []string{"want.exit", "want.json", "want.stderr"} {
					if b, ok := got[n]; ok {
						kept = append(kept, txtar.File{Name: n, Data: b})
					}
				}
				ar.Files = kept
				require.NoError(t, os.WriteFile(file, txtar.Format(ar), 0o644))
				return
			}
			wants := 0
			for _, f := range ar.Files {
				if !strings.HasPrefix(f.Name, "want.") {
					continue
				}
				wants++
				b, ok := got[f.Name]
				require.True(t, ok, "%s: hubgate exited %d and produced no %s; stderr:\n%s", file, code, f.Name, stderr.String())
				require.Equal(t, string(f.Data), string(b), "%s differs; rerun with -update if the change is intended", f.Name)
			}
			require.GreaterOrEqual(t, wants, 2, "the case has no want.exit and want.json/want.stderr; run with -update")
		})
	}
}
