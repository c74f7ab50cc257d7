package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const registryFixtures = "../../fixtures/registry"

// runRegistry runs hubgate with args and returns its exit code and output.
func runRegistry(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{ctx: context.Background(), stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" }}
	code := a.run(args)
	return code, stdout.String(), stderr.String()
}

func TestRegistryValidate(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		code      int
		stdout    string
		stderrHas []string
		stderrNot []string
	}{
		{name: "valid cue", path: "valid.cue", code: ExitOK, stdout: "OK: 3 repositories\n"},
		{name: "minimal", path: "minimal.cue", code: ExitOK, stdout: "OK: 1 repository\n"},
		{name: "hub yaml", path: "repositories.yaml", code: ExitOK, stdout: "OK: 4 repositories\n"},
		{name: "type error", path: "type_error.cue", code: ExitUsage,
			stderrHas: []string{"type_error.cue:4:10:", `repos."acme/app".limits.max_parallel_jobs`}},
		{name: "two errors", path: "two_errors.cue", code: ExitUsage,
			stderrHas: []string{"2 problem(s)", "two_errors.cue:3:25:", "two_errors.cue:4:10:"}},
		{name: "loosen", path: "loosen.cue", code: ExitUsage,
			stderrHas: []string{"loosen.cue:8:29:", "loosen.cue:9:29:", "loosen.cue:10:37:", "out of bound <=2"}},
		{name: "negative timeout yaml", path: "repositories-bad-timeout.yaml", code: ExitUsage,
			stderrHas: []string{"repositories-bad-timeout.yaml:16:22:", `"-5m"`}},
		{name: "missing file", path: "nope.cue", code: ExitUsage, stderrHas: []string{"nope.cue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runRegistry(t, "", "registry", "validate", filepath.Join(registryFixtures, tt.path))
			assert.Equal(t, tt.code, code, errOut)
			if tt.code == ExitOK {
				assert.Equal(t, tt.stdout, out)
				assert.Empty(t, errOut)
			} else {
				assert.Empty(t, out)
			}
			for _, w := range tt.stderrHas {
				assert.Contains(t, errOut, w)
			}
		})
	}
}

func TestRegistryShow(t *testing.T) {
	t.Run("default registry, the hub's repos", func(t *testing.T) {
		want := map[string]struct {
			timeout string
			jobs    float64
			allow0  string
		}{
			"jguida941/ci-cd-hub":                     {"45m", 5, "github.com"},
			"jguida941/learn-caesar-cipher":           {"30m", 2, "github.com"},
			"jguida941/contact-service-junit":         {"45m", 5, "github.com"},
			"jguida941/ci-cd-bst-demo-github-actions": {"30m", 5, "github.com"},
		}
		for repo, w := range want {
			for _, reg := range []string{"", filepath.Join(registryFixtures, "repositories.yaml")} {
				args := []string{"registry", "show", "--repo", repo}
				if reg != "" {
					args = append(args, "--registry", reg)
				}
				code, out, errOut := runRegistry(t, "", args...)
				require.Equal(t, ExitOK, code, errOut)
				var got map[string]any
				require.NoError(t, json.Unmarshal([]byte(out), &got), out)
				limits := got["limits"].(map[string]any)
				assert.Equal(t, w.timeout, limits["build_timeout"], repo)
				assert.Equal(t, w.jobs, limits["max_parallel_jobs"], repo)
				assert.Equal(t, []any{"checksums"}, got["require"], repo)
				assert.Equal(t, w.allow0, got["egress"].(map[string]any)["allow"].([]any)[0], repo)
				// Defaults are filled in.
				assert.Equal(t, 7.0, got["vulnerabilities"].(map[string]any)["cvss_threshold"], repo)
				assert.True(t, strings.HasPrefix(out, "{\n  \""), "indented JSON")
			}
		}
	})
	t.Run("same bytes twice", func(t *testing.T) {
		_, a, _ := runRegistry(t, "", "registry", "show", "--repo", "acme/app", "--registry", filepath.Join(registryFixtures, "valid.cue"))
		_, b, _ := runRegistry(t, "", "registry", "show", "--repo", "acme/app", "--registry", filepath.Join(registryFixtures, "valid.cue"))
		assert.Equal(t, a, b)
		assert.Contains(t, a, `"expires": "2026-12-31"`)
	})
	errs := []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown repo", args: []string{"--repo", "acme/nope"}, want: `unknown repo "acme/nope"`},
		{name: "no repo", args: nil, want: "--repo is required"},
		{name: "bad registry", args: []string{"--repo", "acme/app", "--registry", filepath.Join(registryFixtures, "type_error.cue")}, want: "type_error.cue:4:10"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runRegistry(t, "", append([]string{"registry", "show"}, tt.args...)...)
			assert.Equal(t, ExitUsage, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

func TestRegistryImport(t *testing.T) {
	code, out, errOut := runRegistry(t, "", "registry", "import", filepath.Join(registryFixtures, "repositories.yaml"))
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, `"jguida941/learn-caesar-cipher": {`)
	assert.Contains(t, out, `resource_limit_mb: 2048`)

	// The output validates.
	dir := t.TempDir()
	p := filepath.Join(dir, "hub.cue")
	require.NoError(t, os.WriteFile(p, []byte(out), 0o600))
	code, vout, errOut := runRegistry(t, "", "registry", "validate", p)
	assert.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "OK: 4 repositories\n", vout)

	// Standard input.
	yaml, err := os.ReadFile(filepath.Join(registryFixtures, "repositories.yaml"))
	require.NoError(t, err)
	code, stdinOut, errOut := runRegistry(t, string(yaml), "registry", "import", "-")
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, strings.Replace(out, filepath.Join(registryFixtures, "repositories.yaml"), "<stdin>", 1), stdinOut)

	code, out, errOut = runRegistry(t, "", "registry", "import", filepath.Join(registryFixtures, "repositories-bad-timeout.yaml"))
	assert.Equal(t, ExitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "repositories-bad-timeout.yaml:51:22:")
}

func TestRegistrySchema(t *testing.T) {
	code, out, errOut := runRegistry(t, "", "registry", "schema")
	require.Equal(t, ExitOK, code, errOut)
	for _, w := range []string{"#Registry", "// cue/section_vulnerabilities.cue", "cvss_threshold"} {
		assert.Contains(t, out, w)
	}
	code, _, _ = runRegistry(t, "", "registry", "schema", "extra")
	assert.Equal(t, ExitUsage, code)
}
