package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// ErrInput is wrapped by errors about an Input no decision can be formed
// from: no repo, no time, a subject that cannot be read.
var ErrInput = errors.New("invalid input")

// Evaluate judges one release. Bad evidence becomes findings; Evaluate returns
// an error only when no decision can be formed (unknown repo, unreadable
// subject, a Rego evaluation error or timeout). It is safe for concurrent use.
func (e *Engine) Evaluate(ctx context.Context, in Input) (*policy.Decision, error) {
	d, _, err := e.evaluate(ctx, in, nil)
	return d, err
}

// EvaluateKinds judges in as [Engine.Evaluate] does, on the given evidence
// kinds alone: only their evidence is read, only their rules' findings and
// the waivers of their rules count, and only they are required (those of
// them the registry requires). It is what `hubgate verify <kind>` runs, so
// its verdicts are those of eval. It is safe for concurrent use.
func (e *Engine) EvaluateKinds(ctx context.Context, in Input, kinds ...policy.EvidenceKind) (*policy.Decision, error) {
	d, _, err := e.EvaluateKindsFacts(ctx, in, kinds...)
	return d, err
}

// KindFacts are the facts documents the rules judged (input.<kind>), by
// kind: [*VulnerabilitiesFacts] for the vulnerabilities kind. Read them,
// never modify them.
type KindFacts map[policy.EvidenceKind]Document

// EvaluateKindsFacts is [Engine.EvaluateKinds], and the facts of the kinds
// it judged: what a verify command lists beside the decision (`hubgate
// verify vex` the effective VEX status of each vulnerability), so the
// listing is what the rules saw.
func (e *Engine) EvaluateKindsFacts(ctx context.Context, in Input, kinds ...policy.EvidenceKind) (*policy.Decision, KindFacts, error) {
	if len(kinds) == 0 {
		return nil, nil, fmt.Errorf("%w: no evidence kind to evaluate", ErrInput)
	}
	only := map[policy.EvidenceKind]bool{}
	for _, k := range kinds {
		if !k.Valid() {
			return nil, nil, fmt.Errorf("%w: unknown evidence kind %q", ErrInput, k)
		}
		only[k] = true
	}
	d, facts, err := e.evaluate(ctx, in, only)
	if err != nil {
		return nil, nil, err
	}
	out := KindFacts{}
	for i, k := range policy.Kinds() {
		if only[k] {
			out[k] = facts[i]
		}
	}
	return d, out, nil
}

// evaluate is Evaluate on the kinds of only, or on every kind when only is
// nil. facts are indexed like policy.Kinds().
func (e *Engine) evaluate(ctx context.Context, in Input, only map[policy.EvidenceKind]bool) (*policy.Decision, []evidence.Document, error) {
	if in.Repo == "" {
		return nil, nil, fmt.Errorf("%w: no repo", ErrInput)
	}
	if in.Now.IsZero() {
		return nil, nil, fmt.Errorf("%w: no evaluation time", ErrInput)
	}
	repo, err := e.reg.Repo(in.Repo)
	if err != nil {
		return nil, nil, err
	}
	now := in.Now.UTC()
	for _, it := range in.Evidence {
		if !it.Kind.Valid() {
			return nil, nil, fmt.Errorf("%w: unknown evidence kind %q", ErrInput, it.Kind)
		}
	}
	subjects, err := hashSubjects(in.Subjects)
	if err != nil {
		return nil, nil, err
	}
	require, waivers := repo.Require, repo.Waivers
	if only != nil {
		var kept []Item
		for _, it := range in.Evidence {
			if only[it.Kind] {
				kept = append(kept, it)
			}
		}
		in.Evidence = kept
		require = slices.DeleteFunc(slices.Clone(require), func(k policy.EvidenceKind) bool { return !only[k] })
		waivers = slices.DeleteFunc(slices.Clone(waivers), func(w policy.Waiver) bool {
			return !only[policy.Finding{Rule: w.Rule}.Kind()]
		})
	}

	kinds := policy.Kinds()
	facts, envs, err := e.collect(ctx, in, repo, subjects, now)
	if err != nil {
		return nil, nil, err
	}
	doc, present, problems, err := factsDocument(in.Repo, now, subjects, kinds, facts)
	if err != nil {
		return nil, nil, err
	}
	// The query judges the kinds that can have findings (pack.releaseSet),
	// compiled when this set is first judged.
	set := e.pack.prepare(ctx, e.pack.releaseSet(require, present, problems, only), true)
	raw, err := evalQuery(ctx, set, doc, e.evalTimeout)
	if err != nil {
		return nil, nil, err
	}
	findings := ruleFindings(set.rules, raw)
	findings = append(findings, unreported(findings, kinds, problems)...)
	if only != nil {
		findings = slices.DeleteFunc(findings, func(f policy.Finding) bool {
			k := f.Kind()
			if k == ruleUnreported.Kind {
				k = policy.EvidenceKind(f.Target) // the kind whose problems no rule reported
			}
			return !only[k]
		})
		if len(findings) == 0 {
			findings = nil // as Evaluate's with none, whatever the other kinds found
		}
		for k := range present {
			present[k] = present[k] && only[k]
		}
	}
	findings = applyWaivers(findings, waivers, now)

	d := &policy.Decision{
		MediaType: policy.DecisionMediaType,
		Repo:      in.Repo,
		Subjects:  subjects,
		Policy:    policy.PolicyRef{Digest: e.digest},
		Inputs:    mergeInputs(envs),
		Findings:  findings,
		Time:      now,
	}
	d.Checks = checks(findings, present, require)
	d.Outcome = policy.OutcomePass
	for _, c := range d.Checks {
		d.Outcome = d.Outcome.Worse(c.Outcome)
	}
	if len(d.Checks) == 0 {
		// Nothing was required and nothing was given: nothing was verified.
		d.Findings = append(d.Findings, noEvidenceFinding(in.Repo))
		d.Checks = []policy.Check{{Kind: "decision", Outcome: policy.OutcomeError, Findings: 1}}
		d.Outcome = policy.OutcomeError
	}
	d.Allowed = d.Outcome.Allowed()
	d.ID = decisionID(d)
	return d, facts, nil
}

