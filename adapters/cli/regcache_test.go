package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/cli"
)

// TestEvalRegistryCache: eval keeps the resolved registry under
// $XDG_CACHE_HOME/hubgate/registry, serves the same decision from it, picks
// up a changed registry at once, and writes nothing with
// HUBGATE_REGISTRY_CACHE=off.
func TestEvalRegistryCache(t *testing.T) {
	dir := t.TempDir()
	xdg := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", xdg)
	t.Setenv("HUBGATE_REGISTRY_CACHE", "") // TestMain turns it off for the others
	art := filepath.Join(dir, "app.tar.gz")
	require.NoError(t, os.WriteFile(art, []byte("hubgate fixture release 1.0.0\n"), 0o644))
	reg := filepath.Join(dir, "r.cue")
	sums := filepath.Join(dir, "SHA256SUMS")
	require.NoError(t, os.WriteFile(sums, []byte("5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73  app.tar.gz\n"), 0o644))
	eval := func() (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), []string{"eval", "--registry", reg, "--repo", "acme/app", "--subject", art,
			"--checksums", sums, "--now", "2026-11-28T00:00:00Z", "-o", "json"}, strings.NewReader(""), &out, &errb)
		return code, out.String() + errb.String()
	}
	entries := func() int {
		ents, _ := os.ReadDir(filepath.Join(xdg, "hubgate", "registry"))
		return len(ents)
	}

	require.NoError(t, os.WriteFile(reg, []byte(`repos: "acme/app": {require: ["checksums"]}`), 0o644))
	code1, out1 := eval()
	require.Equal(t, 0, code1, out1)
	require.Equal(t, 1, entries())
	code2, out2 := eval()
	require.Equal(t, code1, code2)
	require.Equal(t, out1, out2, "the cached registry gives the same bytes")

	// A changed registry is read at once: now sbom is required and missing.
	require.NoError(t, os.WriteFile(reg, []byte(`repos: "acme/app": {require: ["checksums", "sbom"]}`), 0o644))
	code3, out3 := eval()
	require.Equal(t, 1, code3, out3)
	require.Contains(t, out3, "sbom.present")
	require.Equal(t, 2, entries())

	t.Setenv("HUBGATE_REGISTRY_CACHE", "off")
	require.NoError(t, os.WriteFile(reg, []byte(`repos: "acme/app": {require: ["checksums", "vex"]}`), 0o644))
	code4, out4 := eval()
	require.Equal(t, 1, code4, out4)
	require.Contains(t, out4, "vex.present")
	require.Equal(t, 2, entries(), "off writes nothing")
}
