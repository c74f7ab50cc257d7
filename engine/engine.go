package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// DefaultEvalTimeout bounds one Rego evaluation.
const DefaultEvalTimeout = 10 * time.Second

// Engine judges releases. Its registry and rules are fixed by [New]; it
// compiles the rules of each set of kinds it judges once, on first use, and
// is safe for concurrent use: many goroutines may call [Engine.Evaluate] at
// once.
type Engine struct {
	reg *registry.Registry
	// rules are every rule that judges a release (the catalogue's but
	// admission's and job's); pack compiles and prepares them per set of
	// kinds judged.
	rules []rule
	infos []policy.RuleInfo
	pack  *pack
	// admRules and admQuery are the rules of package hub.admission, which
	// judge admission facts ([Engine.EvaluateAdmission]), never a release.
	admRules    []rule
	admQuery    lazyQuery
	digest      string
	maxFileSize int64
	evalTimeout time.Duration
	// opener opens evidence files; nil means os.Open (tests count opens).
	opener evidence.Opener
	// trust is each registry repo's trust material, loaded once here.
	trust map[string]*evidence.Trust
	// job is the hub.job rules' own query (job_eval.go).
	job jobQuery
	// vsa is the hub.vsa_verify rules' own query (vsa_eval.go).
	vsa vsaQuery
	// windows judges and keeps the claims of admission image checks
	// (admission_freshness.go).
	windows *windowsQuery
}

type config struct {
	reg         *registry.Registry
	regPath     string
	regCache    string
	policies    []PolicySource
	builtin     bool
	maxFileSize int64
	evalTimeout time.Duration
}

// Option configures [New].
type Option func(*config) error

// WithRegistry uses an already loaded registry.
func WithRegistry(r *registry.Registry) Option {
	return func(c *config) error {
		if r == nil {
			return errors.New("WithRegistry: nil registry")
		}
		c.reg = r
		return nil
	}
}

// WithRegistryPath loads the registry from a CUE, YAML or JSON file, or a
// directory of them. Without it, New uses the embedded default registry.
func WithRegistryPath(path string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("WithRegistryPath: empty path")
		}
		c.regPath = path
		return nil
	}
}

// WithRegistryCache keeps the resolved registry in dir, keyed by the digest
// of its sources, so that a later New with an unchanged registry skips CUE
// ([registry.WithCache]; [registry.DefaultCacheDir] is the user's). It
// applies to the registry New loads itself (WithRegistryPath or the
// embedded default), not to one given with WithRegistry.
func WithRegistryCache(dir string) Option {
	return func(c *config) error { c.regCache = dir; return nil }
}

// WithPolicy adds user rules, compiled with the built-in pack under the same
// restrictions.
func WithPolicy(src PolicySource) Option {
	return func(c *config) error {
		if src.FS == nil {
			return errors.New("WithPolicy: nil FS")
		}
		c.policies = append(c.policies, src)
		return nil
	}
}

// WithPolicyDir adds the .rego files under dir as user rules.
func WithPolicyDir(dir string) Option {
	return func(c *config) error {
		st, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrPolicy, err)
		}
		if !st.IsDir() {
			return fmt.Errorf("%w: --policy %s is not a directory", ErrPolicy, dir)
		}
		c.policies = append(c.policies, PolicySource{Name: filepath.ToSlash(filepath.Clean(dir)), FS: os.DirFS(dir)})
		return nil
	}
}

// WithoutBuiltinPolicyUnsafe leaves the embedded policy pack out. Only for tests of
// user rules; a gate without the built-in rules checks little.
func WithoutBuiltinPolicyUnsafe() Option {
	return func(c *config) error { c.builtin = false; return nil }
}

// WithMaxFileSize bounds every evidence file read (default
// [DefaultMaxFileSize]).
func WithMaxFileSize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxFileSize: %d is not positive", n)
		}
		c.maxFileSize = n
		return nil
	}
}

// WithEvalTimeout bounds each Rego evaluation (default [DefaultEvalTimeout]).
func WithEvalTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("WithEvalTimeout: %v is not positive", d)
		}
		c.evalTimeout = d
		return nil
	}
}

