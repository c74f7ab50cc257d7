package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run runs hubgate in process with an empty environment.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = a.run(args)
	return code, out.String(), errb.String()
}

// TestRuleCatalogueIsCurrent keeps rego/README.md, which docs_uri links to,
// equal to the catalogue of the built-in pack.
func TestRuleCatalogueIsCurrent(t *testing.T) {
	code, out, errs := run(t, "policy", "list", "--markdown")
	require.Equal(t, 0, code, errs)
	path := filepath.Join("..", "..", "rego", "README.md")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "rego/README.md is stale: go test ./adapters/cli -run TestRuleCatalogueIsCurrent -update")
	assert.Contains(t, out, "\n### checksums.digest_match\n")
}

func TestPolicyTestRunsRegoUnitTests(t *testing.T) {
	code, out, errs := run(t, "policy", "test", "-v")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errs)
	assert.Contains(t, out, "PASS data.hub.checksums_test.")
	assert.Regexp(t, `(?m)^\d+ passed, 0 failed$`, out)

	// A user directory with a failing test fails the command.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x_test.rego"), []byte("package hub.x_test\n\ntest_fails if { 1 == 2 }\n"), 0o644))
	code, out, _ = run(t, "policy", "test", "--no-builtin", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL data.hub.x_test.test_fails")
	assert.Contains(t, out, "0 passed, 1 failed")
}

func TestPolicyListUserRuleHTTPSendFails(t *testing.T) {
	dir := t.TempDir()
	src := "package hub.custom\n\n# METADATA\n# title: t\n# custom:\n#   severity: low\nx contains f if {\n\tr := http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1\"})\n\tf := {\"message\": r.body}\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.rego"), []byte(src), 0o644))
	code, _, errs := run(t, "policy", "list", "--policy", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "c.rego:8:")
	assert.Contains(t, errs, "http.send")
}

// TestPolicyTestDeterministic: the same bytes on every run, in name order;
// --run selects, -v shows passes, --format json has the pinned keys.
func TestPolicyTestDeterministic(t *testing.T) {
	_, first, _ := run(t, "policy", "test", "-v")
	for range 3 {
		_, again, _ := run(t, "policy", "test", "-v")
		require.Equal(t, first, again)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(first), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "PASS" {
			names = append(names, f[1])
		}
	}
	require.Greater(t, len(names), 50)
	assert.True(t, slices.IsSorted(names), "name order")

	code, quiet, _ := run(t, "policy", "test")
	require.Equal(t, 0, code)
	assert.NotContains(t, quiet, "PASS ", "passes only with -v")
	assert.Regexp(t, `^\d+ passed, 0 failed\n$`, quiet)

	code, out, _ := run(t, "policy", "test", "-v", "--run", `checksums_test\.test_digest_match`)
	require.Equal(t, 0, code)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[:1] {
		assert.Contains(t, l, "PASS data.hub.checksums_test.test_digest_match")
	}
	assert.NotContains(t, out, "sbom_test")

	code, out, _ = run(t, "policy", "test", "--format", "json", "--run", `checksums_test\.test_digest_match`)
	require.Equal(t, 0, code)
	var rep struct {
		Passed, Failed int
		Tests          []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.NotEmpty(t, rep.Tests)
	assert.Equal(t, len(rep.Tests), rep.Passed)
	assert.ElementsMatch(t, []string{"name", "package", "location", "pass"}, slices.Collect(maps.Keys(rep.Tests[0])))

	code, _, errs := run(t, "policy", "test", "--run", "no_such_test_xyz")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "no tests match --run")
	code, _, _ = run(t, "policy", "test", "--run", "(")
	assert.Equal(t, 2, code)
	code, _, _ = run(t, "policy", "test", "--format", "xml")
	assert.Equal(t, 2, code)
}
