package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/cicd-hub/hubgate/policy"
)

// maxPreparedSets bounds the queries an Engine keeps prepared, one per set of
// kinds judged (each holds its compiled modules, a few MB at most). A
// long-lived engine sees few sets (one per kind combination its repos
// require and are given); past the bound, a new set is judged by the query
// over every release kind, which gives the same findings
// (TestPrunedSetsJudgeAsTheFullPack).
const maxPreparedSets = 16

// pack is the policy an Engine runs: every runtime module, parsed once in
// New, and the queries prepared from them per set of kinds, lazily: a
// process that judges one kind compiles that kind's modules and the
// modules every kind uses (package hub, hub.lib, the user's helpers), not
// the whole pack. It is safe for concurrent use.
type pack struct {
	caps  *ast.Capabilities
	store storage.Store
	// mods are every runtime module; a built-in one is parsed when a set
	// first needs it (parsed), a user's in New.
	mods   []module
	parses []parseOnce
	// kindMods are the modules of each kind (package hub.<kind>), by index
	// in mods; base the modules of no kind, compiled into every set.
	kindMods map[policy.EvidenceKind][]int
	base     []int
	// deps are, per module, the kinds whose modules it needs compiled with
	// it (it refers to data.hub.<kind>); all says it may refer to any.
	deps []moduleDeps
	// builtinOnly: every module is the embedded pack's, so the check-only
	// compiler stages are skipped (builtinChecked).
	builtinOnly bool
	// rules is the catalogue: every rule, in report order.
	rules []rule
	// full judges every release with the query over every release kind
	// (tests compare it with the pruned sets).
	full bool

	mu   sync.Mutex
	sets map[string]*preparedSet
}

// moduleDeps are the kinds a module refers to.
type moduleDeps struct {
	kinds []policy.EvidenceKind
	all   bool
}

// parseOnce is one module's parse, done at most once.
type parseOnce struct {
	once sync.Once
	mod  *ast.Module
	err  error
}

// parsed returns module i parsed.
func (p *pack) parsed(i int) (*ast.Module, error) {
	po := &p.parses[i]
	po.once.Do(func() {
		if m := p.mods[i].parsed; m != nil {
			po.mod = m
			return
		}
		if po.mod, po.err = parseModule(p.mods[i], p.caps); po.err != nil {
			po.err = fmt.Errorf("%w: %w", ErrPolicy, po.err)
		}
	})
	return po.mod, po.err
}

// preparedSet is the query over the rules of one set of kinds, prepared at
// most once.
type preparedSet struct {
	once  sync.Once
	rules []rule
	query rego.PreparedEvalQuery
	// compiler is the set's compiled modules, for another query over
	// them (the admission set's vsa_check_windows).
	compiler *ast.Compiler
	err      error
}

// Eval runs the prepared query; it makes a preparedSet a query evalQuery
// runs.
func (s *preparedSet) Eval(ctx context.Context, opts ...rego.EvalOption) (rego.ResultSet, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.query.Eval(ctx, opts...)
}

// lazyQuery is a set's query prepared on its first evaluation (the
// admission rules': most processes never judge an admission).
type lazyQuery struct {
	p     *pack
	kinds []policy.EvidenceKind
}

// Eval prepares the set once, then runs its query.
func (q lazyQuery) Eval(ctx context.Context, opts ...rego.EvalOption) (rego.ResultSet, error) {
	return q.p.prepare(ctx, q.kinds, false).Eval(ctx, opts...)
}

// kindOf is the kind of a module's package: "sbom" for hub.sbom, "" for a
// package of no kind (hub, hub.lib, hub.x.y, or outside hub).
func kindOf(m *ast.Module) policy.EvidenceKind {
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
	kind, ok := strings.CutPrefix(pkg, "hub.")
	if !ok || strings.Contains(kind, ".") || kind == "lib" {
		return ""
	}
	return policy.EvidenceKind(kind)
}

