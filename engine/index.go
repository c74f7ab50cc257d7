package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/cicd-hub/hubgate/policy"
)

// packIndex is what New needs of a set of modules without parsing them:
// each module's kind and what it refers to, and the rules found in them, in
// discovery order (discoverRules). The built-in pack's is generated
// (builtin_index.go) and used while its digest is that of the embedded
// sources; otherwise New parses the pack and indexes it (TestBuiltinIndexIsCurrent
// keeps the generated one current).
type packIndex struct {
	digest  string
	modules []indexModule
	rules   []rule
}

// indexModule is one module of an index.
type indexModule struct {
	name string
	kind policy.EvidenceKind
	deps moduleDeps
}

// sourcesDigest is "sha256:<hex>" over the files' names and sources, in
// their order.
func sourcesDigest(files []module) string {
	h := sha256.New()
	for _, m := range files {
		fmt.Fprintf(h, "module %s %d\n", m.name, len(m.source))
		h.Write(m.source)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// indexOf indexes parsed modules.
func indexOf(mods []module) (packIndex, error) {
	idx := packIndex{digest: sourcesDigest(mods)}
	parsed := make([]*ast.Module, len(mods))
	for i, m := range mods {
		parsed[i] = m.parsed
		idx.modules = append(idx.modules, indexModule{name: m.name, kind: kindOf(m.parsed), deps: refersTo(m.parsed)})
	}
	rules, err := discoverRules(nil, parsed, nil)
	if err != nil {
		return packIndex{}, err
	}
	idx.rules = rules
	return idx, nil
}

// builtinIndexFor is the index of the built-in pack's files: the generated
// one when it was generated from these very files (files are returned
// unparsed: each is parsed when a set first needs it), else the pack
// parsed and indexed now.
func builtinIndexFor(files []module, caps *ast.Capabilities, gen packIndex) (packIndex, []module, error) {
	if gen.digest == sourcesDigest(files) && len(gen.modules) == len(files) {
		same := true
		for i, m := range gen.modules {
			same = same && m.name == files[i].name
		}
		if same {
			return gen, files, nil
		}
	}
	mods, err := parseModules(files, caps)
	if err != nil {
		return packIndex{}, nil, err
	}
	idx, err := indexOf(mods)
	if err != nil {
		return packIndex{}, nil, err
	}
	return idx, mods, nil
}

// indexedPolicy is the built-in pack's index joined with the user's parsed
// modules: every module, its kind and references, and the catalogue in
// report order.
func indexedPolicy(idx packIndex, builtin, user []module) (mods []module, kinds []policy.EvidenceKind, deps []moduleDeps, rules []rule, err error) {
	mods = append(slices.Clone(builtin), user...)
	for _, m := range idx.modules {
		kinds = append(kinds, m.kind)
		deps = append(deps, m.deps)
	}
	parsed := make([]*ast.Module, len(user))
	for i, m := range user {
		parsed[i] = m.parsed
		kinds = append(kinds, kindOf(m.parsed))
		deps = append(deps, refersTo(m.parsed))
	}
	if rules, err = discoverRules(nil, parsed, slices.Clone(idx.rules)); err != nil {
		return nil, nil, nil, nil, err
	}
	sortRules(rules)
	return mods, kinds, deps, rules, nil
}
