package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/cicd-hub/hubgate/policy"
	hubrego "github.com/cicd-hub/hubgate/rego"
)

// ErrPolicy is wrapped by every error about loading or compiling Rego.
var ErrPolicy = errors.New("policy")

// MaxPolicyFileSize bounds each .rego file read; the built-in pack's largest
// is about 20 KiB.
const MaxPolicyFileSize = 4 << 20

// PolicySource is a set of Rego files: the built-in pack, or a user's --policy
// directory. Name prefixes the file names in positions.
type PolicySource struct {
	Name string
	FS   fs.FS
}

// BuiltinPolicy is the embedded policy pack.
func BuiltinPolicy() PolicySource { return PolicySource{Name: "rego", FS: hubrego.FS} }

// deniedBuiltins are left out of the capabilities: no network, no runtime
// information, no wall clock, no randomness. A module calling one fails to
// compile, with its position.
func deniedBuiltin(name string) bool {
	switch name {
	case "http.send", "opa.runtime", "time.now_ns", "rand.intn", "uuid.rfc4122":
		return true
	}
	return strings.HasPrefix(name, "net.")
}

// Capabilities returns the hermetic capabilities hubgate compiles every
// module with.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !deniedBuiltin(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// module is one parsed Rego file.
type module struct {
	name   string // file name as shown in positions
	source []byte
	parsed *ast.Module
}

// readModules parses every .rego file of each source; test modules
// (*_test.rego) only when tests is true, since only `policy test` and
// `go test` run them: an eval neither parses nor compiles them. Parse errors
// of all files are returned together.
func readModules(sources []PolicySource, caps *ast.Capabilities, tests bool) ([]module, error) {
	files, err := readFiles(sources, tests)
	if err != nil {
		return nil, err
	}
	return parseModules(files, caps)
}

// readFiles reads every .rego file of each source (test modules only when
// tests is true), in name order within a source, without parsing them.
func readFiles(sources []PolicySource, tests bool) ([]module, error) {
	var files []module
	for _, src := range sources {
		var names []string
		err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".rego") && (tests || !isTestModule(p)) {
				names = append(names, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrPolicy, src.Name, err)
		}
		sort.Strings(names)
		for _, n := range names {
			if st, err := fs.Stat(src.FS, n); err == nil && st.Size() > MaxPolicyFileSize {
				return nil, fmt.Errorf("%w: %s: %d bytes is over the %d-byte limit for a policy file", ErrPolicy, path.Join(src.Name, n), st.Size(), MaxPolicyFileSize)
			}
			b, err := fs.ReadFile(src.FS, n)
			if err != nil {
				return nil, fmt.Errorf("%w: read %s: %v", ErrPolicy, n, err)
			}
			files = append(files, module{name: path.Join(src.Name, n), source: b})
		}
	}
	return files, nil
}

// parseModule parses one module as every module is parsed.
func parseModule(m module, caps *ast.Capabilities) (*ast.Module, error) {
	return ast.ParseModuleWithOpts(m.name, string(m.source), ast.ParserOptions{
		ProcessAnnotation: true,
		RegoVersion:       ast.RegoV1,
		Capabilities:      caps,
	})
}

// parseModules parses files; parse errors of all files are returned
// together.
func parseModules(files []module, caps *ast.Capabilities) ([]module, error) {
	// Parse on every core: the files are independent, and parsing is a
	// quarter of New. Results and errors keep the files' order.
	errOf := make([]error, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				files[i].parsed, errOf[i] = parseModule(files[i], caps)
			}
		}()
	}
	wg.Wait()
	var mods []module
	var errs ast.Errors
	for i, f := range files {
		if err := errOf[i]; err != nil {
			var astErrs ast.Errors
			if errors.As(err, &astErrs) {
				errs = append(errs, astErrs...)
				continue
			}
			return nil, fmt.Errorf("%w: %s: %v", ErrPolicy, f.name, err)
		}
		mods = append(mods, f)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, errs)
	}
	return mods, nil
}

// builtinChecked are the compiler stages that only check (they change
// nothing the evaluator uses) and that the built-in pack passes in every
// `go test ./rego` and `policy test` run, where the whole pipeline runs
// (TestBuiltinPackPassesSkippedStages). An eval of the built-in pack alone
// skips them; as soon as a user module is in, every stage runs, so a user
// rule with a type error is refused (TestUserTypeErrorRefused).
var builtinChecked = []ast.StageID{
	ast.StageCheckTypes,
	ast.StageCheckUnusedImports,
	ast.StageCheckDuplicateImports,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDeprecatedBuiltins,
}

// compile compiles modules with the hermetic capabilities. Every error is
// returned, with its position. builtinOnly says every module is the
// embedded pack's: the checks in builtinChecked are then skipped.
func compile(mods []module, caps *ast.Capabilities, builtinOnly bool) (*ast.Compiler, error) {
	in := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		in[m.name] = m.parsed
	}
	c := ast.NewCompiler().
		WithCapabilities(caps).
		WithEnablePrintStatements(false).
		WithStrict(true)
	if builtinOnly {
		c = c.WithSkipStages(builtinChecked...)
	}
	c.Compile(in)
	if c.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, c.Errors)
	}
	return c, nil
}

// rule is one compiled rule that produces findings.
type rule struct {
	info    policy.RuleInfo
	ref     string // data.hub.<kind>.<name>
	outcome policy.Outcome
	order   int
}

