package evidence_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

const module = "github.com/cicd-hub/hubgate"

// TestImportsPointDown runs go list -deps over engine/evidence and fails on
// an arrow that breaks the layer table (CONTRIBUTING.md): an evidence kind
// (engine/evidence/<kind>) depends on no other kind, not even through a
// helper; a helper under engine/evidence depends on no kind; nothing under
// engine/evidence depends on the engine or an adapter.
func TestImportsPointDown(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...")
	cmd.Dir = "."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())

	kinds := map[string]policy.EvidenceKind{}
	for _, k := range policy.Kinds() {
		kinds[module+"/engine/evidence/"+string(k)] = k
	}
	isKind := func(p string) bool { _, ok := kinds[p]; return ok }
	checked, kindPkgs := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, deps := fields[0], fields[1:]
		if strings.HasSuffix(pkg, "_test") || !strings.HasPrefix(pkg, module+"/engine/evidence") {
			continue
		}
		checked++
		if isKind(pkg) {
			kindPkgs++
		}
		for _, d := range deps {
			switch {
			case d == module+"/engine" || strings.HasPrefix(d, module+"/adapters"):
				t.Errorf("%s depends on %s: evidence packages sit below the engine and the adapters", pkg, d)
			case isKind(d) && d != pkg && isKind(pkg):
				t.Errorf("evidence kind %s depends on kind %s: share through a helper under engine/evidence or the per-eval cache", path.Base(pkg), path.Base(d))
			case isKind(d) && !isKind(pkg):
				t.Errorf("helper %s depends on kind %s: helpers are shared by kinds and must not depend on one", pkg, path.Base(d))
			}
		}
	}
	require.NoError(t, sc.Err())
	require.Equal(t, len(policy.Kinds()), kindPkgs, "every kind is a package engine/evidence/<kind>")
	require.Greater(t, checked, kindPkgs, "helpers were checked too")
}