// New loads the registry and parses the rules once; each set of kinds is
// compiled when first judged, once, user rules with it (they are compiled
// once in New too, so their errors are New's). Errors name every
// problem with its position; they wrap [ErrPolicy] or come from the registry.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	cfg := config{builtin: true, maxFileSize: DefaultMaxFileSize, evalTimeout: DefaultEvalTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.reg != nil && cfg.regPath != "" {
		return nil, errors.New("engine: WithRegistry and WithRegistryPath both given; pass one")
	}
	// The registry (CUE, or its cache) and the trust material load while the
	// Rego pack is parsed and compiled: the two are independent, and the
	// machine has more than one core. A registry error is reported first,
	// as when it loaded alone.
	var (
		reg    *registry.Registry
		repos  map[string]any
		trusts map[string]*evidence.Trust
		regErr error
		loaded = make(chan struct{})
	)
	go func() {
		defer close(loaded)
		reg, repos, trusts, regErr = loadRegistry(cfg)
	}()
	caps := Capabilities()
	pol, polErr := readPolicy(cfg, caps)
	<-loaded
	if regErr != nil {
		return nil, regErr
	}
	if polErr != nil {
		return nil, polErr
	}
	store := inmem.NewFromObject(map[string]any{"hubgate": map[string]any{"repos": repos}})
	p := newPack(pol.mods, pol.kinds, pol.deps, pol.rules, caps, store, pol.builtinOnly)
	// User rules are compiled here, every stage run, with what they refer
	// to: an error in them is New's. The sets compile later, when first
	// judged (pack.prepare).
	if len(pol.userKinds) > 0 || pol.userBase {
		if _, err := p.compileKinds(pol.userKinds); err != nil {
			return nil, err
		}
	}
	// The hub.admission rules judge admission facts and the hub.job rules a
	// job's start, each with its own query; the rest judge a release.
	var rules, admRules []rule
	for _, r := range pol.rules {
		if r.info.Kind == AdmissionKind {
			admRules = append(admRules, r)
		} else {
			rules = append(rules, r)
		}
	}
	rules, jobRules := splitJobRules(rules)
	rules, vsaRules := splitVSARules(rules)
	// The catalogue: every rule in the order found, admission and job rules
	// included.
	infos := make([]policy.RuleInfo, len(pol.rules))
	for i, r := range pol.rules {
		infos[i] = r.info
	}
	return &Engine{
		reg:         reg,
		rules:       rules,
		infos:       infos,
		pack:        p,
		admRules:    admRules,
		admQuery:    lazyQuery{p: p, kinds: []policy.EvidenceKind{AdmissionKind}},
		digest:      policyDigest(reg.Digest(), pol.mods),
		maxFileSize: cfg.maxFileSize,
		evalTimeout: cfg.evalTimeout,
		trust:       trusts,
		job:         jobQuery{rules: jobRules, query: lazyQuery{p: p, kinds: []policy.EvidenceKind{KindJob}}},
		vsa:         vsaQuery{rules: vsaRules, query: lazyQuery{p: p, kinds: []policy.EvidenceKind{KindVSAVerify}}},
		windows:     newWindowsQuery(p),
	}, nil
}

// parsedPolicy is the built-in pack (unless left out) and the user rules,
// with the rule catalogue; built-in modules are parsed when first compiled.
type parsedPolicy struct {
	mods  []module
	kinds []policy.EvidenceKind
	deps  []moduleDeps
	rules []rule
	// builtinOnly: no user module (the check-only stages are skipped).
	builtinOnly bool
	// userKinds are the kinds of the user's modules (package hub.<kind>);
	// userBase says some user module is of no kind.
	userKinds []policy.EvidenceKind
	userBase  bool
}

