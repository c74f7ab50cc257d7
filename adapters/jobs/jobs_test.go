package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/jobs"
	"github.com/cicd-hub/hubgate/adapters/jobs/redistest"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
)

const testRegistry = `
org: jobs: {
	allowed_runners: ["ubuntu-22.04"]
	require_cancel_in_progress: false
	lease_ttl: "1m"
}
repos: "acme/app": limits: max_parallel_jobs: 2
repos: "acme/rated": limits: {max_parallel_jobs: 5, rate: {capacity: 3, refill_per_minute: 2}}
// acme/bench: no effective limit, for the benchmarks.
org: limits: max_parallel_jobs: 100000000
repos: "acme/bench": {}
repos: "acme/open": {limits: max_parallel_jobs: 1, jobs: fail_open: true}
repos: "acme/wf": {
	limits: max_parallel_jobs: 5
	jobs: workflows: "release.yml": {max_in_progress: 1, jobs: {build: runs_on: "ubuntu-22.04", test: {runs_on: "ubuntu-22.04", max_parallel: 2}}}
}
`

var testEngine = sync.OnceValues(func() (*engine.Engine, error) {
	reg, err := registry.Load(fstest.MapFS{"r.cue": {Data: []byte(testRegistry)}}, "r.cue")
	if err != nil {
		return nil, err
	}
	return engine.New(context.Background(), engine.WithRegistry(reg))
})

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newAdmitter(t testing.TB, rdb *redis.Client, opts ...jobs.StoreOption) (*jobs.Admitter, *bytes.Buffer) {
	t.Helper()
	e, err := testEngine()
	require.NoError(t, err)
	st, err := jobs.NewStore(rdb, opts...)
	require.NoError(t, err)
	var log bytes.Buffer
	a, err := jobs.NewAdmitter(e, st, &syncWriter{w: &log})
	require.NoError(t, err)
	return a, &log
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func req(repo, attempt string) jobs.Request {
	return jobs.Request{Repo: repo, Workflow: "ci.yml", Job: "build", RunsOn: "ubuntu-22.04", Timeout: 10 * time.Minute, Attempt: attempt}
}

func admit(t testing.TB, a *jobs.Admitter, r jobs.Request) *jobs.Result {
	t.Helper()
	res, err := a.Admit(context.Background(), r)
	require.NoError(t, err)
	return res
}

func findingRules(res *jobs.Result) []string {
	var out []string
	for _, f := range res.Decision.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestLeases(t *testing.T) {
	srv := redistest.Start(t)
	clk := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	a, log := newAdmitter(t, srv.Client(t), jobs.WithClock(clk.now))

	r1 := admit(t, a, req("acme/app", "a1"))
	require.True(t, r1.Admitted, "%v", findingRules(r1))
	require.NotNil(t, r1.Lease)
	assert.Equal(t, clk.now().Add(time.Minute), r1.Lease.ExpiresAt)
	require.True(t, admit(t, a, req("acme/app", "a2")).Admitted)

	// The third is denied, naming the limit, its value, the use and when.
	r3 := admit(t, a, req("acme/app", "a3"))
	require.False(t, r3.Admitted)
	require.Equal(t, []string{"job.limit_repo"}, findingRules(r3))
	f := r3.Decision.Findings[0]
	assert.Contains(t, f.Message, "repo limit 2 reached: 2 in use of 2")
	assert.Contains(t, f.Message, "next slot expected by 2026-11-28T00:01:00Z")

	// A duplicate admit of a1 takes no second slot: a3 is still denied.
	dup := admit(t, a, req("acme/app", "a1"))
	require.True(t, dup.Admitted)
	assert.True(t, dup.Lease.Existing)
	assert.Equal(t, r1.Lease.ExpiresAt, dup.Lease.ExpiresAt)
	require.False(t, admit(t, a, req("acme/app", "a3")).Admitted)

	// The same attempt id for another job is refused.
	other := req("acme/app", "a1")
	other.Job = "lint"
	require.False(t, admit(t, a, other).Admitted)

	// Release frees a slot at once.
	st, err := a.Release(context.Background(), "a2")
	require.NoError(t, err)
	assert.Equal(t, jobs.StatusReleased, st)
	require.True(t, admit(t, a, req("acme/app", "a3")).Admitted)
	st, err = a.Release(context.Background(), "a2")
	require.NoError(t, err)
	assert.Equal(t, jobs.StatusUnknown, st)

	// a1 heart-beats, a3 does not: after the TTL, a3's slot is free, a1's not.
	clk.add(50 * time.Second)
	st, exp, err := a.Heartbeat(context.Background(), "a1")
	require.NoError(t, err)
	assert.Equal(t, jobs.StatusRenewed, st)
	assert.Equal(t, clk.now().Add(time.Minute), exp)
	require.False(t, admit(t, a, req("acme/app", "a4")).Admitted)
	clk.add(10*time.Second + time.Microsecond)
	st, _, err = a.Heartbeat(context.Background(), "a3")
	require.NoError(t, err)
	assert.Equal(t, jobs.StatusExpired, st)
	require.True(t, admit(t, a, req("acme/app", "a4")).Admitted)
	require.False(t, admit(t, a, req("acme/app", "a5")).Admitted)

	// Every decision is a log line with a pipeline_run the hub accepts.
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	assert.Len(t, lines, 10)
	var l struct {
		Schema      string `json:"schema"`
		Admitted    bool   `json:"admitted"`
		PipelineRun struct {
			Policies []struct {
				ID, Result string
			} `json:"policies"`
		} `json:"pipeline_run"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[2]), &l))
	assert.False(t, l.Admitted)
	assert.Equal(t, "deny", l.PipelineRun.Policies[0].Result)
}

func TestWorkflowAndJobBudgets(t *testing.T) {
	srv := redistest.Start(t)
	clk := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	a, _ := newAdmitter(t, srv.Client(t), jobs.WithClock(clk.now))
	job := func(run, job, attempt string) jobs.Request {
		r := req("acme/wf", attempt)
		r.Workflow, r.Job, r.Run = "release.yml", job, run
		return r
	}
	require.True(t, admit(t, a, job("run1", "build", "1")).Admitted)
	// Another job of the same run: the run is already in progress.
	require.True(t, admit(t, a, job("run1", "test", "2")).Admitted)
	require.True(t, admit(t, a, job("run1", "test", "3")).Admitted)
	// max_parallel 2 for test.
	r := admit(t, a, job("run1", "test", "4"))
	require.Equal(t, []string{"job.limit_job"}, findingRules(r))
	// max_in_progress 1: a second run waits.
	r = admit(t, a, job("run2", "build", "5"))
	require.Equal(t, []string{"job.limit_workflow"}, findingRules(r))
	for _, id := range []string{"1", "2"} {
		_, err := a.Release(context.Background(), id)
		require.NoError(t, err)
	}
	require.False(t, admit(t, a, job("run2", "build", "5")).Admitted, "run1 still holds attempt 3")
	_, err := a.Release(context.Background(), "3")
	require.NoError(t, err)
	require.True(t, admit(t, a, job("run2", "build", "5")).Admitted)
}

func TestTokenBucket(t *testing.T) {
	srv := redistest.Start(t)
	clk := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	a, _ := newAdmitter(t, srv.Client(t), jobs.WithClock(clk.now))
	n := 0
	try := func() *jobs.Result {
		n++
		id := fmt.Sprint("t", n)
		res := admit(t, a, req("acme/rated", id))
		if res.Admitted {
			_, err := a.Release(context.Background(), id) // concurrency is not what this tests
			require.NoError(t, err)
		}
		return res
	}
	// A full bucket: capacity 3.
	for i := range 3 {
		require.True(t, try().Admitted, "token %d", i)
	}
	r := try()
	require.Equal(t, []string{"job.limit_rate"}, findingRules(r))
	// 2 per minute: the next token is 30 s away, exactly.
	assert.Contains(t, r.Decision.Findings[0].Message, "next token expected by 2026-11-28T00:00:30Z")
	clk.add(30*time.Second - time.Microsecond)
	require.False(t, try().Admitted, "one microsecond early")
	clk.add(time.Microsecond)
	require.True(t, try().Admitted, "at 30 s")
	require.False(t, try().Admitted)
	// Near capacity: 75 s give 2.5 tokens, so two admits and then a wait
	// of 15 s for the next.
	clk.add(75 * time.Second)
	require.True(t, try().Admitted)
	require.True(t, try().Admitted)
	r = try()
	require.False(t, r.Admitted)
	assert.Contains(t, r.Decision.Findings[0].Message, "next token expected by 2026-11-28T00:02:00Z")
	// A long idle never fills past capacity.
	clk.add(time.Hour)
	for i := range 3 {
		require.True(t, try().Admitted, "token %d", i)
	}
	require.False(t, try().Admitted)
}

// Two replicas (two HTTP servers) share one Redis; 1,000 concurrent admits
// for one repo with max_parallel_jobs 2 never have more than 2 in progress.
func TestConcurrentAdmitsTwoReplicas(t *testing.T) {
	srv := redistest.Start(t)
	var urls []string
	for range 2 {
		a, _ := newAdmitter(t, srv.Client(t))
		h := httptest.NewServer(jobs.Handler(a, func(ctx context.Context) error { return nil }, prometheus.NewRegistry()))
		t.Cleanup(h.Close)
		urls = append(urls, h.URL)
	}
	check := srv.Client(t)
	var inProgress, maxSeen, admitted atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	client := &http.Client{Timeout: 10 * time.Second}
	var failures atomic.Int64
	for i := range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			id := fmt.Sprint("c", i)
			body, _ := json.Marshal(jobs.AdmitBody{Repo: "acme/app", Workflow: "ci.yml", Job: "build", RunsOn: "ubuntu-22.04", Timeout: "10m", Attempt: id})
			resp, err := client.Post(urls[i%2]+"/v1/admit", "application/json", bytes.NewReader(body))
			if err != nil {
				failures.Add(1)
				return
			}
			var res jobs.Result
			err = json.NewDecoder(resp.Body).Decode(&res)
			resp.Body.Close()
			if err != nil || (resp.StatusCode != 200 && resp.StatusCode != 403) {
				failures.Add(1)
				return
			}
			if !res.Admitted {
				return
			}
			admitted.Add(1)
			now := inProgress.Add(1)
			for {
				m := maxSeen.Load()
				if now <= m || maxSeen.CompareAndSwap(m, now) {
					break
				}
			}
			// Checked after every step, in Redis too.
			n, err := check.ZCard(context.Background(), "hubgate:{jobs}:repo:acme/app").Result()
			if err != nil || n > 2 {
				failures.Add(1)
			}
			time.Sleep(time.Millisecond)
			inProgress.Add(-1)
			rb, _ := json.Marshal(map[string]string{"attempt": id})
			resp, err = client.Post(urls[(i+1)%2]+"/v1/release", "application/json", bytes.NewReader(rb))
			if err != nil {
				failures.Add(1)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.LessOrEqual(t, maxSeen.Load(), int64(2))
	assert.Positive(t, admitted.Load())
	t.Logf("admitted %d of 1000, at most %d in progress", admitted.Load(), maxSeen.Load())
}

func TestRedisStoppedAndRestarted(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	a, _ := newAdmitter(t, rdb, jobs.WithTimeout(500*time.Millisecond))
	require.True(t, admit(t, a, req("acme/app", "x1")).Admitted)

	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res, err := a.Admit(ctx, req("acme/app", "x2"))
	require.NoError(t, err)
	require.NoError(t, ctx.Err(), "the denial came after the request deadline")
	assert.False(t, res.Admitted)
	require.Equal(t, []string{"job.state"}, findingRules(res))
	assert.Contains(t, res.Decision.Findings[0].Message, "fail closed")
	assert.Contains(t, res.Decision.Findings[0].Message, "redis")
	assert.Contains(t, res.Decision.Findings[0].Message, "connect")

	// A fail-open repo is admitted, and the decision says so.
	res, err = a.Admit(ctx, req("acme/open", "o1"))
	require.NoError(t, err)
	assert.True(t, res.Admitted)
	assert.True(t, res.FailOpen)
	assert.Nil(t, res.Lease)
	assert.Contains(t, res.Decision.Findings[0].Message, "fail_open")

	// Restarted on the same port: the same admitter recovers.
	srv.Restart()
	require.Eventually(t, func() bool {
		r, err := a.Admit(context.Background(), req("acme/app", "x3"))
		return err == nil && r.Admitted
	}, 5*time.Second, 50*time.Millisecond)
}

func TestHTTPHealthAndReady(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	a, _ := newAdmitter(t, rdb)
	h := httptest.NewServer(jobs.Handler(a, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, prometheus.NewRegistry()))
	defer h.Close()
	get := func(p string) (int, string) {
		resp, err := http.Get(h.URL + p)
		require.NoError(t, err)
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	code, _ := get("/healthz")
	assert.Equal(t, 200, code)
	code, _ = get("/readyz")
	assert.Equal(t, 200, code)
	resp, err := http.Post(h.URL+"/v1/admit", "application/json", strings.NewReader(`{"repo":"acme/app","workflow":"ci.yml","job":"b","runs_on":"ubuntu-22.04","timeout":"5m","attempt":"h1"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	resp, err = http.Post(h.URL+"/v1/admit", "application/json", strings.NewReader(`{"repo":"acme/app","bogus":1}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	_, m := get("/metrics")
	assert.Contains(t, m, `hubgate_job_decisions_total{result="admitted"} 1`)
	srv.Stop()
	code, body := get("/readyz")
	assert.Equal(t, 503, code)
	assert.Contains(t, body, "redis")
}
