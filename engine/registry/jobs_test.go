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

// loadRunnerIsolation loads the hub's runner-isolation.yaml beside extra CUE.
func loadRunnerIsolation(t *testing.T, name, extra string) (*Registry, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	require.NoError(t, err)
	return Load(fstest.MapFS{
		"runner-isolation.yaml": {Data: b},
		"repos.cue":             {Data: []byte(extra)},
	}, "runner-isolation.yaml", "repos.cue")
}

func jobsOf(t *testing.T, r *Registry, repo string) map[string]any {
	t.Helper()
	rp, err := r.Repo(repo)
	require.NoError(t, err)
	j, ok := rp.Data["jobs"].(map[string]any)
	require.True(t, ok, "no jobs section in %v", rp.Data)
	return j
}

func TestRunnerIsolationImport(t *testing.T) {
	r, err := loadRunnerIsolation(t, "runner-isolation.yaml", `repos: "acme/app": {}`)
	require.NoError(t, err)
	j := jobsOf(t, r, "acme/app")
	assert.Equal(t, []any{"ubuntu-22.04", "ubuntu-latest"}, j["allowed_runners"])
	assert.Equal(t, true, j["require_cancel_in_progress"])
	assert.Equal(t, false, j["fail_open"])
	wf := j["workflows"].(map[string]any)
	assert.Len(t, wf, 4)
	rel := wf["release.yml"].(map[string]any)
	assert.Equal(t, float64(1), rel["max_in_progress"])
	pt := rel["jobs"].(map[string]any)["project-tests"].(map[string]any)
	assert.Equal(t, "ubuntu-22.04", pt["runs_on"])
	assert.Equal(t, float64(2), pt["max_parallel"])
	assert.Equal(t, "ubuntu-latest", wf["mutation.yml"].(map[string]any)["jobs"].(map[string]any)["observatory"].(map[string]any)["runs_on"])

	// The same through `registry import`.
	f, err := os.Open(filepath.Join(fixtures, "runner-isolation.yaml"))
	require.NoError(t, err)
	defer f.Close()
	out, err := Import(f, "runner-isolation.yaml")
	require.NoError(t, err)
	assert.Contains(t, string(out), `"release.yml"`)
	imp, err := Load(fstest.MapFS{"a.cue": {Data: out}, "b.cue": {Data: []byte(`repos: "acme/app": {}`)}}, "a.cue", "b.cue")
	require.NoError(t, err, string(out))
	assert.Equal(t, j, jobsOf(t, imp, "acme/app"))
}

func TestRunnerIsolationDefaultRegistry(t *testing.T) {
	r, err := LoadDefault()
	require.NoError(t, err)
	j := jobsOf(t, r, "jguida941/learn-caesar-cipher")
	wf := j["workflows"].(map[string]any)
	assert.Contains(t, wf, "release.yml")
	assert.Contains(t, wf, "unit.yml")
}

func TestRunnerIsolationErrorsHavePositions(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixtures, "runner-isolation.yaml"))
	require.NoError(t, err)
	for _, tt := range []struct {
		name, from, to, want string
		line, col            int
	}{
		{"zero budget", "max_in_progress: 1", "max_in_progress: 0", `org.jobs.workflows."release.yml".max_in_progress: invalid value 0 (out of bound >=1)`, 21, 5},
		{"string parallelism", "max_parallel: 2", "max_parallel: two", `"project-tests".max_parallel: conflicting values "two" and int`, 27, 9},
		{"empty runner", "runs_on: ubuntu-latest", `runs_on: ""`, `"mutation.yml".jobs.observatory.runs_on: invalid value ""`, 15, 9},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tt.from, tt.to, 1)
			require.NotEqual(t, string(good), bad)
			_, err := Load(fstest.MapFS{"runner-isolation.yaml": {Data: []byte(bad)}, "r.cue": {Data: []byte(`repos: "acme/app": {}`)}}, "runner-isolation.yaml", "r.cue")
			ps := problems(t, err)
			require.Len(t, ps, 1, err.Error())
			assert.Equal(t, "runner-isolation.yaml", ps[0].File)
			assert.Equal(t, tt.line, ps[0].Line, err.Error())
			assert.Equal(t, tt.col, ps[0].Col, err.Error())
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRunnerIsolationUnknownField(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"top", "version: 1\nworkflows: {}\nmax_jobs: 3\n", `unknown top-level field "max_jobs"`},
		{"defaults", "version: 1\nworkflows: {}\ndefaults:\n  cancel: true\n", `defaults: unknown field "cancel"`},
		{"version", "version: 2\nworkflows: {}\n", "version: want 1"},
		{"bucket", "workflows: {}\nfair_scheduling:\n  token_bucket:\n    size: 3\n", `unknown field "size"`},
		{"job field", "workflows:\n  a.yml:\n    jobs:\n      b:\n        runs_on: x\n        gpu: 1\n", "gpu"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{"ri.yaml": {Data: []byte(tt.src)}, "r.cue": {Data: []byte(`repos: "acme/app": {}`)}}, "ri.yaml", "r.cue")
			ps := problems(t, err)
			assert.Contains(t, err.Error(), tt.want)
			for _, p := range ps {
				if p.File == "ri.yaml" {
					assert.Positive(t, p.Line, p.String())
				}
			}
		})
	}
}

