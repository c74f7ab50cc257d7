package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// warnPolicy is a user rule that warns on every subject not named *.zip,
// so the pass release is allowed with a warning.
const warnPolicy = `package hub.custom

# METADATA
# title: Subjects are zips
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Package the artifact as .zip.
zip contains f if {
	some s in input.subjects
	not endswith(s.name, ".zip")
	f := {"message": sprintf("%s is not a zip", [s.name]), "target": s.name, "expected": "*.zip", "actual": s.name}
}
`

func warnRelease(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "zip.rego"), []byte(warnPolicy), 0o644))
	return append(release(t, "pass"), "--policy", dir)
}

func TestFailOn(t *testing.T) {
	warn := warnRelease(t)
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"warn allowed by default", warn, 0},
		{"warn with --fail-on fail", append(append([]string{}, warn...), "--fail-on", "fail"), 0},
		{"warn with --fail-on warn", append(append([]string{}, warn...), "--fail-on", "warn"), 1},
		{"pass with --fail-on warn", append(release(t, "pass"), "--fail-on", "warn"), 0},
		{"denied with --fail-on warn", append(release(t, "tampered"), "--fail-on", "warn"), 1},
		{"denied with --fail-on fail", append(release(t, "tampered"), "--fail-on", "fail"), 1},
		{"bad value", append(release(t, "pass"), "--fail-on", "error"), 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, tt.args...)
			assert.Equal(t, tt.code, code, "%s\n%s", out, errs)
		})
	}
}

func TestExplain(t *testing.T) {
	code, out, errs := run(t, append(release(t, "tampered"), "--explain")...)
	require.Equal(t, 1, code, errs)
	i := strings.Index(out, "\nexplain: 1 finding(s) decided jguida941/ci-cd-hub (outcome fail)\n")
	require.Positive(t, i, out)
	ex := out[i:]
	for _, s := range []string{
		"-- FAIL checksums.digest_match (critical)\n",
		"   source:    rego/checksums.rego:",
		"   read:      ",
		"SHA256SUMS:1\n",
		"   found:     sha256:",
		"   wanted:    sha256:",
		"   registry:  jguida941/ci-cd-hub.checksums = {\"algorithms\":[\"sha256\",\"sha512\"]}\n",
	} {
		assert.Contains(t, ex, s)
	}
	// Deterministic.
	args := release(t, "tampered")
	_, first, _ := run(t, append(args, "--explain")...)
	_, again, _ := run(t, append(args, "--explain")...)
	ex = first
	assert.Equal(t, ex[strings.Index(ex, "-- FAIL"):], again[strings.Index(again, "-- FAIL"):])

	// With a machine format on stdout the explanation goes to stderr.
	code, out, errs = run(t, append(release(t, "tampered"), "--explain", "-o", "json")...)
	require.Equal(t, 1, code)
	assert.NotContains(t, out, "explain:")
	assert.Contains(t, errs, "-- FAIL checksums.digest_match")

	// A warning is explained too; a pass has nothing to explain.
	_, out, _ = run(t, append(warnRelease(t), "--explain")...)
	assert.Contains(t, out, "-- WARN custom.zip (medium)\n")
	assert.Contains(t, out, "   found:     app.tar.gz\n   wanted:    *.zip\n")
	_, out, _ = run(t, append(release(t, "pass"), "--explain")...)
	assert.Contains(t, out, "explain: nothing failed or warned for jguida941/ci-cd-hub (outcome pass)")
}
