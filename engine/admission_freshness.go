package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// windowsCacheSize is how many judged image checks an engine keeps.
const windowsCacheSize = 4096

// windowsRef is the rule that judges the claims of one image check.
var windowsRef = ast.MustParseRef("data.hub.admission.vsa_check_windows")

// windowsQuery judges the time-independent part of the admission.vsa rule
// once per distinct image check and keeps it: which summaries' claims hold
// (hub.lib.vsa_claims_ok) and when each is fresh (hub.lib.vsa_window).
// The rule then judges only the evaluation time against the windows. The
// claims are most of a warm review's evaluation, and the same few images
// are reviewed over and over; the judgement is the pack's Rego, evaluated
// on the same facts, under a key that holds all of them.
type windowsQuery struct {
	p     *pack
	once  sync.Once
	query rego.PreparedEvalQuery
	// defined is false for a pack without the rule: the admission rule
	// then judges every summary itself.
	defined bool
	err     error
	cache   *lru.Cache[[sha256.Size]byte, judgedCheck]
}

// judgedCheck is what is kept of one image check: the windows of its
// summaries, and the checker's answer with them as Rego input (its AST,
// shared read-only by every review of the same check, as a compiled rule's
// terms are shared by every evaluation).
type judgedCheck struct {
	windows []admission.VSAWindow
	term    *ast.Term
}

func newWindowsQuery(p *pack) *windowsQuery {
	c, err := lru.New[[sha256.Size]byte, judgedCheck](windowsCacheSize)
	if err != nil { // only for a size below 1
		panic(err)
	}
	return &windowsQuery{p: p, cache: c}
}

func (w *windowsQuery) prepare(ctx context.Context) error {
	w.once.Do(func() {
		s := w.p.prepare(context.WithoutCancel(ctx), []policy.EvidenceKind{AdmissionKind}, false)
		if s.err != nil {
			w.err = s.err
			return
		}
		if len(s.compiler.GetRulesExact(windowsRef)) == 0 {
			return
		}
		w.defined = true
		w.query, w.err = rego.New(
			rego.ParsedQuery(ast.NewBody(ast.Equality.Expr(ast.VarTerm("x"), ast.NewTerm(windowsRef)))),
			rego.Compiler(s.compiler),
			rego.Store(w.p.store),
			rego.StrictBuiltinErrors(true),
			rego.Capabilities(w.p.caps),
		).PrepareForEval(context.WithoutCancel(ctx))
		if w.err != nil {
			w.err = fmt.Errorf("%w: prepare %s: %w", ErrPolicy, windowsRef, w.err)
		}
	})
	return w.err
}

// windowsCheck is input.check of the windows rule, and with the config the
// key of its judgement.
type windowsCheck struct {
	Mapping   *admission.Mapping   `json:"mapping"`
	Unchanged bool                 `json:"unchanged"`
	Result    *admission.VSAResult `json:"result"`
}

// set sets the windows of each image check of facts (each distinct
// checker answer), from the cache or judged now. It returns the Rego input
// of each answer with its windows, for factsAST; nil when none was judged.
func (w *windowsQuery) set(ctx context.Context, facts *admission.Facts, cfg admission.Config, timeout time.Duration) (map[*admission.VSAResult]*ast.Term, error) {
	var checks []*admission.Image
	seen := map[*admission.VSAResult]bool{}
	for i := range facts.Images {
		im := &facts.Images[i]
		if im.VSA == nil || im.Mapping == nil || seen[im.VSA] {
			continue
		}
		seen[im.VSA] = true
		checks = append(checks, im)
	}
	if len(checks) == 0 {
		return nil, nil
	}
	if err := w.prepare(ctx); err != nil {
		return nil, err
	}
	if !w.defined {
		return nil, nil
	}
	terms := make(map[*admission.VSAResult]*ast.Term, len(checks))
	vcfg := vsaConfigOf(cfg.VSA)
	for _, im := range checks {
		check := windowsCheck{Mapping: im.Mapping, Unchanged: im.Unchanged, Result: im.VSA}
		b, err := json.Marshal(struct {
			VSA   vsaConfigFacts `json:"vsa"`
			Check windowsCheck   `json:"check"`
		}{vcfg, check})
		if err != nil {
			return nil, fmt.Errorf("admission windows: %w", err)
		}
		key := sha256.Sum256(b)
		j, hit := w.cache.Get(key)
		if !hit {
			ws, err := w.judge(ctx, vcfg, check, timeout)
			if err != nil {
				return nil, err
			}
			im.VSA.Windows = ws
			v, err := toAST(im.VSA)
			if err != nil {
				return nil, fmt.Errorf("admission windows: %w", err)
			}
			j = judgedCheck{windows: ws, term: ast.NewTerm(v)}
			w.cache.Add(key, j)
		}
		// The key holds every field of the answer, so the kept term is
		// what toAST(im.VSA) would give now.
		im.VSA.Windows = j.windows
		terms[im.VSA] = j.term
	}
	return terms, nil
}

// judge evaluates the windows rule on one check.
func (w *windowsQuery) judge(ctx context.Context, vcfg vsaConfigFacts, check windowsCheck, timeout time.Duration) ([]admission.VSAWindow, error) {
	in, err := toAST(struct {
		Config struct {
			VSA vsaConfigFacts `json:"vsa"`
		} `json:"config"`
		Check windowsCheck `json:"check"`
	}{Config: struct {
		VSA vsaConfigFacts `json:"vsa"`
	}{vcfg}, Check: check})
	if err != nil {
		return nil, fmt.Errorf("admission windows: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reserveStack()
	rs, err := w.query.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", windowsRef, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("evaluate %s: %d results, want 1", windowsRef, len(rs))
	}
	b, err := json.Marshal(rs[0].Bindings["x"])
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", windowsRef, err)
	}
	var raw []struct {
		From  json.Number  `json:"from"`
		Until *json.Number `json:"until"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("evaluate %s: not a list of windows: %w", windowsRef, err)
	}
	ws := make([]admission.VSAWindow, 0, len(raw))
	for _, r := range raw {
		from, err := clampNS(r.From)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: from: %w", windowsRef, err)
		}
		w := admission.VSAWindow{From: from}
		if r.Until != nil {
			until, err := clampNS(*r.Until)
			if err != nil {
				return nil, fmt.Errorf("evaluate %s: until: %w", windowsRef, err)
			}
			w.Until = &until
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// clampNS is the whole number n clamped to the int64 range. A window
// edge beyond it (a summary's timeVerified is clamped to that range, and
// the clock skew and max_age take it further) compares with every
// evaluation time as the clamped value does.
func clampNS(n json.Number) (int64, error) {
	v, ok := new(big.Int).SetString(n.String(), 10)
	if !ok {
		return 0, fmt.Errorf("%q is not a whole number of nanoseconds", n)
	}
	switch {
	case v.IsInt64():
		return v.Int64(), nil
	case v.Sign() < 0:
		return math.MinInt64, nil
	default:
		return math.MaxInt64, nil
	}
}