func TestRunnerIsolationTokenBucket(t *testing.T) {
	src := "workflows: {}\nfair_scheduling:\n  enabled: true\n  token_bucket:\n    capacity: 10\n    refill_rate_per_minute: 2\n"
	r, err := Load(fstest.MapFS{"ri.yaml": {Data: []byte(src)}, "r.cue": {Data: []byte(`repos: "acme/app": {}`)}}, "ri.yaml", "r.cue")
	require.NoError(t, err)
	rp, err := r.Repo("acme/app")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"capacity": float64(10), "refill_per_minute": float64(2)}, rp.Data["limits"].(map[string]any)["rate"])

	off := strings.Replace(src, "enabled: true", "enabled: false", 1)
	r, err = Load(fstest.MapFS{"ri.yaml": {Data: []byte(off)}, "r.cue": {Data: []byte(`repos: "acme/app": {}`)}}, "ri.yaml", "r.cue")
	require.NoError(t, err)
	rp, err = r.Repo("acme/app")
	require.NoError(t, err)
	assert.NotContains(t, rp.Data["limits"].(map[string]any), "rate")
}

// A team or a repo may only tighten the org's job budgets.
func TestJobsTighten(t *testing.T) {
	tests := []struct {
		name    string
		team    bool
		teamSrc string
		repo    string
		wantErr string // "" = valid
	}{
		{name: "nothing set", repo: ``},
		{name: "fewer runners", repo: `jobs: allowed_runners: ["ubuntu-22.04"]`},
		{name: "lower workflow budget", repo: `jobs: workflows: "unit.yml": max_in_progress: 1`},
		{name: "equal workflow budget", repo: `jobs: workflows: "release.yml": max_in_progress: 1`},
		{name: "lower job parallelism", repo: `jobs: workflows: "release.yml": jobs: "project-tests": max_parallel: 1`},
		{name: "same runner", repo: `jobs: workflows: "unit.yml": jobs: tests: runs_on: "ubuntu-22.04"`},
		{name: "fail open", repo: `jobs: fail_open: true`},
		{name: "shorter lease", repo: `jobs: lease_ttl: "1m"`},
		{name: "team tightens", team: true, repo: `team: "web"`},

		{name: "other runner", repo: `jobs: allowed_runners: ["self-hosted"]`, wantErr: "jobs.allowed_runners"},
		{name: "cancel not required", repo: `jobs: require_cancel_in_progress: false`, wantErr: "jobs.require_cancel_in_progress"},
		{name: "higher workflow budget", repo: `jobs: workflows: "release.yml": max_in_progress: 2`, wantErr: "out of bound <=1"},
		{name: "higher job parallelism", repo: `jobs: workflows: "release.yml": jobs: "project-tests": max_parallel: 3`, wantErr: "out of bound <=2"},
		{name: "new workflow", repo: `jobs: workflows: "deploy.yml": jobs: x: runs_on: "ubuntu-22.04"`, wantErr: "workflow deploy.yml is not in the parent's workflows"},
		{name: "new job", repo: `jobs: workflows: "unit.yml": jobs: lint: runs_on: "ubuntu-22.04"`, wantErr: "job lint is not in the parent's workflow unit.yml"},
		{name: "other job runner", repo: `jobs: workflows: "unit.yml": jobs: tests: runs_on: "ubuntu-latest"`, wantErr: "runs_on"},
		{name: "bad lease", repo: `jobs: lease_ttl: "1ms"`, wantErr: "lease_ttl"},
		{name: "team loosens", team: true, teamSrc: `teams: web: jobs: workflows: "release.yml": max_in_progress: 3`, repo: `team: "web"`, wantErr: "teams.web.jobs.workflows"},
		{name: "repo loosens its team", team: true, repo: `team: "web", jobs: workflows: "unit.yml": max_in_progress: 3`, wantErr: "out of bound <=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := ""
			if tt.team {
				extra = tt.teamSrc
				if extra == "" {
					extra = `teams: web: jobs: workflows: "unit.yml": max_in_progress: 2`
				}
				extra += "\n"
			}
			_, err := loadRunnerIsolation(t, "runner-isolation.yaml", extra+`repos: "acme/app": {`+tt.repo+"}\n")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			ps := problems(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			for _, p := range ps {
				assert.NotEmpty(t, p.File, p.String())
				assert.Positive(t, p.Line, p.String())
			}
		})
	}
}

// Every bad budget of the org's workflows is reported, each at its own
// position: not only the first one CUE meets.
func TestRunnerIsolationReportsEveryError(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixtures, "runner-isolation.yaml"))
	require.NoError(t, err)
	bad := string(good)
	for _, r := range [][2]string{{"max_in_progress: 1", "max_in_progress: 0"}, {"max_parallel: 2", "max_parallel: 0"}, {"runs_on: ubuntu-latest", `runs_on: ""`}} {
		next := strings.Replace(bad, r[0], r[1], 1)
		require.NotEqual(t, bad, next)
		bad = next
	}
	_, err = Load(fstest.MapFS{"runner-isolation.yaml": {Data: []byte(bad)}, "r.cue": {Data: []byte(`repos: "acme/app": {}`)}}, "runner-isolation.yaml", "r.cue")
	ps := problems(t, err)
	var lines []int
	for _, p := range ps {
		assert.Equal(t, "runner-isolation.yaml", p.File, p.String())
		lines = append(lines, p.Line)
	}
	assert.Equal(t, []int{15, 21, 27}, lines, err.Error())
}
