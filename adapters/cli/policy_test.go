package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
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
	code, out, errs := run(t, "policy", "test")
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
