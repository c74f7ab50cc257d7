package registry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadMainIsolation loads the main branch's runner-isolation.yaml, with
// the replacements applied, beside extra CUE.
func loadMainIsolation(t *testing.T, extra string, replace ...string) (*Registry, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "runner-isolation-main.yaml"))
	require.NoError(t, err)
	src := string(b)
	for i := 0; i+1 < len(replace); i += 2 {
		next := strings.Replace(src, replace[i], replace[i+1], 1)
		require.NotEqual(t, src, next, "replace %q", replace[i])
		src = next
	}
	return Load(fstest.MapFS{
		"runner-isolation.yaml": {Data: []byte(src)},
		"repos.cue":             {Data: []byte(extra)},
	}, "runner-isolation.yaml", "repos.cue")
}

const enable = "  enabled: false\n\n  # Global"

// As the hub ships it (enabled: false), the file is read and checked but
// none of its settings apply: the repo has the defaults.
func TestRunnerIsolationMainDisabled(t *testing.T) {
	r, err := loadMainIsolation(t, `repos: "acme/app": {}`)
	require.NoError(t, err)
	j := jobsOf(t, r, "acme/app")
	assert.Equal(t, []any{"ubuntu-22.04", "ubuntu-latest"}, j["allowed_runners"])
	assert.Equal(t, map[string]any{}, j["workflow_overrides"])
	assert.NotContains(t, j, "max_matrix_parallel")

	// `registry import` says why it imports nothing.
	f, err := os.Open(filepath.Join(fixtures, "runner-isolation-main.yaml"))
	require.NoError(t, err)
	defer f.Close()
	out, err := Import(f, "runner-isolation.yaml")
	require.NoError(t, err)
	assert.Contains(t, string(out), "// runner_isolation.enabled is false: none of its settings apply.\norg: {}")

	// Disabled, its shape is still checked: a misspelt field is an error
	// at its position, not a setting silently lost when it is enabled.
	_, err = loadMainIsolation(t, `repos: "acme/app": {}`, "max_in_progress: 1", "max_in_progres: 1")
	ps := problems(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, 37, ps[0].Line, ps[0].String())
	assert.Contains(t, err.Error(), `workflows.release: unknown field "max_in_progres"`)
}

func TestRunnerIsolationMainEnabled(t *testing.T) {
	r, err := loadMainIsolation(t, `repos: "acme/app": {}`, enable, "  enabled: true\n\n  # Global")
	require.NoError(t, err)
	rp, err := r.Repo("acme/app")
	require.NoError(t, err)
	j := rp.Data["jobs"].(map[string]any)
	assert.Equal(t, []any{"ubuntu-latest", "ubuntu-22.04", "ubuntu-24.04", "windows-latest", "macos-latest"}, j["allowed_runners"])
	assert.Equal(t, true, j["require_cancel_in_progress"])
	assert.Equal(t, float64(4), j["max_matrix_parallel"])
	assert.Equal(t, map[string]any{}, j["workflows"], "the main branch's workflows are overrides, not the list of workflows")
	assert.Equal(t, map[string]any{
		"release":  map[string]any{"max_in_progress": float64(1), "require_cancel_in_progress": false},
		"test":     map[string]any{"max_in_progress": float64(3), "max_matrix_parallel": float64(6)},
		"security": map[string]any{"max_in_progress": float64(2), "timeout": "60m"},
	}, j["workflow_overrides"])
	limits := rp.Data["limits"].(map[string]any)
	assert.Equal(t, float64(5), limits["max_parallel_jobs"])
	assert.NotContains(t, limits, "rate", "fair_scheduling is disabled")

	r, err = loadMainIsolation(t, `repos: "acme/app": {}`, enable, "  enabled: true\n\n  # Global",
		"fair_scheduling:\n    enabled: false", "fair_scheduling:\n    enabled: true",
		"max_concurrent_jobs: 5", "max_concurrent_jobs: 3")
	require.NoError(t, err)
	rp, err = r.Repo("acme/app")
	require.NoError(t, err)
	limits = rp.Data["limits"].(map[string]any)
	assert.Equal(t, map[string]any{"capacity": float64(10), "refill_per_minute": float64(2)}, limits["rate"])
	assert.Equal(t, float64(3), limits["max_parallel_jobs"])
}

func TestRunnerIsolationMainErrors(t *testing.T) {
	on := []string{enable, "  enabled: true\n\n  # Global"}
	for _, tt := range []struct {
		name, from, to, want string
		line                 int
	}{
		{"zero timeout", "timeout_minutes: 60", "timeout_minutes: 0", "workflows.security.timeout_minutes: want a positive number of minutes", 48},
		{"text timeout", "timeout_minutes: 60", "timeout_minutes: soon", "timeout_minutes", 48},
		{"unknown default", "max_matrix_parallel: 4", "max_matrix: 4", `defaults: unknown field "max_matrix"`, 31},
		{"unknown override", "max_in_progress: 3", "max_progress: 3", `workflows.test: unknown field "max_progress"`, 42},
		{"zero budget", "max_in_progress: 1", "max_in_progress: 0", "max_in_progress: invalid value 0 (out of bound >=1)", 37},
		{"runner type", "- ubuntu-24.04", "- 24", "allowed_runners", 23},
		{"toggle", "enabled: true\n\n  # Global", "enabled: maybe\n\n  # Global", "runner_isolation.enabled: want a boolean", 12},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repl := append([]string{}, on...)
			if tt.name == "toggle" {
				repl = nil
				tt.from = "enabled: false\n\n  # Global"
			}
			_, err := loadMainIsolation(t, `repos: "acme/app": {}`, append(repl, tt.from, tt.to)...)
			ps := problems(t, err)
			assert.Contains(t, err.Error(), tt.want)
			found := false
			for _, p := range ps {
				if p.File == "runner-isolation.yaml" && p.Line == tt.line {
					found = true
				}
			}
			assert.True(t, found, "no problem at runner-isolation.yaml:%d in %v", tt.line, ps)
		})
	}
}

// A repo may only tighten the main branch's budgets too.
func TestRunnerIsolationMainTighten(t *testing.T) {
	for _, tt := range []struct{ name, repo, wantErr string }{
		{"lower override budget", `jobs: workflow_overrides: release: max_in_progress: 1`, ""},
		{"lower matrix", `jobs: max_matrix_parallel: 2`, ""},
		{"shorter workflow timeout", `jobs: workflow_overrides: security: timeout: "30m"`, ""},
		{"new override that requires cancel", `jobs: workflow_overrides: lint: require_cancel_in_progress: true`, ""},
		{"release may keep not cancelling", `jobs: workflow_overrides: release: require_cancel_in_progress: false`, ""},

		{"higher override budget", `jobs: workflow_overrides: test: max_in_progress: 4`, "out of bound <=3"},
		{"higher matrix", `jobs: max_matrix_parallel: 8`, "out of bound <=4"},
		{"higher override matrix", `jobs: workflow_overrides: test: max_matrix_parallel: 7`, "out of bound <=6"},
		{"longer workflow timeout", `jobs: workflow_overrides: security: timeout: "90m"`, "timeout: invalid value 1h30m0s (out of bound <=1h0m0s)"},
		{"new override that stops cancelling", `jobs: workflow_overrides: lint: require_cancel_in_progress: false`, "require_cancel_in_progress"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadMainIsolation(t, `repos: "acme/app": {`+tt.repo+"}\n", enable, "  enabled: true\n\n  # Global")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