// isTestModule reports whether m holds Rego unit tests, which the engine
// never evaluates.
func isTestModule(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// findRules lists every rule with METADATA custom.severity in a package
// hub.<kind>. They must be partial sets ("contains"). With a nil compiler
// the rules are found in the parsed modules, their annotations gathered as
// the compiler gathers them: New builds the catalogue without compiling
// the pack (TestParsedRulesAreTheCompiledRules).
func findRules(c *ast.Compiler, mods []module) ([]rule, error) {
	var parsed []*ast.Module
	for _, m := range mods {
		if isTestModule(m.name) {
			continue
		}
		if c != nil {
			parsed = append(parsed, c.Modules[m.name])
		} else {
			parsed = append(parsed, m.parsed)
		}
	}
	var annotations *ast.AnnotationSet
	if c != nil {
		annotations = c.GetAnnotationSet()
	}
	out, err := discoverRules(annotations, parsed, nil)
	if err != nil {
		return nil, err
	}
	sortRules(out)
	return out, nil
}

// discoverRules appends to found the rules of mods, in module and source
// order, each numbered by its place (order); a rule id already in found is
// another definition of the same partial set. annotations are the
// compiler's, or nil to gather them from mods.
func discoverRules(annotations *ast.AnnotationSet, mods []*ast.Module, found []rule) ([]rule, error) {
	if annotations == nil {
		var aerrs ast.Errors
		if annotations, aerrs = ast.BuildAnnotationSet(mods); len(aerrs) > 0 {
			return nil, fmt.Errorf("%w: %w", ErrPolicy, aerrs)
		}
	}
	out := found
	var errs ast.Errors
	seen := map[string]bool{}
	for _, r := range found {
		seen[r.info.ID] = true
	}
	for _, mod := range mods {
		pkg := strings.TrimPrefix(mod.Package.Path.String(), "data.")
		kind, ok := strings.CutPrefix(pkg, "hub.")
		if !ok || strings.Contains(kind, ".") || kind == "lib" {
			continue
		}
		for _, r := range mod.Rules {
			var ann *ast.Annotations
			for _, a := range annotations.GetRuleScope(r) {
				if _, ok := a.Custom["severity"]; ok {
					ann = a
				}
			}
			if ann == nil {
				continue
			}
			name := r.Head.Name.String()
			if name == "" {
				name = r.Head.Ref().String()
			}
			id := kind + "." + name
			if seen[id] {
				continue // another definition of the same partial set
			}
			seen[id] = true
			loc := r.Location
			if r.Head.RuleKind() != ast.MultiValue {
				errs = append(errs, ast.NewError(ast.CompileErr, loc, "rule %s has METADATA custom.severity but is not a partial set: write `%s contains f if { ... }`", id, name))
				continue
			}
			info, outcome, err := ruleInfo(id, policy.EvidenceKind(kind), ann, loc)
			if err != nil {
				errs = append(errs, ast.NewError(ast.CompileErr, ann.Location, "%s", err.Error()))
				continue
			}
			out = append(out, rule{info: info, ref: "data.hub." + kind + "." + name, outcome: outcome, order: len(out)})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, errs)
	}
	return out, nil
}

// sortRules puts rules in report order: kinds in policy.Kinds order
// (unknown user kinds after, by name), rules in source order within a kind.
func sortRules(out []rule) {
	slices.SortStableFunc(out, func(a, b rule) int {
		ka, kb := a.info.Kind.Order(), b.info.Kind.Order()
		if ka != kb {
			return ka - kb
		}
		if c := strings.Compare(string(a.info.Kind), string(b.info.Kind)); c != 0 {
			return c
		}
		return a.order - b.order
	})
}

func ruleInfo(id string, kind policy.EvidenceKind, a *ast.Annotations, loc *ast.Location) (policy.RuleInfo, policy.Outcome, error) {
	str := func(k string) string {
		s, _ := a.Custom[k].(string)
		return s
	}
	sev, err := policy.ParseSeverity(str("severity"))
	if err != nil {
		return policy.RuleInfo{}, 0, fmt.Errorf("rule %s: custom.severity: %v", id, err)
	}
	outcome := policy.OutcomeFail
	if s := str("outcome"); s != "" {
		if outcome, err = policy.ParseOutcome(s); err != nil {
			return policy.RuleInfo{}, 0, fmt.Errorf("rule %s: custom.outcome: %v", id, err)
		}
	}
	if a.Title == "" {
		return policy.RuleInfo{}, 0, fmt.Errorf("rule %s: METADATA has no title", id)
	}
	src := ""
	if loc != nil {
		src = fmt.Sprintf("%s:%d", loc.File, loc.Row)
	}
	return policy.RuleInfo{
		ID:          id,
		Kind:        kind,
		Title:       a.Title,
		Description: strings.TrimSpace(a.Description),
		Severity:    sev,
		Remediation: strings.TrimSpace(str("remediation")),
		Source:      src,
	}, outcome, nil
}

// policyDigest is "sha256:<hex>" over the registry digest and every Rego
// source that runs, in name order: test modules are never read by an eval,
// so they are not part of the policy a decision was made under.
func policyDigest(registryDigest string, mods []module) string {
	h := sha256.New()
	fmt.Fprintf(h, "registry %s\n", registryDigest)
	sorted := slices.Clone(mods)
	slices.SortFunc(sorted, func(a, b module) int { return strings.Compare(a.name, b.name) })
	for _, m := range sorted {
		fmt.Fprintf(h, "module %s %d\n", m.name, len(m.source))
		h.Write(m.source)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
