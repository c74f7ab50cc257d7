package engine_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

var jobNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func caesarJob() engine.JobInput {
	return engine.JobInput{
		Repo: "jguida941/learn-caesar-cipher", Workflow: "release.yml", Job: "project-tests",
		RunsOn: "ubuntu-22.04", Timeout: 30 * time.Minute, SecretScope: "caesar-cipher",
		CancelInProgress: true, Run: "r1", Attempt: "r1-a1", Now: jobNow,
	}
}

func rulesOf(d *policy.Decision) []string {
	var out []string
	for _, f := range d.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestEvaluateJob(t *testing.T) {
	e := newDefaultEngine(t)
	tests := []struct {
		name  string
		edit  func(*engine.JobInput)
		rules []string // nil = admitted
	}{
		{name: "seed job", edit: func(*engine.JobInput) {}},
		{name: "other runner", edit: func(in *engine.JobInput) { in.RunsOn = "self-hosted" }, rules: []string{"job.runner_allowed", "job.job_matches"}},
		{name: "unlisted workflow", edit: func(in *engine.JobInput) { in.Workflow = "deploy.yml" }, rules: []string{"job.workflow_listed"}},
		{name: "unlisted job", edit: func(in *engine.JobInput) { in.Job = "lint" }, rules: []string{"job.job_matches"}},
		{name: "long timeout", edit: func(in *engine.JobInput) { in.Timeout = 31 * time.Minute }, rules: []string{"job.timeout_within"}},
		{name: "no timeout", edit: func(in *engine.JobInput) { in.Timeout = 0 }, rules: []string{"job.timeout_within"}},
		{name: "other scope", edit: func(in *engine.JobInput) { in.SecretScope = "contact-service" }, rules: []string{"job.secret_scope"}},
		{name: "no cancel", edit: func(in *engine.JobInput) { in.CancelInProgress = false }, rules: []string{"job.cancel_in_progress"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := caesarJob()
			tt.edit(&in)
			d, err := e.EvaluateJob(context.Background(), in)
			require.NoError(t, err)
			assert.Equal(t, tt.rules, rulesOf(d))
			assert.Equal(t, tt.rules == nil, d.Allowed)
			require.NotEmpty(t, d.Checks)
			assert.Equal(t, engine.KindJob, d.Checks[0].Kind)
			if tt.rules != nil {
				assert.Equal(t, policy.OutcomeFail, d.Outcome)
			}
		})
	}
}

func TestEvaluateJobDeterministic(t *testing.T) {
	e := newDefaultEngine(t)
	a, err := e.EvaluateJob(context.Background(), caesarJob())
	require.NoError(t, err)
	b, err := e.EvaluateJob(context.Background(), caesarJob())
	require.NoError(t, err)
	assert.Equal(t, a, b)
	in := caesarJob()
	in.Attempt = "r1-a2"
	c, err := e.EvaluateJob(context.Background(), in)
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, c.ID)
}

func TestEvaluateJobBadInput(t *testing.T) {
	e := newDefaultEngine(t)
	for name, edit := range map[string]func(*engine.JobInput){
		"no repo":      func(in *engine.JobInput) { in.Repo = "" },
		"no attempt":   func(in *engine.JobInput) { in.Attempt = "" },
		"long job":     func(in *engine.JobInput) { in.Job = strings.Repeat("a", engine.MaxJobField+1) },
		"control char": func(in *engine.JobInput) { in.Workflow = "a\nb.yml" },
		"no time":      func(in *engine.JobInput) { in.Now = time.Time{} },
		"negative":     func(in *engine.JobInput) { in.Timeout = -time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			in := caesarJob()
			edit(&in)
			_, err := e.EvaluateJob(context.Background(), in)
			require.ErrorIs(t, err, engine.ErrInput)
		})
	}
	in := caesarJob()
	in.Repo = "acme/nope"
	_, err := e.EvaluateJob(context.Background(), in)
	require.ErrorIs(t, err, registry.ErrUnknownRepo)
}