// collect runs every kind's collector, each with its own Env, sharing one
// per-eval cache: concurrently, except that a kind waits for the kinds it
// needs (the collectors table). facts and envs are indexed like
// policy.Kinds().
func (e *Engine) collect(ctx context.Context, in Input, repo *registry.Repo, subjects []policy.Subject, now time.Time) ([]evidence.Document, []*Env, error) {
	kinds := policy.Kinds()
	facts := make([]evidence.Document, len(kinds))
	envs := make([]*Env, len(kinds))
	cache := evidence.NewCache(e.opener)
	done := map[policy.EvidenceKind]chan struct{}{}
	for _, k := range kinds {
		done[k] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i, k := range kinds {
		var items []Item
		for _, it := range in.Evidence {
			if it.Kind == k {
				items = append(items, it)
			}
		}
		env := &Env{
			Repo: in.Repo, Now: now, Subjects: subjects, Config: repo,
			TrustedRoot: in.TrustedRoot, SubjectFiles: in.Subjects,
			MaxFileSize: e.maxFileSize, Evidence: in.Evidence, Cache: cache,
			Trust: e.trust[in.Repo],
		}
		envs[i] = env
		c := collectors[k]
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[k])
			for _, n := range c.needs {
				<-done[n]
			}
			facts[i] = runCollector(ctx, c.collect, k, env, items)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var all []policy.Input
	for _, env := range envs {
		all = append(all, env.Inputs()...)
	}
	for _, f := range facts {
		if b, ok := f.(evidence.InputBinder); ok {
			b.BindInputs(all)
		}
	}

	return facts, envs, nil
}

// runCollector runs one collector, turning a panic into a problem so that one
// broken parser never takes the decision down.
func runCollector(ctx context.Context, fn evidence.Collector, k policy.EvidenceKind, env *Env, items []Item) (facts evidence.Document) {
	defer func() {
		if r := recover(); r != nil {
			f := &Facts{Present: len(items) > 0}
			f.AddProblem("", "", 0, "internal error: %s collector panicked: %v", k, r)
			facts = f
		}
	}()
	return fn(ctx, env, items)
}

// factsDocument builds the Rego input once, as an AST value, straight from
// the typed facts (toAST, no JSON round trip). Which kinds had evidence and
// how many problems each has come from the typed facts too, never back out
// of the value.
func factsDocument(repo string, now time.Time, subjects []policy.Subject, kinds []policy.EvidenceKind, facts []evidence.Document) (ast.Value, map[policy.EvidenceKind]bool, map[policy.EvidenceKind]int, error) {
	subj, err := toAST(subjects)
	if err != nil {
		return nil, nil, nil, err
	}
	obj := ast.NewObject(
		ast.Item(ast.StringTerm("repo"), ast.StringTerm(repo)),
		ast.Item(ast.StringTerm("now"), ast.StringTerm(now.Format(time.RFC3339Nano))),
		ast.Item(ast.StringTerm("now_ns"), ast.NumberTerm(json.Number(fmt.Sprint(now.UnixNano())))),
		ast.Item(ast.StringTerm("subjects"), ast.NewTerm(subj)),
	)
	present := map[policy.EvidenceKind]bool{}
	problems := map[policy.EvidenceKind]int{}
	for i, k := range kinds {
		base := facts[i].Base()
		// Every kind's facts carry present and problems (a list, never null).
		if base.Problems == nil {
			base.Problems = []Problem{}
		}
		present[k], problems[k] = base.Present, len(base.Problems)
		v, err := toAST(facts[i])
		if err != nil {
			return nil, nil, nil, fmt.Errorf("facts of %s: %w", k, err)
		}
		if _, ok := v.(ast.Object); !ok {
			return nil, nil, nil, fmt.Errorf("facts of %s: not an object", k)
		}
		obj.Insert(ast.StringTerm(string(k)), ast.NewTerm(v))
	}
	return obj, present, problems, nil
}

// unreported is the safety net under the rules: evidence of a kind that had
// problems (unreadable, unverifiable) while no rule reported an error for
// that kind still blocks the release. The built-in pack reports them
// (<kind>.evidence); a pack without it must not turn them into a pass.
func unreported(findings []policy.Finding, kinds []policy.EvidenceKind, problems map[policy.EvidenceKind]int) []policy.Finding {
	var out []policy.Finding
	for _, k := range kinds {
		n := problems[k]
		if n == 0 {
			continue
		}
		reported := false
		for _, f := range findings {
			if f.Kind() == k && f.Outcome == policy.OutcomeError {
				reported = true
				break
			}
		}
		if !reported {
			out = append(out, unreportedFinding(k, n))
		}
	}
	return out
}

// eval runs the query over every release rule (every kind's, as in the
// registry's widest set) under the deadline and returns, per rule id, the
// raw finding objects.
func (e *Engine) eval(ctx context.Context, input ast.Value) (map[string][]rawFinding, error) {
	return evalQuery(ctx, e.pack.prepare(ctx, e.pack.releaseKinds(), true), input, e.evalTimeout)
}

// preparedQuery is a prepared findings query: a rego.PreparedEvalQuery, or
// a set of the pack's, prepared on first use.
type preparedQuery interface {
	Eval(ctx context.Context, opts ...rego.EvalOption) (rego.ResultSet, error)
}

// evalQuery runs a prepared findings query under the deadline.
func evalQuery(ctx context.Context, q preparedQuery, input ast.Value, timeout time.Duration) (map[string][]rawFinding, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reserveStack()
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluate policy: %w", err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("evaluate policy: %d results, want 1", len(rs))
	}
	v, ok := rs[0].Bindings["findings"]
	if !ok {
		return nil, errors.New("evaluate policy: no findings binding")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string][]rawFinding
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("evaluate policy: a rule produced a finding that is not an object: %w", err)
	}
	return out, nil
}