// newPack makes the pack of mods: kinds[i] is module i's kind (kindOf its
// package), deps[i] what it refers to; a module whose parsed is nil is
// parsed when first compiled. rules is the catalogue.
func newPack(mods []module, kinds []policy.EvidenceKind, deps []moduleDeps, rules []rule, caps *ast.Capabilities, store storage.Store, builtinOnly bool) *pack {
	p := &pack{
		caps: caps, store: store, mods: mods, parses: make([]parseOnce, len(mods)), rules: rules, builtinOnly: builtinOnly,
		kindMods: map[policy.EvidenceKind][]int{}, deps: deps,
		sets: map[string]*preparedSet{},
	}
	for i, k := range kinds {
		if k != "" {
			p.kindMods[k] = append(p.kindMods[k], i)
		} else {
			p.base = append(p.base, i)
		}
	}
	return p
}

// refersTo lists the kinds whose modules m needs: those its refs name
// (data.hub.<kind>...), those its package lies under (hub.<kind>.x
// conflicts with a rule x of hub.<kind> only when both are compiled), and
// for a module of package hub, the kinds its rules are named after. A ref
// into data or data.hub by a variable may reach any kind.
func refersTo(m *ast.Module) moduleDeps {
	var d moduleDeps
	add := func(k policy.EvidenceKind) {
		if k != "lib" && !slices.Contains(d.kinds, k) {
			d.kinds = append(d.kinds, k)
		}
	}
	visit := func(r ast.Ref) {
		if len(r) == 0 || !r[0].Equal(ast.DefaultRootDocument) {
			return
		}
		if len(r) == 1 {
			d.all = true
			return
		}
		hub, ok := r[1].Value.(ast.String)
		if !ok {
			d.all = true
			return
		}
		if hub != "hub" {
			return
		}
		if len(r) == 2 {
			d.all = true
			return
		}
		k, ok := r[2].Value.(ast.String)
		if !ok {
			d.all = true
			return
		}
		add(policy.EvidenceKind(k))
	}
	if pkg := m.Package.Path; len(pkg) > 2 {
		visit(pkg)
	}
	if m.Package.Path.Equal(ast.MustParseRef("data.hub")) {
		for _, r := range m.Rules {
			if ref := r.Head.Ref(); len(ref) > 0 {
				if v, ok := ref[0].Value.(ast.Var); ok {
					add(policy.EvidenceKind(v))
				} else {
					d.all = true
				}
			}
		}
	}
	for _, r := range m.Rules {
		ast.WalkRefs(r, func(r ast.Ref) bool {
			visit(r)
			return false
		})
	}
	for _, imp := range m.Imports {
		if r, ok := imp.Path.Value.(ast.Ref); ok {
			visit(r)
		}
	}
	return d
}

