package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

// Evaluate a release of two artifacts against a minimal registry: the
// checksum list is missing one of them, so the release is denied.
func ExampleEngine_Evaluate() {
	dir, _ := os.MkdirTemp("", "hubgate-example")
	defer os.RemoveAll(dir)
	reg := filepath.Join(dir, "registry.cue")
	_ = os.WriteFile(reg, []byte(`repos: "acme/app": {require: ["checksums"]}`), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "app.tar.gz"), []byte("hello\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "app.sbom.json"), []byte("{}\n"), 0o644)
	sums := filepath.Join(dir, "SHA256SUMS")
	_ = os.WriteFile(sums, []byte("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  app.tar.gz\n"), 0o644)

	eng, err := engine.New(context.Background(), engine.WithRegistryPath(reg))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := eng.Evaluate(context.Background(), engine.Input{
		Repo: "acme/app",
		Now:  time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
		Subjects: []engine.SubjectInput{
			{Path: filepath.Join(dir, "app.tar.gz")},
			{Path: filepath.Join(dir, "app.sbom.json")},
		},
		Evidence: []engine.Item{{Kind: policy.KindChecksums, Path: sums}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("outcome:", d.Outcome, "allowed:", d.Allowed)
	for _, f := range d.Findings {
		if f.Outcome.Blocks() {
			fmt.Println(f.Rule, f.Target)
		}
	}
	// Output:
	// outcome: fail allowed: false
	// checksums.listed app.sbom.json
}
