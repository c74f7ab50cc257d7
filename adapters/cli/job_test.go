package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/jobs/redistest"
)

func TestJobCommands(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "decisions.ndjson")
	// The embedded registry: the hub's own repositories and runner isolation.
	base := []string{"--redis", srv.Addr(), "--repo", "jguida941/learn-caesar-cipher", "--workflow", "release.yml",
		"--job", "project-tests", "--runs-on", "ubuntu-22.04", "--timeout", "30m", "--secret-scope", "caesar-cipher",
		"--cancel-in-progress", "--run-id", "run-7", "--decision-log", log}
	admit := func(attempt string, extra ...string) (int, string, string) {
		return run(t, append(append([]string{"job", "admit", "--attempt", attempt}, base...), extra...)...)
	}

	code, out, errs := admit("run-7-1")
	require.Equal(t, ExitOK, code, out+errs)
	assert.Contains(t, out, "ADMITTED jguida941/learn-caesar-cipher release.yml/project-tests attempt run-7-1, lease until")

	code, out, _ = admit("run-7-1", "-o", "json")
	require.Equal(t, ExitOK, code)
	var res struct {
		Admitted bool `json:"admitted"`
		Lease    struct {
			Existing bool `json:"existing"`
		} `json:"lease"`
		Decision struct {
			Outcome string `json:"outcome"`
		} `json:"decision"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	assert.True(t, res.Admitted)
	assert.True(t, res.Lease.Existing)
	assert.Equal(t, "pass", res.Decision.Outcome)

	// learn-caesar-cipher has max_parallel_jobs 2; the third is denied with exit 1.
	code, _, _ = admit("run-7-2")
	require.Equal(t, ExitOK, code)
	code, out, _ = admit("run-7-3")
	require.Equal(t, ExitDenied, code, out)
	assert.Contains(t, out, "DENIED")
	assert.Contains(t, out, "job.limit_repo: repo limit 2 reached: 2 in use of 2; next slot expected by")

	// A stateless rule denies before any limit: another repo's secret scope.
	code, out, _ = admit("run-7-4", "--secret-scope", "contact-service")
	require.Equal(t, ExitDenied, code)
	assert.Contains(t, out, "fail job.secret_scope")

	code, out, _ = run(t, "job", "heartbeat", "--redis", srv.Addr(), "--attempt", "run-7-1")
	require.Equal(t, ExitOK, code, out)
	assert.True(t, strings.HasPrefix(out, "renewed run-7-1 until "), out)
	code, out, _ = run(t, "job", "release", "--redis", srv.Addr(), "--attempt", "run-7-1", "-o", "json")
	require.Equal(t, ExitOK, code)
	assert.JSONEq(t, `{"attempt":"run-7-1","status":"released"}`, out)
	code, _, _ = run(t, "job", "heartbeat", "--redis", srv.Addr(), "--attempt", "run-7-1")
	assert.Equal(t, ExitDenied, code, "a released lease cannot be renewed")
	code, _, _ = admit("run-7-3")
	assert.Equal(t, ExitOK, code, "the released slot is free")

	// Could not decide: usage, unknown repo.
	code, _, errs = run(t, "job", "admit", "--redis", srv.Addr(), "--repo", "acme/nope", "--workflow", "w.yml", "--job", "j", "--runs-on", "x", "--attempt", "1")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errs, "unknown repo")
	code, _, errs = run(t, "job", "admit", "--repo", "acme/app")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errs, "--workflow is required")

	// Redis gone: denied, fail closed, saying so.
	srv.Stop()
	code, out, _ = admit("run-7-9")
	assert.Equal(t, ExitDenied, code)
	assert.Contains(t, out, "error job.state: admission state unreachable, job denied (fail closed)")
	code, _, errs = run(t, "job", "release", "--redis", srv.Addr(), "--attempt", "run-7-3")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errs, "redis")

	b, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	assert.Len(t, lines, 7)
	for _, l := range lines {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &v))
		assert.Contains(t, v, "pipeline_run")
		assert.Equal(t, "hubgate.decision-log.v1", v["schema"])
	}
}
