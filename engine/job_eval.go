package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/cicd-hub/hubgate/policy"
)

// KindJob is the rule kind of job admission: rules hub.job.<name>, checks
// "job". It is not an evidence kind: a job brings a request, not evidence.
const KindJob = policy.KindJob

// MaxJobField bounds each text field of a [JobInput].
const MaxJobField = 256

// JobInput is one CI job asking to start now.
type JobInput struct {
	// Repo is "owner/name" as the registry names it.
	Repo string
	// Workflow is the workflow file ("release.yml"); Job the job id in it.
	Workflow, Job string
	// RunsOn is the runner label the job asks for.
	RunsOn string
	// Timeout is the job's timeout; 0 means none was set.
	Timeout time.Duration
	// SecretScope is the secret scope the job asks for; "" for none.
	SecretScope string
	// CancelInProgress says the workflow's concurrency group cancels runs
	// in progress.
	CancelInProgress bool
	// Run identifies the workflow run; Attempt this job's attempt, unique
	// across retries (admission is idempotent by it). Run defaults to
	// Attempt.
	Run, Attempt string
	// Now is the decision time (Redis TIME in production).
	Now time.Time
}

// jobFacts is input.job.
type jobFacts struct {
	Workflow         string `json:"workflow"`
	Job              string `json:"job"`
	RunsOn           string `json:"runs_on"`
	Timeout          string `json:"timeout"`
	TimeoutNS        int64  `json:"timeout_ns"`
	SecretScope      string `json:"secret_scope"`
	CancelInProgress bool   `json:"cancel_in_progress"`
	Run              string `json:"run"`
	Attempt          string `json:"attempt"`
}

// jobQuery is the query over the hub.job rules alone, compiled (with the
// base modules) on the first job decision, not in New.
type jobQuery struct {
	rules []rule
	query lazyQuery
}

// splitJobRules takes the hub.job rules out of the release rules: a
// release's Evaluate never runs them, EvaluateJob runs only them.
func splitJobRules(all []rule) (release, job []rule) {
	for _, r := range all {
		if r.info.Kind == KindJob {
			job = append(job, r)
		} else {
			release = append(release, r)
		}
	}
	return release, job
}

// checkJobInput bounds the request: every text field at most MaxJobField
// bytes, printable, and the required ones present.
func checkJobInput(in JobInput) error {
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"repo", in.Repo, true}, {"workflow", in.Workflow, true}, {"job", in.Job, true},
		{"runs_on", in.RunsOn, true}, {"attempt", in.Attempt, true},
		{"run", in.Run, false}, {"secret_scope", in.SecretScope, false},
	} {
		if f.v == "" {
			if f.required {
				return fmt.Errorf("%w: job: %s: missing", ErrInput, f.name)
			}
			continue
		}
		if len(f.v) > MaxJobField {
			return fmt.Errorf("%w: job: %s: %d bytes, over the %d-byte limit", ErrInput, f.name, len(f.v), MaxJobField)
		}
		if strings.ContainsFunc(f.v, func(r rune) bool { return !unicode.IsPrint(r) || r == unicode.ReplacementChar }) {
			return fmt.Errorf("%w: job: %s: %q has a control or invalid character", ErrInput, f.name, f.v)
		}
	}
	if in.Timeout < 0 {
		return fmt.Errorf("%w: job: timeout: %v is negative", ErrInput, in.Timeout)
	}
	if in.Now.IsZero() {
		return fmt.Errorf("%w: job: no decision time", ErrInput)
	}
	return nil
}