func TestEvaluateJobDisabledAndWaived(t *testing.T) {
	reg, err := registry.Load(fstest.MapFS{"r.cue": {Data: []byte(`
repos: "acme/off": {enabled: false}
repos: "acme/app": {
	waivers: [{rule: "job.cancel_in_progress", reason: "migrating", owner: "ops", expires: "2026-12-31"}]
}
`)}}, "r.cue")
	require.NoError(t, err)
	e, err := engine.New(context.Background(), engine.WithRegistry(reg))
	require.NoError(t, err)
	in := engine.JobInput{Repo: "acme/off", Workflow: "ci.yml", Job: "test", RunsOn: "ubuntu-latest", Timeout: time.Minute, CancelInProgress: true, Attempt: "1", Now: jobNow}
	d, err := e.EvaluateJob(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, []string{"job.enabled"}, rulesOf(d))
	assert.False(t, d.Allowed)

	in.Repo, in.CancelInProgress = "acme/app", false
	d, err = e.EvaluateJob(context.Background(), in)
	require.NoError(t, err)
	require.Equal(t, []string{"job.cancel_in_progress"}, rulesOf(d))
	assert.NotNil(t, d.Findings[0].Waiver)
	assert.True(t, d.Allowed)

	// After the waiver's expiry the same job is denied.
	in.Now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	d, err = e.EvaluateJob(context.Background(), in)
	require.NoError(t, err)
	assert.False(t, d.Allowed)
}

func TestAddJobLimits(t *testing.T) {
	e := newDefaultEngine(t)
	d, err := e.EvaluateJob(context.Background(), caesarJob())
	require.NoError(t, err)
	require.True(t, d.Allowed)
	at := jobNow.Add(30 * time.Second)
	engine.AddJobLimits(d, engine.JobLimit{Name: "rate", Value: 10, Current: 0, ExpectedAt: at})
	assert.False(t, d.Allowed)
	require.Len(t, d.Findings, 1)
	f := d.Findings[0]
	assert.Equal(t, "job.limit_rate", f.Rule)
	assert.Contains(t, f.Message, "capacity of 10")
	assert.Contains(t, f.Message, "2026-11-28T00:00:30Z")

	d, err = e.EvaluateJob(context.Background(), caesarJob())
	require.NoError(t, err)
	engine.AddJobStateError(d, errors.New("dial tcp 127.0.0.1:1: connection refused"), false)
	assert.False(t, d.Allowed)
	assert.Equal(t, policy.OutcomeError, d.Outcome)
	assert.Contains(t, d.Findings[0].Message, "connection refused")

	d, err = e.EvaluateJob(context.Background(), caesarJob())
	require.NoError(t, err)
	engine.AddJobStateError(d, errors.New("connection refused"), true)
	assert.True(t, d.Allowed)
	assert.Equal(t, policy.OutcomeWarn, d.Outcome)
	assert.Contains(t, d.Findings[0].Message, "fail_open")
}

func TestJobSettings(t *testing.T) {
	e := newDefaultEngine(t)
	s, err := e.JobSettings("jguida941/learn-caesar-cipher", "release.yml", "project-tests")
	require.NoError(t, err)
	assert.Equal(t, engine.JobSettings{MaxParallelJobs: 2, MaxInProgress: 1, MaxParallel: 2, LeaseTTL: 5 * time.Minute}, s)
}

