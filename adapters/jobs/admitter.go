package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

// Request is one job asking to start (the engine's JobInput without the
// time, which comes from the store's clock).
type Request struct {
	Repo             string        `json:"repo"`
	Workflow         string        `json:"workflow"`
	Job              string        `json:"job"`
	RunsOn           string        `json:"runs_on"`
	Timeout          time.Duration `json:"-"`
	TimeoutText      string        `json:"timeout,omitempty"`
	SecretScope      string        `json:"secret_scope,omitempty"`
	CancelInProgress bool          `json:"cancel_in_progress"`
	Run              string        `json:"run,omitempty"`
	Attempt          string        `json:"attempt"`
}

// Result is the answer to an admit: the decision, and the lease when the job
// was admitted.
type Result struct {
	Decision *policy.Decision `json:"decision"`
	Admitted bool             `json:"admitted"`
	// Lease is the attempt's lease; nil when denied or admitted fail-open.
	Lease *Lease `json:"lease"`
	// FailOpen is true when the job was admitted without limits because
	// the state could not be reached and the repo's jobs.fail_open is set.
	FailOpen bool `json:"fail_open"`
}

// Lease is an admitted attempt's slot.
type Lease struct {
	Attempt   string    `json:"attempt"`
	ExpiresAt time.Time `json:"expires_at"`
	// Existing is true when the attempt already held this lease (a retried
	// admit): no second slot was taken.
	Existing bool `json:"existing"`
}

// Admitter decides job admission: the engine's stateless decision, then the
// store's stateful limits. Safe for concurrent use.
type Admitter struct {
	eng   *engine.Engine
	store *Store
	rules []policy.RuleInfo
	logMu sync.Mutex
	log   io.Writer
	// settings caches the engine's JobSettings by repo, workflow and job:
	// the engine's registry does not change, and decoding its sections on
	// every admit costs more than the rest of the decision's Go. Bounded,
	// because workflow and job names come from requests.
	settings *lru.Cache[settingsKey, engine.JobSettings]
}

type settingsKey struct{ repo, workflow, job string }

// settingsCacheSize bounds the settings cache.
const settingsCacheSize = 4096

// NewAdmitter uses eng for the rules and store for the limits. log, when
// not nil, gets one decision-log line per decision.
func NewAdmitter(eng *engine.Engine, store *Store, log io.Writer) (*Admitter, error) {
	if eng == nil || store == nil {
		return nil, errors.New("jobs: NewAdmitter: nil engine or store")
	}
	c, err := lru.New[settingsKey, engine.JobSettings](settingsCacheSize)
	if err != nil {
		return nil, fmt.Errorf("jobs: NewAdmitter: %w", err)
	}
	a := &Admitter{eng: eng, store: store, log: log, settings: c}
	for _, r := range eng.Rules() {
		if r.Kind == engine.KindJob {
			a.rules = append(a.rules, r)
		}
	}
	return a, nil
}

// Store returns the admitter's store.
func (a *Admitter) Store() *Store { return a.store }