// EvaluateJob judges whether a job may start, by the stateless hub.job
// rules: the repo is enabled, the runner is allowed and matches the job's
// workflow entry, the timeout is within build_timeout, the secret scope is
// the repo's own, cancel-in-progress is set where required. Findings get the
// registry's waivers and fold like every other decision's. The stateful
// limits (concurrency, rate) are not judged here: the caller (adapters/jobs)
// decides them atomically where the state is, after this decision allows
// the job, and adds them with [AddJobLimits]. It is safe for concurrent use.
func (e *Engine) EvaluateJob(ctx context.Context, in JobInput) (*policy.Decision, error) {
	if err := checkJobInput(in); err != nil {
		return nil, err
	}
	repo, err := e.reg.Repo(in.Repo)
	if err != nil {
		return nil, err
	}
	if in.Run == "" {
		in.Run = in.Attempt
	}
	now := in.Now.UTC()
	facts := jobFacts{
		Workflow: in.Workflow, Job: in.Job, RunsOn: in.RunsOn,
		TimeoutNS: int64(in.Timeout), SecretScope: in.SecretScope,
		CancelInProgress: in.CancelInProgress, Run: in.Run, Attempt: in.Attempt,
	}
	if in.Timeout > 0 {
		facts.Timeout = in.Timeout.String()
	}
	jv, err := toAST(facts)
	if err != nil {
		return nil, fmt.Errorf("job facts: %w", err)
	}
	doc := ast.NewObject(
		ast.Item(ast.StringTerm("repo"), ast.StringTerm(in.Repo)),
		ast.Item(ast.StringTerm("now"), ast.StringTerm(now.Format(time.RFC3339Nano))),
		ast.Item(ast.StringTerm("now_ns"), ast.NumberTerm(json.Number(fmt.Sprint(now.UnixNano())))),
		ast.Item(ast.StringTerm("job"), ast.NewTerm(jv)),
	)
	raw, err := evalQuery(ctx, e.job.query, doc, e.evalTimeout)
	if err != nil {
		return nil, err
	}
	findings := ruleFindings(e.job.rules, raw)
	findings = applyWaivers(findings, repo.Waivers, now)
	d := &policy.Decision{
		MediaType: policy.DecisionMediaType,
		Repo:      in.Repo,
		Subjects:  []policy.Subject{},
		Policy:    policy.PolicyRef{Digest: e.digest},
		Inputs:    []policy.Input{},
		Findings:  findings,
		Time:      now,
	}
	if len(e.job.rules) == 0 {
		// A pack without job rules judges nothing: never admit on that.
		d.Findings = append(d.Findings, noJobRulesFinding(in.Repo))
	}
	foldJob(d)
	d.ID = jobDecisionID(d, in)
	return d, nil
}

// foldJob folds the job check and the decision's outcome from d.Findings.
func foldJob(d *policy.Decision) {
	byKind := map[policy.EvidenceKind][]policy.Finding{KindJob: nil}
	order := []policy.EvidenceKind{KindJob}
	for _, f := range d.Findings {
		k := f.Kind()
		if _, ok := byKind[k]; !ok {
			order = append(order, k)
		}
		byKind[k] = append(byKind[k], f)
	}
	d.Checks = d.Checks[:0]
	d.Outcome = policy.OutcomePass
	for _, k := range order {
		o := policy.Fold(byKind[k])
		d.Checks = append(d.Checks, policy.Check{Kind: k, Outcome: o, Findings: len(byKind[k])})
		d.Outcome = d.Outcome.Worse(o)
	}
	d.Allowed = d.Outcome.Allowed()
}