// evalStack is about the stack an evaluation of the built-in pack reaches:
// OPA's evaluator recurses per expression, and a 10-container admission
// review goes deeper than 128 KiB. A goroutine starts with a few KiB, and
// each time it outgrows its stack, the runtime copies the whole stack into
// one twice the size and adjusts every frame: with the evaluator's frames
// on it, that was 14-22 % of a warm review's CPU, since each review runs
// on a fresh goroutine (the webhook's).
const evalStack = 128 << 10

// stackIndex keeps reserveStack's frame from being optimised away.
var stackIndex atomic.Int32

// reserveStack grows the calling goroutine's stack to at least evalStack
// before the evaluator is entered, while the stack is still shallow and
// cheap to copy: one copy of a few frames, in place of several copies of
// deep ones. On a goroutine whose stack is already that large, it costs a
// call.
//
//go:noinline
func reserveStack() byte {
	var b [evalStack]byte
	i := stackIndex.Load()
	b[i] = 1
	return b[i+1]
}

// rawFinding is a finding object as a rule wrote it.
type rawFinding struct {
	Message  string          `json:"message"`
	Evidence string          `json:"evidence"`
	Path     string          `json:"path"`
	Line     int             `json:"line"`
	Target   json.RawMessage `json:"target"`
	Expected json.RawMessage `json:"expected"`
	Actual   json.RawMessage `json:"actual"`
	Outcome  string          `json:"outcome"`
	Severity string          `json:"severity"`
}