// Admit decides whether the job may start now. An error means no decision
// could be formed (bad request, unknown repo); an unreachable Redis is a
// decision (denied, or admitted fail-open), not an error.
func (a *Admitter) Admit(ctx context.Context, req Request) (*Result, error) {
	now, stateErr := a.store.Now(ctx)
	if stateErr != nil {
		now = time.Now().UTC() // the decision's time only; no limit reads it
	}
	in := engine.JobInput{
		Repo: req.Repo, Workflow: req.Workflow, Job: req.Job, RunsOn: req.RunsOn,
		Timeout: req.Timeout, SecretScope: req.SecretScope, CancelInProgress: req.CancelInProgress,
		Run: req.Run, Attempt: req.Attempt, Now: now,
	}
	if in.Run == "" {
		in.Run = in.Attempt
	}
	d, err := a.eng.EvaluateJob(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &Result{Decision: d}
	if !d.Allowed {
		return res, a.logLine(req, res)
	}
	set, err := a.jobSettings(req)
	if err != nil {
		return nil, err
	}
	if stateErr != nil {
		engine.AddJobStateError(d, stateErr, set.FailOpen)
		res.Admitted, res.FailOpen = d.Allowed, d.Allowed
		return res, a.logLine(req, res)
	}
	g, err := a.store.Admit(ctx, Slot{
		Repo: req.Repo, Workflow: req.Workflow, Job: req.Job, Run: in.Run, Attempt: req.Attempt,
		TTL: set.LeaseTTL, MaxRepo: set.MaxParallelJobs, MaxWorkflow: set.MaxInProgress, MaxJob: set.MaxParallel,
		Capacity: set.RateCapacity, RefillPerMinute: set.RateRefillPerMinute,
	})
	switch {
	case err != nil:
		engine.AddJobStateError(d, err, set.FailOpen)
		res.Admitted, res.FailOpen = d.Allowed, d.Allowed
	case g.Status == StatusAdmitted || g.Status == StatusExisting:
		res.Admitted = true
		res.Lease = &Lease{Attempt: req.Attempt, ExpiresAt: g.LeaseExpires, Existing: g.Status == StatusExisting}
	case g.Status == StatusDenied:
		engine.AddJobLimits(d, engine.JobLimit{Name: g.Limit, Value: g.Value, Current: g.Current, ExpectedAt: g.ExpectedAt})
	case g.Status == StatusConflict:
		engine.AddJobStateError(d, fmt.Errorf("attempt %s already holds a lease for another job", req.Attempt), false)
	default:
		engine.AddJobStateError(d, fmt.Errorf("admit script returned status %q", g.Status), false)
	}
	return res, a.logLine(req, res)
}

// jobSettings returns the engine's settings for req's job, cached. An error
// (a registry entry that cannot be read) is not cached.
func (a *Admitter) jobSettings(req Request) (engine.JobSettings, error) {
	k := settingsKey{req.Repo, req.Workflow, req.Job}
	if s, ok := a.settings.Get(k); ok {
		return s, nil
	}
	s, err := a.eng.JobSettings(req.Repo, req.Workflow, req.Job)
	if err != nil {
		return engine.JobSettings{}, err
	}
	a.settings.Add(k, s)
	return s, nil
}

// LogLine is one decision-log line of a job decision: the decision log's
// fields, the job, and pipeline_run, the policies[] entries the hub's
// pipeline_run.v1.2 schema accepts.
type LogLine struct {
	report.DecisionLogLine
	Job         Request                    `json:"job"`
	Admitted    bool                       `json:"admitted"`
	FailOpen    bool                       `json:"fail_open"`
	PipelineRun report.PipelineRunPolicies `json:"pipeline_run"`
}

// NewLogLine builds the log line of res.
func (a *Admitter) NewLogLine(req Request, res *Result) LogLine {
	if req.Timeout > 0 {
		req.TimeoutText = req.Timeout.String()
	}
	return LogLine{
		DecisionLogLine: report.NewDecisionLogLine(res.Decision),
		Job:             req, Admitted: res.Admitted, FailOpen: res.FailOpen,
		PipelineRun: report.PipelineRunPolicies{Policies: report.PolicyEntries(res.Decision, a.rules)},
	}
}

func (a *Admitter) logLine(req Request, res *Result) error {
	if a.log == nil {
		return nil
	}
	b, err := json.Marshal(a.NewLogLine(req, res))
	if err != nil {
		return fmt.Errorf("decision log: %w", err)
	}
	a.logMu.Lock()
	defer a.logMu.Unlock()
	if _, err := a.log.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("decision log: %w", err)
	}
	return nil
}

// Heartbeat renews the attempt's lease by its lease_ttl.
func (a *Admitter) Heartbeat(ctx context.Context, attempt string) (Status, time.Time, error) {
	return a.store.Heartbeat(ctx, attempt)
}

// Release frees the attempt's slots.
func (a *Admitter) Release(ctx context.Context, attempt string) (Status, error) {
	return a.store.Release(ctx, attempt)
}