// readPolicy reads the built-in pack (unless left out), indexed without
// parsing it while the generated index is current, parses the user rules,
// and finds the rules, without compiling them.
func readPolicy(cfg config, caps *ast.Capabilities) (parsedPolicy, error) {
	var idx packIndex
	var builtin []module
	if cfg.builtin {
		files, err := readFiles([]PolicySource{BuiltinPolicy()}, false)
		if err != nil {
			return parsedPolicy{}, err
		}
		if idx, builtin, err = builtinIndexFor(files, caps, builtinIndex); err != nil {
			return parsedPolicy{}, err
		}
	}
	user, err := readModules(cfg.policies, caps, false)
	if err != nil {
		return parsedPolicy{}, err
	}
	pol := parsedPolicy{builtinOnly: cfg.builtin && len(cfg.policies) == 0}
	if pol.mods, pol.kinds, pol.deps, pol.rules, err = indexedPolicy(idx, builtin, user); err != nil {
		return parsedPolicy{}, err
	}
	for _, m := range user {
		if k := kindOf(m.parsed); k == "" {
			pol.userBase = true
		} else if !slices.Contains(pol.userKinds, k) {
			pol.userKinds = append(pol.userKinds, k)
		}
	}
	return pol, nil
}

// loadRegistry loads the registry (unless given) and each repo's trust
// material. repos is data.hubgate.repos: every resolved entry once; the rule
// data.hub.repo (rego/hub.rego) picks the one of input.repo.
func loadRegistry(cfg config) (*registry.Registry, map[string]any, map[string]*evidence.Trust, error) {
	// The kinds' sections decode once, here, into their typed configs:
	// from CUE, or from the cache's resolved entries, or (a registry loaded
	// without them) from its resolved entries.
	sections := registrySections()
	reg := cfg.reg
	if reg == nil {
		var err error
		if cfg.regPath != "" {
			reg, err = registry.LoadPath(cfg.regPath, registry.WithCache(cfg.regCache), registry.WithSections(sections...))
		} else {
			reg, err = registry.LoadDefault(registry.WithCache(cfg.regCache), registry.WithSections(sections...))
		}
		if err != nil {
			return nil, nil, nil, err
		}
	} else if !reg.HasSections(sections...) {
		reg = reg.WithSections(sections...)
	}
	repos := make(map[string]any, len(reg.Names()))
	trusts := make(map[string]*evidence.Trust, len(reg.Names()))
	loaded := map[string]*evidence.Trust{}
	for _, n := range reg.Names() {
		r, err := reg.Repo(n)
		if err != nil {
			return nil, nil, nil, err
		}
		repos[n] = r.Data
		// Repos mostly share their trust settings (the org's): load each
		// distinct provenance section once.
		key := fmt.Sprint(r.Data["provenance"])
		if t, ok := loaded[key]; ok {
			trusts[n] = t
			continue
		}
		t := evidence.LoadTrust(r, "", func(path string) ([]byte, error) {
			return evidence.ReadBounded(nil, path, cfg.maxFileSize)
		})
		loaded[key], trusts[n] = t, t
	}
	return reg, repos, trusts, nil
}

// buildQuery makes one query that evaluates every rule at once:
// {"<id>": data.hub.<kind>.<name>, ...}.
func buildQuery(rules []rule) (ast.Body, error) {
	var b strings.Builder
	b.WriteString("findings = {")
	for i, r := range rules {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q: %s", r.info.ID, r.ref)
	}
	b.WriteString("}")
	q, err := ast.ParseBody(b.String())
	if err != nil {
		return nil, fmt.Errorf("%w: build query: %w", ErrPolicy, err)
	}
	return q, nil
}

// Rules returns the rule catalogue in report order, built-in rules and
// engine rules (waivers) included.
func (e *Engine) Rules() []policy.RuleInfo {
	out := append([]policy.RuleInfo(nil), e.infos...)
	out = append(out, jobRuleCatalogue()...)
	out = append(out, ruleVSANoRules)
	out = append(out, engineRules()...)
	return out
}

// PolicyDigest is "sha256:<hex>" over the registry and every Rego source
// that runs (test modules, *_test.rego, are left out: they never run in an
// eval).
func (e *Engine) PolicyDigest() string { return e.digest }

// Registry returns the loaded registry.
func (e *Engine) Registry() *registry.Registry { return e.reg }
