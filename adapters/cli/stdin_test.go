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

func runStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{ctx: context.Background(), stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	return a.run(args), out.String(), errb.String()
}

func TestEvidenceFromStdin(t *testing.T) {
	src := filepath.Join("..", "..", "fixtures", "releases")
	sums := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(src, rel, "SHA256SUMS"))
		require.NoError(t, err)
		return string(b)
	}
	args := func(rel string) []string {
		return []string{"eval", "--repo", "jguida941/ci-cd-hub", "--now", evalNow, "--subject", filepath.Join(src, rel, "app.tar.gz"), "--checksums", "-"}
	}
	code, _, errs := runStdin(t, sums("pass"), args("pass")...)
	assert.Equal(t, 0, code, errs)

	code, out, _ := runStdin(t, sums("tampered"), args("tampered")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "where:    <stdin>:1")
	assert.NotContains(t, out, "hubgate-stdin-", "no temporary name in the report")

	// Same input, same bytes (decision id included).
	_, j1, _ := runStdin(t, sums("tampered"), append(args("tampered"), "-o", "json")...)
	_, j2, _ := runStdin(t, sums("tampered"), append(args("tampered"), "-o", "json")...)
	assert.Equal(t, j1, j2)
	assert.Contains(t, j1, `"path": "<stdin>"`)

	// Only one flag may read stdin; not for subjects or directories.
	code, _, errs = runStdin(t, "", append(args("pass"), "--sbom", "-")...)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "only one flag may read standard input (-); --checksums, --sbom all do")
	code, _, errs = runStdin(t, "", "eval", "--repo", "jguida941/ci-cd-hub", "--subject", "-")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "not --subject")

	// Oversized standard input is reported like an oversized file.
	code, out, _ = runStdin(t, strings.Repeat("x", 2048), append(args("pass"), "--max-file-size", "1024")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "<stdin>")
}
