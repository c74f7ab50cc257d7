package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// AdmissionKind is [policy.KindAdmission]: the kind of the admission rules
// (package hub.admission) and of the one check of an admission decision.
const AdmissionKind = policy.KindAdmission

// AdmissionInput is one admission request to judge.
type AdmissionInput struct {
	// Config is the registry's admission section: the allowed registries,
	// the image mappings and the waivers.
	Config admission.Config
	// Object is the request's object.
	Object admission.Object
	// Checker verifies the images' verification summaries; nil answers
	// every image with an error (fails closed).
	Checker admission.VSAChecker
	// Now is the evaluation time: the decision's time, and what waivers'
	// expiry is judged against. Required.
	Now time.Time
}

// admissionConfig is input.config: what the admission rules read of the
// registry's admission section.
type admissionConfig struct {
	Registries []string       `json:"registries"`
	VSA        vsaConfigFacts `json:"vsa"`
}

// EvaluateAdmission judges one admission object: engine/admission collects
// its facts (asking in.Checker about each image's summary), the rules of
// package hub.admission judge them, and the findings get the waivers of
// in.Config (admission.waivers, expiry judged at in.Now) and fold into one
// decision, as [Engine.Evaluate] does for a release. The error is non-nil
// only when no decision can be formed: the object does not decode (wrapping
// [admission.ErrDecode] or [admission.ErrInvalid], which a caller denies),
// ctx is done, or the evaluation fails. It is safe for concurrent use.
func (e *Engine) EvaluateAdmission(ctx context.Context, in AdmissionInput) (*policy.Decision, error) {
	if in.Now.IsZero() {
		return nil, fmt.Errorf("%w: no evaluation time", ErrInput)
	}
	now := in.Now.UTC()
	facts, err := admission.Collect(ctx, in.Config, in.Object, in.Checker)
	if err != nil {
		return nil, err
	}
	judged, err := e.windows.set(ctx, facts, in.Config, e.evalTimeout)
	if err != nil {
		return nil, err
	}
	doc, err := admissionDocument(now, facts, judged, in.Config)
	if err != nil {
		return nil, err
	}
	raw, err := evalQuery(ctx, e.admQuery, doc, e.evalTimeout)
	if err != nil {
		return nil, err
	}
	findings := applyWaivers(ruleFindings(e.admRules, raw), in.Config.PolicyWaivers(), now)
	if findings == nil {
		findings = []policy.Finding{}
	}
	d := e.oneCheckDecision(string(AdmissionKind), AdmissionKind, findings, now)
	h := sha256.New()
	fmt.Fprintf(h, "%s\nadmission\n%s\n%s\n%s\n%x\n%x\n", d.Policy.Digest, now.Format(time.RFC3339Nano),
		in.Object.Operation, facts.Object, sha256.Sum256(in.Object.Raw), sha256.Sum256(in.Object.OldRaw))
	d.ID = hex.EncodeToString(h.Sum(nil))[:32]
	return d, nil
}

// admissionDocument is the Rego input of an admission evaluation, built
// once, straight from the typed facts; judged holds the input of checker
// answers already converted (see factsAST).
func admissionDocument(now time.Time, facts *admission.Facts, judged map[*admission.VSAResult]*ast.Term, cfg admission.Config) (ast.Value, error) {
	f, err := factsAST(facts, judged)
	if err != nil {
		return nil, fmt.Errorf("admission facts: %w", err)
	}
	regs := cfg.Registries
	if regs == nil {
		regs = []string{}
	}
	c, err := toAST(admissionConfig{Registries: regs, VSA: vsaConfigOf(cfg.VSA)})
	if err != nil {
		return nil, fmt.Errorf("admission config: %w", err)
	}
	return ast.NewObject(
		ast.Item(ast.StringTerm("now"), ast.StringTerm(now.Format(time.RFC3339Nano))),
		ast.Item(ast.StringTerm("now_ns"), ast.NumberTerm(json.Number(fmt.Sprint(now.UnixNano())))),
		ast.Item(ast.StringTerm("admission"), ast.NewTerm(f)),
		ast.Item(ast.StringTerm("config"), ast.NewTerm(c)),
	), nil
}

// factsAST is toAST(facts), with each image's VSA result (shared by every
// image with the same mapping, digest and unchanged flag) and mapping
// (shared by the images under one admission.images prefix) converted once,
// the result taken from judged when there: the kept input of the same
// answer, converted by an earlier review.
func factsAST(facts *admission.Facts, judged map[*admission.VSAResult]*ast.Term) (ast.Value, error) {
	stripped := *facts
	stripped.Images = slices.Clone(facts.Images)
	for i := range stripped.Images {
		stripped.Images[i].VSA = nil
		stripped.Images[i].Mapping = nil
	}
	v, err := toAST(&stripped)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("facts: not an object")
	}
	imgs, ok := obj.Get(ast.StringTerm("images")).Value.(*ast.Array)
	if !ok || imgs.Len() != len(facts.Images) {
		return nil, fmt.Errorf("facts: images: not an array of %d", len(facts.Images))
	}
	results := map[*admission.VSAResult]*ast.Term{}
	mappings := map[*admission.Mapping]*ast.Term{}
	for i, im := range facts.Images {
		io, ok := imgs.Elem(i).Value.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("facts: images[%d]: not an object", i)
		}
		if im.Mapping != nil {
			t, err := shared(mappings, im.Mapping, nil)
			if err != nil {
				return nil, err
			}
			io.Insert(ast.StringTerm("mapping"), t)
		}
		if im.VSA != nil {
			t, err := shared(results, im.VSA, judged)
			if err != nil {
				return nil, err
			}
			io.Insert(ast.StringTerm("vsa"), t)
		}
	}
	return obj, nil
}

// shared is the term of p: from kept, else converted once per pointer
// (memo).
func shared[T any](memo map[*T]*ast.Term, p *T, kept map[*T]*ast.Term) (*ast.Term, error) {
	if t, ok := kept[p]; ok {
		return t, nil
	}
	if t, ok := memo[p]; ok {
		return t, nil
	}
	v, err := toAST(p)
	if err != nil {
		return nil, err
	}
	t := ast.NewTerm(v)
	memo[p] = t
	return t, nil
}

// oneCheckDecision is a decision of one check of kind over findings, with
// no subjects and no inputs: an admission review's or a verify vsa's. repo
// names what was judged in place of a repository.
func (e *Engine) oneCheckDecision(repo string, kind policy.EvidenceKind, findings []policy.Finding, now time.Time) *policy.Decision {
	outcome := policy.Fold(findings)
	return &policy.Decision{
		MediaType: policy.DecisionMediaType,
		Repo:      repo,
		Subjects:  []policy.Subject{},
		Policy:    policy.PolicyRef{Digest: e.digest},
		Inputs:    []policy.Input{},
		Findings:  findings,
		Time:      now,
		Checks:    []policy.Check{{Kind: kind, Outcome: outcome, Findings: len(findings)}},
		Outcome:   outcome,
		Allowed:   outcome.Allowed(),
	}
}