// closure is kinds and every kind their modules (and the base modules)
// need, sorted; all when some module may refer to any kind.
func (p *pack) closure(kinds []policy.EvidenceKind) []policy.EvidenceKind {
	in := map[policy.EvidenceKind]bool{}
	var todo []int
	todo = append(todo, p.base...)
	for _, k := range kinds {
		if !in[k] {
			in[k] = true
			todo = append(todo, p.kindMods[k]...)
		}
	}
	for len(todo) > 0 {
		i := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if p.deps[i].all {
			for k := range p.kindMods {
				in[k] = true
			}
			break
		}
		for _, k := range p.deps[i].kinds {
			if _, ok := p.kindMods[k]; ok && !in[k] {
				in[k] = true
				todo = append(todo, p.kindMods[k]...)
			}
		}
	}
	out := make([]policy.EvidenceKind, 0, len(in))
	for k := range in {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// modulesOf are the base modules and those of kinds, in mods order,
// parsed.
func (p *pack) modulesOf(kinds []policy.EvidenceKind) ([]module, error) {
	var idx []int
	idx = append(idx, p.base...)
	for _, k := range kinds {
		idx = append(idx, p.kindMods[k]...)
	}
	slices.Sort(idx)
	out := make([]module, len(idx))
	for i, j := range idx {
		m, err := p.parsed(j)
		if err != nil {
			return nil, err
		}
		out[i] = module{name: p.mods[j].name, source: p.mods[j].source, parsed: m}
	}
	return out, nil
}

// compileKinds compiles the modules of kinds (closed over what they refer
// to) with the base modules, every stage run unless builtinOnly.
func (p *pack) compileKinds(kinds []policy.EvidenceKind) (*ast.Compiler, error) {
	mods, err := p.modulesOf(p.closure(kinds))
	if err != nil {
		return nil, err
	}
	return compile(mods, p.caps, p.builtinOnly)
}

// prepare returns the query over the rules of kinds (sorted, distinct),
// compiling the set on its first use; concurrent callers of one set wait
// for the one compilation. The error, if any, is the set's for good: the
// compilation depends only on the modules. release says kinds judge a
// release: past maxPreparedSets, a new such set is judged by the query over
// every release kind.
func (p *pack) prepare(ctx context.Context, kinds []policy.EvidenceKind, release bool) *preparedSet {
	key := setKey(kinds)
	p.mu.Lock()
	s, ok := p.sets[key]
	if !ok {
		if release && len(p.sets) >= maxPreparedSets {
			kinds = p.releaseKinds()
			key = setKey(kinds)
			s, ok = p.sets[key]
		}
		if !ok {
			s = &preparedSet{}
			p.sets[key] = s
		}
	}
	p.mu.Unlock()
	s.once.Do(func() {
		// The compilation is the set's, not this call's: a caller's
		// cancellation must not become the set's error.
		s.rules, s.query, s.compiler, s.err = p.prepareSet(context.WithoutCancel(ctx), kinds)
	})
	return s
}

// prepareSet compiles the set and prepares its query over its rules, in
// catalogue order.
func (p *pack) prepareSet(ctx context.Context, kinds []policy.EvidenceKind) ([]rule, rego.PreparedEvalQuery, *ast.Compiler, error) {
	var rules []rule
	for _, r := range p.rules {
		if slices.Contains(kinds, r.info.Kind) {
			rules = append(rules, r)
		}
	}
	compiler, err := p.compileKinds(kinds)
	if err != nil {
		return nil, rego.PreparedEvalQuery{}, nil, err
	}
	query, err := buildQuery(rules)
	if err != nil {
		return nil, rego.PreparedEvalQuery{}, nil, err
	}
	pq, err := rego.New(
		rego.ParsedQuery(query),
		rego.Compiler(compiler),
		rego.Store(p.store),
		rego.StrictBuiltinErrors(true),
		rego.Capabilities(p.caps),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, rego.PreparedEvalQuery{}, nil, fmt.Errorf("%w: prepare: %w", ErrPolicy, err)
	}
	return rules, pq, compiler, nil
}

// releaseKinds are the kinds of every rule that judges a release (all but
// admission, job and vsa_verify), sorted.
func (p *pack) releaseKinds() []policy.EvidenceKind {
	var out []policy.EvidenceKind
	for _, r := range p.rules {
		if k := r.info.Kind; k.Release() && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// releaseSet is the set of kinds a release's query judges: the kinds the
// registry requires, those with evidence or problems (present), and every
// kind that is not an evidence kind (a user's hub.<name>, whose rules read
// no facts of their own). A kind outside the set has no evidence, no
// problems and is not required: its rules find nothing, so leaving them
// out changes no finding (TestPrunedSetsJudgeAsTheFullPack). With only
// (EvaluateKinds), the set is only's kinds.
func (p *pack) releaseSet(require []policy.EvidenceKind, present map[policy.EvidenceKind]bool, problems map[policy.EvidenceKind]int, only map[policy.EvidenceKind]bool) []policy.EvidenceKind {
	if p.full {
		return p.releaseKinds()
	}
	var out []policy.EvidenceKind
	for _, k := range p.releaseKinds() {
		var in bool
		switch {
		case only != nil:
			in = only[k]
		case !k.Valid():
			in = true
		default:
			in = present[k] || problems[k] > 0 || slices.Contains(require, k)
		}
		if in {
			out = append(out, k)
		}
	}
	return out
}

// setKey names a sorted set of kinds.
func setKey(kinds []policy.EvidenceKind) string {
	var b strings.Builder
	for i, k := range kinds {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(k))
	}
	return b.String()
}
