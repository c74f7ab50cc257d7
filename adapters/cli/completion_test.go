package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// complete runs cobra's hidden __complete command and returns the offered
// values (without the trailing directive line).
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errs := run(t, append([]string{"__complete"}, args...)...)
	require.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.NotEmpty(t, lines)
	require.True(t, strings.HasPrefix(lines[len(lines)-1], ":"), out)
	return lines[:len(lines)-1]
}

func TestCompletion(t *testing.T) {
	assert.Equal(t, []string{"text", "json", "sarif", "junit", "markdown", "github"}, complete(t, "eval", "-o", ""))
	assert.Equal(t, []string{"jguida941/ci-cd-bst-demo-github-actions", "jguida941/ci-cd-hub"}, complete(t, "eval", "--repo", "jguida941/ci-cd-"))
	assert.Equal(t, []string{"jguida941/ci-cd-hub"}, complete(t, "registry", "show", "--repo", "jguida941/ci-cd-h"))
	assert.Equal(t, []string{"warn", "fail"}, complete(t, "eval", "--fail-on", ""))
	assert.Equal(t, []string{"auto", "always", "never"}, complete(t, "eval", "--color", ""))
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errs := run(t, "completion", sh)
		require.Equal(t, 0, code, errs)
		assert.Contains(t, out, "hubgate", sh)
	}
}

func TestPolicyListKind(t *testing.T) {
	code, out, errs := run(t, "policy", "list", "--kind", "egress")
	require.Equal(t, 0, code, errs)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		assert.True(t, strings.HasPrefix(l, "egress."), l)
	}
	code, _, errs = run(t, "policy", "list", "--kind", "egres")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `(did you mean egress?)`)
	assert.Contains(t, complete(t, "policy", "list", "--kind", ""), "evidence_bundle")
}

func TestAdmissionTestOutputCompletion(t *testing.T) {
	assert.Contains(t, complete(t, "admission", "test", "-o", ""), "sarif")
}