// jobDecisionID derives the id from the policy, the repo, the time and the
// attempt.
func jobDecisionID(d *policy.Decision, in JobInput) string {
	h := sha256.New()
	fmt.Fprintf(h, "job\n%s\n%s\n%s\n%s\x00%s\x00%s\x00%s\n", d.Policy.Digest, d.Repo, d.Time.Format(time.RFC3339Nano), in.Workflow, in.Job, in.Run, in.Attempt)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// JobLimit is one stateful limit a job met, as the state store (Redis)
// decided it atomically.
type JobLimit struct {
	// Name is the limit: "repo" (limits.max_parallel_jobs), "workflow"
	// (jobs.workflows.<w>.max_in_progress), "job"
	// (jobs.workflows.<w>.jobs.<j>.max_parallel) or "rate" (limits.rate).
	Name string
	// Value is the limit's value; Current the use when the job asked.
	Value, Current float64
	// ExpectedAt is when a slot or token is expected at the latest (the
	// oldest lease's expiry, the next token's refill). Zero when unknown.
	ExpectedAt time.Time
}

// The stateful limits' rule ids, decided by the state store, not Rego. They
// are in the catalogue like any other rule; waivers never apply to them (a
// waiver cannot make a slot).
var jobLimitRules = []policy.RuleInfo{
	{ID: "job.limit_repo", Kind: KindJob, Title: "The repo's concurrency budget is used up", Description: "The repo already has limits.max_parallel_jobs jobs in progress.", Severity: policy.SeverityMedium, Remediation: "Wait for a slot (expected_at), or lower the repo's parallelism; a crashed job frees its slot when its lease expires.", Source: "adapters/jobs/admit.lua"},
	{ID: "job.limit_workflow", Kind: KindJob, Title: "The workflow's concurrency budget is used up", Description: "The workflow already has max_in_progress runs in progress for this repo.", Severity: policy.SeverityMedium, Remediation: "Wait for the run in progress to finish (expected_at).", Source: "adapters/jobs/admit.lua"},
	{ID: "job.limit_job", Kind: KindJob, Title: "The job's parallelism budget is used up", Description: "The job already has max_parallel instances in progress.", Severity: policy.SeverityMedium, Remediation: "Wait for an instance to finish (expected_at), or lower the matrix's max-parallel.", Source: "adapters/jobs/admit.lua"},
	{ID: "job.limit_rate", Kind: KindJob, Title: "The repo's token bucket is empty", Description: "The repo started limits.rate.capacity jobs faster than limits.rate.refill_per_minute refills.", Severity: policy.SeverityMedium, Remediation: "Retry when the next token is expected (expected_at).", Source: "adapters/jobs/admit.lua"},
	ruleJobState,
	ruleJobNoRules,
}

var (
	ruleJobState = policy.RuleInfo{
		ID: "job.state", Kind: KindJob, Title: "The shared admission state could not be reached",
		Description: "Redis, where the leases and token buckets live, did not answer. The job is denied, unless the repo's registry sets jobs.fail_open, in which case it is admitted without limits and this finding warns.",
		Severity:    policy.SeverityHigh, Remediation: "Restore Redis (hubgate job serve --redis ADDR); /readyz reports it.", Source: "adapters/jobs",
	}
	ruleJobNoRules = policy.RuleInfo{
		ID: "job.no_rules", Kind: KindJob, Title: "No job rule was evaluated",
		Description: "The policy pack has no hub.job rules, so nothing about the job was judged.", Severity: policy.SeverityHigh,
		Remediation: "Keep the built-in policy pack (rego/job.rego).", Source: "engine/job_eval.go",
	}
)

func noJobRulesFinding(repo string) policy.Finding {
	return policy.Finding{
		Rule: ruleJobNoRules.ID, Outcome: policy.OutcomeError, Severity: ruleJobNoRules.Severity,
		Message: "no hub.job rule was evaluated for " + repo, Target: repo,
		Expected: "the hub.job rules", Actual: "none", Remediation: ruleJobNoRules.Remediation,
	}
}

func jobRuleInfo(id string) policy.RuleInfo {
	for _, r := range jobLimitRules {
		if r.ID == id {
			return r
		}
	}
	return policy.RuleInfo{ID: id, Kind: KindJob, Severity: policy.SeverityMedium}
}

// AddJobLimits adds a failing finding per limit the job met to d, which
// EvaluateJob returned, and folds it again: the job is then denied. Each
// finding names the limit, its value, the current use and when a slot or
// token is expected.
func AddJobLimits(d *policy.Decision, limits ...JobLimit) {
	for _, l := range limits {
		r := jobRuleInfo("job.limit_" + l.Name)
		msg := fmt.Sprintf("%s limit %s reached: %s in use of %s", l.Name, num(l.Value), num(l.Current), num(l.Value))
		if l.Name == "rate" {
			msg = fmt.Sprintf("rate limit reached: %s token(s) left of a capacity of %s", num(l.Current), num(l.Value))
		}
		actual := num(l.Current)
		if !l.ExpectedAt.IsZero() {
			at := l.ExpectedAt.UTC().Format(time.RFC3339Nano)
			msg += "; next slot expected by " + at
			if l.Name == "rate" {
				msg = strings.Replace(msg, "next slot", "next token", 1)
			}
			actual += " (expected_at " + at + ")"
		}
		d.Findings = append(d.Findings, policy.Finding{
			Rule: r.ID, Outcome: policy.OutcomeFail, Severity: r.Severity, Message: msg,
			Path: "limits." + l.Name, Target: l.Name, Expected: "under " + num(l.Value),
			Actual: actual, Remediation: r.Remediation,
		})
	}
	foldJob(d)
}

// AddJobStateError records that the state store could not be reached. With
// failOpen (the repo's jobs.fail_open) the finding warns and the job stays
// admitted, and the decision says so; without it the finding is an error and
// the job is denied.
func AddJobStateError(d *policy.Decision, err error, failOpen bool) {
	f := policy.Finding{
		Rule: ruleJobState.ID, Outcome: policy.OutcomeError, Severity: ruleJobState.Severity,
		Message: "admission state unreachable, job denied (fail closed): " + err.Error(),
		Target:  "redis", Expected: "a reachable Redis", Actual: err.Error(),
		Remediation: ruleJobState.Remediation,
	}
	if failOpen {
		f.Outcome = policy.OutcomeWarn
		f.Message = "admission state unreachable, job admitted without limits (jobs.fail_open): " + err.Error()
	}
	d.Findings = append(d.Findings, f)
	foldJob(d)
}

// JobSettings are the registry settings the stateful limits read.
type JobSettings struct {
	MaxParallelJobs int
	// MaxInProgress is the workflow's budget, MaxParallel the job's; 0 = none.
	MaxInProgress, MaxParallel int
	// RateCapacity and RateRefillPerMinute are the token bucket; 0 = none.
	RateCapacity        int
	RateRefillPerMinute float64
	FailOpen            bool
	LeaseTTL            time.Duration
}

// JobSettings returns the resolved settings of repo for the job.
func (e *Engine) JobSettings(repo, workflow, job string) (JobSettings, error) {
	r, err := e.reg.Repo(repo)
	if err != nil {
		return JobSettings{}, err
	}
	var limits struct {
		MaxParallelJobs int `json:"max_parallel_jobs"`
		Rate            *struct {
			Capacity        int     `json:"capacity"`
			RefillPerMinute float64 `json:"refill_per_minute"`
		} `json:"rate"`
	}
	type override struct {
		MaxInProgress     int `json:"max_in_progress"`
		MaxMatrixParallel int `json:"max_matrix_parallel"`
	}
	var jobs struct {
		FailOpen          bool                `json:"fail_open"`
		LeaseTTL          string              `json:"lease_ttl"`
		MaxMatrixParallel int                 `json:"max_matrix_parallel"`
		Overrides         map[string]override `json:"workflow_overrides"`
		Workflows         map[string]struct {
			MaxInProgress int `json:"max_in_progress"`
			Jobs          map[string]struct {
				MaxParallel int `json:"max_parallel"`
			} `json:"jobs"`
		} `json:"workflows"`
	}
	if err := r.Section("limits", &limits); err != nil {
		return JobSettings{}, err
	}
	if err := r.Section("jobs", &jobs); err != nil {
		return JobSettings{}, err
	}
	s := JobSettings{MaxParallelJobs: limits.MaxParallelJobs, FailOpen: jobs.FailOpen}
	if limits.Rate != nil {
		s.RateCapacity, s.RateRefillPerMinute = limits.Rate.Capacity, limits.Rate.RefillPerMinute
	}
	if w, ok := jobs.Workflows[workflow]; ok {
		s.MaxInProgress = w.MaxInProgress
		s.MaxParallel = w.Jobs[job].MaxParallel
	}
	// The main branch's overrides, by workflow name (rego/job.rego's
	// workflow_name): the lower of two caps on runs in progress; a job's
	// own max_parallel, else its workflow's max_matrix_parallel, else the
	// section's.
	o := jobs.Overrides[strings.TrimSuffix(strings.TrimSuffix(workflow, ".yml"), ".yaml")]
	if o.MaxInProgress > 0 && (s.MaxInProgress == 0 || o.MaxInProgress < s.MaxInProgress) {
		s.MaxInProgress = o.MaxInProgress
	}
	if s.MaxParallel == 0 {
		s.MaxParallel = o.MaxMatrixParallel
	}
	if s.MaxParallel == 0 {
		s.MaxParallel = jobs.MaxMatrixParallel
	}
	s.LeaseTTL, err = time.ParseDuration(jobs.LeaseTTL)
	if err != nil || s.LeaseTTL <= 0 {
		return JobSettings{}, fmt.Errorf("registry: %s: jobs.lease_ttl %q: not a positive duration", repo, jobs.LeaseTTL)
	}
	if s.MaxParallelJobs < 1 {
		return JobSettings{}, fmt.Errorf("registry: %s: limits.max_parallel_jobs %d: not positive", repo, s.MaxParallelJobs)
	}
	return s, nil
}

func num(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprintf("%.3f", f)
}

// jobRuleCatalogue is the stateful limits' rules, for [Engine.Rules].
func jobRuleCatalogue() []policy.RuleInfo { return slices.Clone(jobLimitRules) }