// A release's Evaluate never runs the job rules.
func TestReleaseRulesLeaveJobRulesOut(t *testing.T) {
	e := newDefaultEngine(t)
	var n int
	for _, r := range e.Rules() {
		if r.Kind == engine.KindJob {
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 6)
}

func newDefaultEngine(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.New(context.Background())
	require.NoError(t, err)
	return e
}

// FuzzEvaluateJob: any request is a decision or an ErrInput/unknown-repo
// error, never a panic, and never allowed with a rule failing.
func FuzzEvaluateJob(f *testing.F) {
	f.Add("jguida941/learn-caesar-cipher", "release.yml", "project-tests", "ubuntu-22.04", "caesar-cipher", "a1", int64(30*time.Minute), true)
	f.Add("jguida941/ci-cd-hub", "unit.yml", "tests", "ubuntu-22.04", "", "\x00", int64(-1), false)
	e, err := engine.New(context.Background())
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, repo, wf, job, runsOn, scope, attempt string, timeout int64, cancel bool) {
		d, err := e.EvaluateJob(context.Background(), engine.JobInput{
			Repo: repo, Workflow: wf, Job: job, RunsOn: runsOn, SecretScope: scope, Attempt: attempt,
			Timeout: time.Duration(timeout), CancelInProgress: cancel, Now: jobNow,
		})
		if err != nil {
			if !errors.Is(err, engine.ErrInput) && !errors.Is(err, registry.ErrUnknownRepo) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		for _, fd := range d.Findings {
			if fd.Waiver == nil && fd.Outcome.Blocks() && d.Allowed {
				t.Fatalf("allowed with %s", fd.Rule)
			}
		}
	})
}

// The main branch's runner-isolation.yaml (enabled): its overrides are
// judged by the stateless rules and read by the limits' settings.
func TestJobMainBranchRunnerIsolation(t *testing.T) {
	b, err := os.ReadFile("../fixtures/registry/runner-isolation-main.yaml")
	require.NoError(t, err)
	src := strings.Replace(string(b), "  enabled: false\n\n  # Global", "  enabled: true\n\n  # Global", 1)
	require.NotEqual(t, string(b), src)
	reg, err := registry.Load(fstest.MapFS{
		"runner-isolation.yaml": {Data: []byte(src)},
		"repos.cue":             {Data: []byte(`repos: "acme/app": jobs: workflow_overrides: security: timeout: "40m"`)},
	}, "runner-isolation.yaml", "repos.cue")
	require.NoError(t, err)
	e, err := engine.New(context.Background(), engine.WithRegistry(reg))
	require.NoError(t, err)

	base := engine.JobInput{Repo: "acme/app", Workflow: "release.yml", Job: "publish", RunsOn: "macos-latest",
		Timeout: 30 * time.Minute, Attempt: "a1", Now: jobNow}
	for _, tt := range []struct {
		name  string
		edit  func(*engine.JobInput)
		rules []string
	}{
		{"release need not cancel", func(*engine.JobInput) {}, nil},
		{"unlisted workflow is admitted", func(in *engine.JobInput) { in.Workflow, in.CancelInProgress = "docs.yml", true }, nil},
		{"other workflows must cancel", func(in *engine.JobInput) { in.Workflow = "test.yml" }, []string{"job.cancel_in_progress"}},
		{"security's own timeout", func(in *engine.JobInput) {
			in.Workflow, in.CancelInProgress, in.Timeout = "security.yml", true, 50*time.Minute
		}, []string{"job.timeout_within"}},
		{"within security's timeout", func(in *engine.JobInput) {
			in.Workflow, in.CancelInProgress, in.Timeout = "security.yml", true, 40*time.Minute
		}, nil},
		{"runner outside the defaults", func(in *engine.JobInput) { in.RunsOn = "self-hosted" }, []string{"job.runner_allowed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			tt.edit(&in)
			d, err := e.EvaluateJob(context.Background(), in)
			require.NoError(t, err)
			assert.Equal(t, tt.rules, rulesOf(d))
		})
	}

	for _, tt := range []struct {
		workflow string
		want     engine.JobSettings
	}{
		{"release.yml", engine.JobSettings{MaxParallelJobs: 5, MaxInProgress: 1, MaxParallel: 4, LeaseTTL: 5 * time.Minute}},
		{"test.yaml", engine.JobSettings{MaxParallelJobs: 5, MaxInProgress: 3, MaxParallel: 6, LeaseTTL: 5 * time.Minute}},
		{"docs.yml", engine.JobSettings{MaxParallelJobs: 5, MaxParallel: 4, LeaseTTL: 5 * time.Minute}},
	} {
		s, err := e.JobSettings("acme/app", tt.workflow, "build")
		require.NoError(t, err)
		assert.Equal(t, tt.want, s, tt.workflow)
	}
}
