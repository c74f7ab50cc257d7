package adapters_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/cicd-hub/hubgate"

// TestImportsPointDown runs go list over the adapters and fails on an
// import that breaks the layer table (CONTRIBUTING.md): an adapter imports
// policy, engine (and engine/admission, engine/bounded, engine/registry,
// engine/vsa, the engine's own sub-APIs), and adapters/report; never engine/evidence/* or
// engine/trust (the engine re-exports what adapters need, engine/reexport.go),
// nor the rego or cue packs. adapters/report renders a policy.Decision and
// imports no engine and no other adapter. adapters/oci is the OCI registry
// client (discovery and attach): any adapter may use it, and it imports no
// adapter but report. Otherwise only adapters/cli (the command tree)
// imports other adapters. Test files are not checked.
func TestImportsPointDown(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())

	allowedEngine := map[string]bool{
		module + "/engine":           true,
		module + "/engine/admission": true,
		module + "/engine/bounded":   true,
		module + "/engine/registry":  true,
		module + "/engine/vsa":       true,
	}
	checked := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		if !strings.HasPrefix(pkg, module+"/adapters/") {
			continue
		}
		checked++
		self := strings.TrimPrefix(pkg, module+"/adapters/")
		self, _, _ = strings.Cut(self, "/")
		for _, d := range imports {
			if !strings.HasPrefix(d, module+"/") {
				continue
			}
			switch {
			case d == module+"/policy":
			case strings.HasPrefix(d, module+"/engine/evidence") || strings.HasPrefix(d, module+"/engine/trust"):
				t.Errorf("%s imports %s: adapters import the engine, never the evidence kinds or the trust layer; re-export what is needed from engine (engine/reexport.go)", pkg, d)
			case strings.HasPrefix(d, module+"/engine"):
				if self == "report" {
					t.Errorf("%s imports %s: renderers work on a policy.Decision alone", pkg, d)
				} else if !allowedEngine[d] {
					t.Errorf("%s imports %s: adapters import engine, engine/admission, engine/bounded, engine/registry or engine/vsa", pkg, d)
				}
			case strings.HasPrefix(d, module+"/adapters/"):
				other, _, _ := strings.Cut(strings.TrimPrefix(d, module+"/adapters/"), "/")
				switch {
				case other == self:
				case self == "report":
					t.Errorf("%s imports %s: adapters/report imports no other adapter", pkg, d)
				case self == "oci" && other != "report":
					t.Errorf("%s imports %s: adapters/oci, the registry client, imports no adapter but report", pkg, d)
				case other != "report" && other != "oci" && self != "cli":
					t.Errorf("%s imports %s: an adapter imports adapters/report and adapters/oci alone; only adapters/cli wires adapters together", pkg, d)
				}
			default:
				t.Errorf("%s imports %s: not in the layer table", pkg, d)
			}
		}
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, checked, 4, "the adapters were listed")
}
