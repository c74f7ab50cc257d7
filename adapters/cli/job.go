package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/jobs"
	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
)

// redisPasswordEnv holds the Redis password, never a flag (flags show in
// process lists).
const redisPasswordEnv = "HUBGATE_REDIS_PASSWORD"

func (a *app) newJobCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "job",
		Short: "Decide whether a CI job may start now (budgets, secret scopes, a token bucket, in Redis)",
		Long: `Job admission for the hub's dispatcher: the stateless rules of rego/job.rego,
then the stateful limits (concurrency per repo, workflow and job; the repo's
token bucket) shared by every replica through Redis. Exit 0 admitted, 1
denied, 2 could not decide.`,
	}
	c.AddCommand(a.newJobAdmitCmd(), a.newJobHeartbeatCmd(), a.newJobReleaseCmd(), a.newJobServeCmd())
	return c
}

type redisFlags struct {
	addr    string
	timeout time.Duration
}

func (f *redisFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.addr, "redis", "", "Redis address HOST:PORT, or a redis:// URL (required); password from $"+redisPasswordEnv)
	c.Flags().DurationVar(&f.timeout, "redis-timeout", jobs.DefaultTimeout, "deadline of each call to Redis")
}

func (a *app) redisClient(cmd string, f redisFlags) (*redis.Client, error) {
	if f.addr == "" {
		return nil, usageErr("%s: --redis ADDR is required", cmd)
	}
	if f.timeout <= 0 {
		return nil, usageErr("%s: --redis-timeout must be positive", cmd)
	}
	var opt *redis.Options
	if strings.Contains(f.addr, "://") {
		o, err := redis.ParseURL(f.addr)
		if err != nil {
			return nil, usageErr("%s: --redis: %v", cmd, err)
		}
		opt = o
	} else {
		if _, _, err := net.SplitHostPort(f.addr); err != nil {
			return nil, usageErr("%s: --redis %s: want HOST:PORT: %v", cmd, f.addr, err)
		}
		opt = &redis.Options{Addr: f.addr}
	}
	if p := a.getenv(redisPasswordEnv); p != "" {
		opt.Password = p
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = f.timeout, f.timeout, f.timeout
	// One clear answer within the deadline beats retries past it.
	opt.MaxRetries = -1
	return redis.NewClient(opt), nil
}

func checkOutput(cmd, o string) error {
	if o != "text" && o != "json" {
		return usageErr("%s: -o %s: want text or json", cmd, o)
	}
	return nil
}

type jobAdmitFlags struct {
	redis                                          redisFlags
	registry, repo, workflow, job, runsOn, attempt string
	run, secretScope, output, decisionLog          string
	timeout                                        time.Duration
	cancelInProgress                               bool
	policyDirs                                     []string
}

func (a *app) newJobAdmitCmd() *cobra.Command {
	var f jobAdmitFlags
	c := &cobra.Command{
		Use:   "admit",
		Short: "May this job start now? Exit 0 admitted (a lease is taken), 1 denied, 2 could not decide",
		Long: `Judge the job by the registry's job rules (repo enabled, runner allowed and
matching its workflow's entry, timeout within build_timeout, the repo's own
secret scope, cancel-in-progress where required), then take a lease in Redis
if the repo's, the workflow's and the job's concurrency budgets and the repo's
token bucket allow it. Admit is idempotent by --attempt: a retry returns the
same lease. A denial names the limit, its value, the current use and when a
slot or token is expected. Redis unreachable denies, unless the repo's
registry sets jobs.fail_open (the decision records it).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.jobAdmit(cmd.Context(), f) },
	}
	f.redis.register(c)
	fl := c.Flags()
	fl.StringVar(&f.registry, "registry", "", "CUE registry file or folder (default: embedded)")
	fl.StringArrayVar(&f.policyDirs, "policy", nil, "extra Rego rules, compiled with the built-in pack (repeatable)")
	fl.StringVar(&f.repo, "repo", "", "OWNER/NAME (required)")
	fl.StringVar(&f.workflow, "workflow", "", "workflow file, such as release.yml (required)")
	fl.StringVar(&f.job, "job", "", "job id in the workflow (required)")
	fl.StringVar(&f.runsOn, "runs-on", "", "runner label the job asks for (required)")
	fl.StringVar(&f.attempt, "attempt", "", "unique id of this job attempt, such as RUNID-ATTEMPT-JOB (required)")
	fl.StringVar(&f.run, "run-id", "", "workflow run id, for the workflow's max_in_progress (default: --attempt)")
	fl.DurationVar(&f.timeout, "timeout", 0, "the job's timeout; must be within the repo's build_timeout")
	fl.StringVar(&f.secretScope, "secret-scope", "", "secret scope the job asks for")
	fl.BoolVar(&f.cancelInProgress, "cancel-in-progress", false, "the workflow's concurrency group sets cancel-in-progress")
	fl.StringVarP(&f.output, "output", "o", "text", "text | json")
	fl.StringVar(&f.decisionLog, "decision-log", "", "append one NDJSON line per decision (with pipeline_run policies[])")
	return c
}

func (a *app) newJobAdmitter(ctx context.Context, cmd string, rf redisFlags, registryPath string, policyDirs []string, logPath string, fallbackLog io.Writer) (*jobs.Admitter, *redis.Client, func(), error) {
	rdb, err := a.redisClient(cmd, rf)
	if err != nil {
		return nil, nil, nil, err
	}
	eng, err := engine.New(ctx, engineOptions(registryPath, policyDirs)...)
	if err != nil {
		_ = rdb.Close()
		return nil, nil, nil, usageErr("%s: %v", cmd, err)
	}
	store, err := jobs.NewStore(rdb, jobs.WithTimeout(rf.timeout))
	if err != nil {
		_ = rdb.Close()
		return nil, nil, nil, usageErr("%s: %v", cmd, err)
	}
	log := fallbackLog
	closeLog := func() {}
	if logPath != "" {
		lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			_ = rdb.Close()
			return nil, nil, nil, usageErr("%s: --decision-log: %s", cmd, reason(err))
		}
		log, closeLog = lf, func() { _ = lf.Close() }
	}
	adm, err := jobs.NewAdmitter(eng, store, log)
	if err != nil {
		closeLog()
		_ = rdb.Close()
		return nil, nil, nil, usageErr("%s: %v", cmd, err)
	}
	return adm, rdb, func() { closeLog(); _ = rdb.Close() }, nil
}

func (a *app) jobAdmit(ctx context.Context, f jobAdmitFlags) error {
	if err := checkOutput("job admit", f.output); err != nil {
		return err
	}
	for _, r := range [][2]string{{"--repo", f.repo}, {"--workflow", f.workflow}, {"--job", f.job}, {"--runs-on", f.runsOn}, {"--attempt", f.attempt}} {
		if r[1] == "" {
			return usageErr("job admit: %s is required", r[0])
		}
	}
	if f.timeout < 0 {
		return usageErr("job admit: --timeout must not be negative")
	}
	if err := checkInputs("job admit", inAny("registry", f.registry)); err != nil {
		return err
	}
	adm, _, done, err := a.newJobAdmitter(ctx, "job admit", f.redis, f.registry, f.policyDirs, f.decisionLog, nil)
	if err != nil {
		return err
	}
	defer done()
	req := jobs.Request{
		Repo: f.repo, Workflow: f.workflow, Job: f.job, RunsOn: f.runsOn, Timeout: f.timeout,
		SecretScope: f.secretScope, CancelInProgress: f.cancelInProgress, Run: f.run, Attempt: f.attempt,
	}
	res, err := adm.Admit(ctx, req)
	if err != nil {
		if res == nil {
			return usageErr("job admit: %v", err)
		}
		fmt.Fprintf(a.stderr, "hubgate: job admit: %v\n", err)
	}
	if err := a.writeAdmit(f.output, req, res); err != nil {
		return exitCode(ExitUsage, err)
	}
	if !res.Admitted {
		return exitCode(ExitDenied, nil)
	}
	return nil
}

func (a *app) writeAdmit(output string, req jobs.Request, res *jobs.Result) error {
	if output == "json" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(append(b, '\n'))
		return err
	}
	what := fmt.Sprintf("%s %s/%s attempt %s", report.Sanitize(req.Repo), report.Sanitize(req.Workflow), report.Sanitize(req.Job), report.Sanitize(req.Attempt))
	switch {
	case res.FailOpen:
		fmt.Fprintf(a.stdout, "ADMITTED (fail open, no limits) %s\n", what)
	case res.Admitted:
		again := ""
		if res.Lease.Existing {
			again = ", the lease it already held"
		}
		fmt.Fprintf(a.stdout, "ADMITTED %s, lease until %s%s\n", what, res.Lease.ExpiresAt.Format(time.RFC3339Nano), again)
	default:
		fmt.Fprintf(a.stdout, "DENIED %s (%s)\n", what, res.Decision.Outcome)
	}
	for _, f := range res.Decision.Findings {
		state := f.Outcome.String()
		if f.Waiver != nil {
			state = "waived"
		}
		fmt.Fprintf(a.stdout, "  %s %s: %s\n", state, f.Rule, report.Sanitize(f.Message))
	}
	return nil
}

type jobAttemptFlags struct {
	redis           redisFlags
	attempt, output string
}

func (a *app) newJobHeartbeatCmd() *cobra.Command {
	var f jobAttemptFlags
	c := &cobra.Command{
		Use:   "heartbeat",
		Short: "Renew an admitted attempt's lease; exit 0 renewed, 1 expired (ask again), 2 could not reach Redis",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.jobAttempt(cmd.Context(), "job heartbeat", f, func(s *jobs.Store) (map[string]any, bool, error) {
				st, exp, err := s.Heartbeat(cmd.Context(), f.attempt)
				out := map[string]any{"attempt": f.attempt, "status": st}
				if !exp.IsZero() {
					out["expires_at"] = exp
				}
				return out, st == jobs.StatusRenewed, err
			})
		},
	}
	f.redis.register(c)
	c.Flags().StringVar(&f.attempt, "attempt", "", "the attempt id given to job admit (required)")
	c.Flags().StringVarP(&f.output, "output", "o", "text", "text | json")
	return c
}

func (a *app) newJobReleaseCmd() *cobra.Command {
	var f jobAttemptFlags
	c := &cobra.Command{
		Use:   "release",
		Short: "Free an attempt's slots at once (on completion); exit 0 released or already free, 2 could not reach Redis",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.jobAttempt(cmd.Context(), "job release", f, func(s *jobs.Store) (map[string]any, bool, error) {
				st, err := s.Release(cmd.Context(), f.attempt)
				return map[string]any{"attempt": f.attempt, "status": st}, true, err
			})
		},
	}
	f.redis.register(c)
	c.Flags().StringVar(&f.attempt, "attempt", "", "the attempt id given to job admit (required)")
	c.Flags().StringVarP(&f.output, "output", "o", "text", "text | json")
	return c
}

func (a *app) jobAttempt(_ context.Context, cmd string, f jobAttemptFlags, do func(*jobs.Store) (map[string]any, bool, error)) error {
	if err := checkOutput(cmd, f.output); err != nil {
		return err
	}
	if f.attempt == "" {
		return usageErr("%s: --attempt is required", cmd)
	}
	if len(f.attempt) > engine.MaxJobField {
		return usageErr("%s: --attempt: over %d bytes", cmd, engine.MaxJobField)
	}
	rdb, err := a.redisClient(cmd, f.redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	store, err := jobs.NewStore(rdb, jobs.WithTimeout(f.redis.timeout))
	if err != nil {
		return usageErr("%s: %v", cmd, err)
	}
	out, ok, err := do(store)
	if err != nil {
		return exitCode(ExitUsage, fmt.Errorf("%s: %w", cmd, err))
	}
	if f.output == "json" {
		b, err := json.Marshal(out)
		if err != nil {
			return exitCode(ExitUsage, err)
		}
		fmt.Fprintf(a.stdout, "%s\n", b)
	} else {
		line := fmt.Sprintf("%s %s", out["status"], report.Sanitize(f.attempt))
		if exp, ok := out["expires_at"].(time.Time); ok {
			line += " until " + exp.Format(time.RFC3339Nano)
		}
		fmt.Fprintln(a.stdout, line)
	}
	if !ok {
		return exitCode(ExitDenied, nil)
	}
	return nil
}

type jobServeFlags struct {
	redis                       redisFlags
	addr, registry, decisionLog string
	policyDirs                  []string
}

func (a *app) newJobServeCmd() *cobra.Command {
	var f jobServeFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the same decision over HTTP: POST /v1/admit, /v1/heartbeat, /v1/release; /healthz, /readyz, /metrics",
		Long: `Serve job admission over plain HTTP (put it behind the cluster network or a
mesh). Stateless apart from Redis: run as many replicas as needed on one
Redis. /readyz fails while Redis does not answer; admits are then denied (or
admitted fail-open where the registry says so). SIGINT or SIGTERM shuts down
gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.jobServe(cmd.Context(), f) },
	}
	f.redis.register(c)
	fl := c.Flags()
	fl.StringVar(&f.addr, "addr", ":8080", "listen address HOST:PORT")
	fl.StringVar(&f.registry, "registry", "", "CUE registry file or folder (default: embedded)")
	fl.StringArrayVar(&f.policyDirs, "policy", nil, "extra Rego rules, compiled with the built-in pack (repeatable)")
	fl.StringVar(&f.decisionLog, "decision-log", "", "append one NDJSON line per decision (default: standard error)")
	return c
}

func (a *app) jobServe(ctx context.Context, f jobServeFlags) error {
	if err := checkInputs("job serve", inAny("registry", f.registry)); err != nil {
		return err
	}
	adm, rdb, done, err := a.newJobAdmitter(ctx, "job serve", f.redis, f.registry, f.policyDirs, f.decisionLog, a.stderr)
	if err != nil {
		return err
	}
	defer done()
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		return usageErr("job serve: listen %s: %v", f.addr, err)
	}
	logger := slog.New(slog.NewJSONHandler(a.stderr, nil))
	h := jobs.Handler(adm, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, prometheus.NewRegistry())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	logger.Info("hubgate job serving", "addr", l.Addr().String(), "redis", redisAddrForLog(f.redis.addr))
	select {
	case err := <-errc:
		return exitCode(ExitUsage, fmt.Errorf("job serve: %w", err))
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return exitCode(ExitUsage, fmt.Errorf("job serve: shutdown: %w", err))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return exitCode(ExitUsage, fmt.Errorf("job serve: %w", err))
	}
	return nil
}

// redisAddrForLog drops any password from a redis:// URL.
func redisAddrForLog(addr string) string {
	if o, err := redis.ParseURL(addr); err == nil {
		return o.Addr
	}
	return addr
}
