package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// KindVSA is the vsa evidence kind ([policy.KindVSA]): its rules
// (rego/vsa.rego) judge a release's summaries in Evaluate.
const KindVSA = policy.KindVSA

// KindVSAVerify is the rule kind of hubgate verify vsa: rules
// hub.vsa_verify.<name> (rego/vsa_verify.rego), judged by EvaluateVSA
// alone, never in a release's Evaluate (like the admission and job rules).
const KindVSAVerify = policy.KindVSAVerify

// VSAInput is one verification summary to judge.
type VSAInput struct {
	// Summary is what verifying the bundle found: [admission.SummaryFacts]
	// of a summary that verified, [admission.UnverifiedFacts] otherwise.
	Summary admission.VSASummary
	// Digest is the subject digest the summary was verified for.
	Digest string
	// Config is the registry's admission.vsa section (its MaxAge as the
	// caller overrides it).
	Config admission.VSAConfig
	// Now is the time the age is judged at. Required.
	Now time.Time
}

// vsaConfigFacts is input.config.vsa: the registry's admission.vsa section
// as the rules read it.
type vsaConfigFacts struct {
	MaxAge        string   `json:"max_age"`
	MaxAgeNS      int64    `json:"max_age_ns"`
	PolicyDigests []string `json:"policy_digests"`
	VerifierID    string   `json:"verifier_id"`
}

func vsaConfigOf(c admission.VSAConfig) vsaConfigFacts {
	pd := c.PolicyDigests
	if pd == nil {
		pd = []string{}
	}
	return vsaConfigFacts{MaxAge: time.Duration(c.MaxAge).String(), MaxAgeNS: int64(c.MaxAge), PolicyDigests: pd, VerifierID: c.VerifierID}
}

// vsaQuery is the query over the hub.vsa_verify rules alone, prepared on
// first use.
type vsaQuery struct {
	rules []rule
	query lazyQuery
}

// splitVSARules takes verify vsa's rules out of the release rules: a
// release's Evaluate never runs them, EvaluateVSA runs only them.
func splitVSARules(all []rule) (release, vsa []rule) {
	for _, r := range all {
		if r.info.Kind == KindVSAVerify {
			vsa = append(vsa, r)
		} else {
			release = append(release, r)
		}
	}
	return release, vsa
}

var ruleVSANoRules = policy.RuleInfo{
	ID: "vsa_verify.no_rules", Kind: KindVSAVerify, Title: "No verification summary rule was evaluated",
	Description: "The policy pack has no hub.vsa_verify rules, so nothing the summary claims was judged.", Severity: policy.SeverityCritical,
	Remediation: "Keep the built-in policy pack (rego/vsa_verify.rego).", Source: "engine/vsa_eval.go",
}

// EvaluateVSA judges one verification summary for hubgate verify vsa, by
// the hub.vsa_verify rules: hub.lib.vsa_problems, the judgement the admission.vsa
// rule makes of each summary of an image, without the repository (verify
// vsa names none). A summary that did not verify is denied with its error;
// one that did is judged on what it claims: PASSED, no older than
// in.Config.MaxAge and not from the future, and the accepted policy digests
// and verifier id when set. It is safe for concurrent use.
func (e *Engine) EvaluateVSA(ctx context.Context, in VSAInput) (*policy.Decision, error) {
	if in.Now.IsZero() {
		return nil, fmt.Errorf("%w: no evaluation time", ErrInput)
	}
	now := in.Now.UTC()
	sv, err := toAST(in.Summary)
	if err != nil {
		return nil, fmt.Errorf("vsa facts: %w", err)
	}
	cv, err := toAST(vsaConfigOf(in.Config))
	if err != nil {
		return nil, fmt.Errorf("vsa config: %w", err)
	}
	doc := ast.NewObject(
		ast.Item(ast.StringTerm("now"), ast.StringTerm(now.Format(time.RFC3339Nano))),
		ast.Item(ast.StringTerm("now_ns"), ast.NumberTerm(json.Number(fmt.Sprint(now.UnixNano())))),
		ast.Item(ast.StringTerm("digest"), ast.StringTerm(in.Digest)),
		ast.Item(ast.StringTerm("summary"), ast.NewTerm(sv)),
		ast.Item(ast.StringTerm("config"), ast.NewTerm(ast.NewObject(ast.Item(ast.StringTerm("vsa"), ast.NewTerm(cv))))),
	)
	findings := []policy.Finding{}
	if len(e.vsa.rules) > 0 {
		raw, err := evalQuery(ctx, e.vsa.query, doc, e.evalTimeout)
		if err != nil {
			return nil, err
		}
		findings = append(findings, ruleFindings(e.vsa.rules, raw)...)
	} else {
		// A pack without hub.vsa_verify rules judges nothing: never pass on that.
		findings = append(findings, policy.Finding{
			Rule: ruleVSANoRules.ID, Outcome: policy.OutcomeError, Severity: ruleVSANoRules.Severity,
			Message: "no hub.vsa_verify rule was evaluated", Target: in.Digest,
			Expected: "the hub.vsa_verify rules", Actual: "none", Remediation: ruleVSANoRules.Remediation,
		})
	}
	d := e.oneCheckDecision(string(KindVSA), KindVSAVerify, findings, now)
	facts, err := json.Marshal(in.Summary)
	if err != nil {
		return nil, fmt.Errorf("vsa facts: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\nvsa\n%s\n%s\n%x\n", d.Policy.Digest, now.Format(time.RFC3339Nano), in.Digest, sha256.Sum256(facts))
	d.ID = hex.EncodeToString(h.Sum(nil))[:32]
	return d, nil
}