// text renders a rule-written value as text: strings as they are, anything
// else as compact JSON.
func text(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}

// ruleFindings turns raw results into findings, rules in the order given.
func ruleFindings(rules []rule, raw map[string][]rawFinding) []policy.Finding {
	var out []policy.Finding
	for _, r := range rules {
		var fs []policy.Finding
		for _, rf := range raw[r.info.ID] {
			f := policy.Finding{
				Rule:        r.info.ID,
				Outcome:     r.outcome,
				Severity:    r.info.Severity,
				Message:     rf.Message,
				Evidence:    rf.Evidence,
				Path:        rf.Path,
				Line:        rf.Line,
				Target:      text(rf.Target),
				Expected:    text(rf.Expected),
				Actual:      text(rf.Actual),
				Remediation: r.info.Remediation,
			}
			if rf.Outcome != "" {
				if o, err := policy.ParseOutcome(rf.Outcome); err == nil && o != policy.OutcomeUnknown {
					f.Outcome = o
				} else {
					// A rule that names a bad outcome fails closed.
					f.Outcome = policy.OutcomeError
					f.Message += fmt.Sprintf(" (rule set an invalid outcome %q)", rf.Outcome)
				}
			}
			if rf.Severity != "" {
				if s, err := policy.ParseSeverity(rf.Severity); err == nil {
					f.Severity = s
				}
			}
			if f.Message == "" {
				f.Message = r.info.Title
			}
			fs = append(fs, f)
		}
		slices.SortFunc(fs, compareFindings)
		out = append(out, fs...)
	}
	return out
}

func compareFindings(a, b policy.Finding) int {
	for _, c := range [...]int{
		strings.Compare(a.Evidence, b.Evidence),
		a.Line - b.Line,
		strings.Compare(a.Target, b.Target),
		strings.Compare(a.Path, b.Path),
		strings.Compare(a.Message, b.Message),
		strings.Compare(a.Expected, b.Expected),
		strings.Compare(a.Actual, b.Actual),
		int(a.Outcome) - int(b.Outcome),
	} {
		if c != 0 {
			return c
		}
	}
	return 0
}

// checks folds findings per kind. A kind is reported when it is required, had
// evidence, or has findings.
func checks(findings []policy.Finding, present map[policy.EvidenceKind]bool, require []policy.EvidenceKind) []policy.Check {
	byKind := map[policy.EvidenceKind][]policy.Finding{}
	var order []policy.EvidenceKind
	add := func(k policy.EvidenceKind) {
		if _, ok := byKind[k]; !ok {
			byKind[k] = nil
			order = append(order, k)
		}
	}
	for _, k := range policy.Kinds() {
		if present[k] || slices.Contains(require, k) {
			add(k)
		}
	}
	for _, f := range findings {
		k := f.Kind()
		add(k)
		byKind[k] = append(byKind[k], f)
	}
	slices.SortStableFunc(order, func(a, b policy.EvidenceKind) int {
		if a.Order() != b.Order() {
			return a.Order() - b.Order()
		}
		return strings.Compare(string(a), string(b))
	})
	out := make([]policy.Check, 0, len(order))
	for _, k := range order {
		out = append(out, policy.Check{Kind: k, Outcome: policy.Fold(byKind[k]), Findings: len(byKind[k])})
	}
	return out
}

// mergeInputs lists every input read, in kind order, each path once.
func mergeInputs(envs []*Env) []policy.Input {
	out := []policy.Input{}
	seen := map[string]bool{}
	for _, e := range envs {
		for _, in := range e.Inputs() {
			key := string(in.Kind) + "\x00" + in.Role + "\x00" + in.Path
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, in)
		}
	}
	return out
}

// decisionID derives the id from what the decision is about, so the same
// inputs give the same id.
func decisionID(d *policy.Decision) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", d.Policy.Digest, d.Repo, d.Time.Format(time.RFC3339Nano))
	for _, s := range d.Subjects {
		fmt.Fprintf(h, "subject %s %s\n", s.Name, s.Digest["sha256"])
	}
	for _, in := range d.Inputs {
		fmt.Fprintf(h, "input %s %s %s %s\n", in.Kind, in.Role, filepath.ToSlash(in.Path), in.Digest["sha256"])
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
