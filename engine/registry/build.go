package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cuebuild "cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"

	cueschema "github.com/cicd-hub/hubgate/cue"
	"github.com/cicd-hub/hubgate/policy"
)

// hubReposFile is the embedded default registry's repositories, a user-style
// file (no package clause) loaded only by [LoadDefault].
const hubReposFile = "hub_repos.cue"

// embeddedPrefix names embedded files in problems.
const embeddedPrefix = "cue/"

// schemaFiles returns the embedded schema and defaults, sorted by name.
func schemaFiles() ([]source, error) {
	names, err := fs.Glob(cueschema.FS, "*.cue")
	if err != nil {
		return nil, fmt.Errorf("registry schema: %w", err)
	}
	slices.Sort(names)
	var out []source
	for _, n := range names {
		if n == hubReposFile {
			continue
		}
		b, err := fs.ReadFile(cueschema.FS, n)
		if err != nil {
			return nil, fmt.Errorf("registry schema: %w", err)
		}
		out = append(out, source{name: embeddedPrefix + n, data: b})
	}
	return out, nil
}

// Schema returns the registry schema's CUE source: every embedded schema
// file, each after a "// cue/<name>" line.
func Schema() string {
	files, err := schemaFiles()
	if err != nil {
		return "// " + err.Error() + "\n"
	}
	var b strings.Builder
	for i, f := range files {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "// %s\n", f.name)
		b.Write(f.data)
	}
	return b.String()
}

// compiled is a user source compiled to a CUE value.
type compiled struct {
	name string
	v    cue.Value
}

// build unifies the schema with the user's sources (and, for the default
// registry, the embedded hub repositories), validates and decodes.
func build(user []source, withHubRepos bool, cfg loadConfig) (reg *Registry, err error) {
	// CUE is not expected to panic, but a registry is untrusted input: fail
	// closed with an error rather than crash the process.
	defer func() {
		if p := recover(); p != nil {
			reg, err = nil, fmt.Errorf("registry: internal error evaluating the registry: %v", p)
		}
	}()
	schema, err := schemaFiles()
	if err != nil {
		return nil, err
	}
	if withHubRepos {
		b, err := fs.ReadFile(cueschema.FS, hubReposFile)
		if err != nil {
			return nil, fmt.Errorf("registry: default registry: %w", err)
		}
		user = append([]source{{name: embeddedPrefix + hubReposFile, data: b}}, user...)
	}
	dg := digest(schema, user)
	var key string
	if cfg.cacheDir != "" {
		key = cacheKey(dg, user, withHubRepos)
		if reg := cachedLoad(cfg.cacheDir, key, dg, cfg.sections); reg != nil {
			return reg, nil
		}
	}
	cueBuilds.Add(1)

	ctx := cuecontext.New()
	inst := cuebuild.NewContext().NewInstance("hub", nil)
	for _, f := range schema {
		if err := inst.AddFile(f.name, f.data); err != nil {
			return nil, fmt.Errorf("registry schema: %s: %w", f.name, err)
		}
	}
	sv := ctx.BuildInstance(inst)
	if err := sv.Err(); err != nil {
		return nil, fmt.Errorf("registry schema: %w", err)
	}
	root := sv.LookupPath(cue.MakePath(cue.Def("Registry")))
	if err := root.Err(); err != nil {
		return nil, fmt.Errorf("registry schema: %w", err)
	}

	var (
		problems []Problem
		values   []compiled
	)
	for _, s := range user {
		v, err := compileSource(ctx, s)
		if err != nil {
			ps := toProblems(err, nil)
			for i := range ps {
				if ps[i].File == "" {
					ps[i].File = s.name
				}
			}
			problems = append(problems, ps...)
			continue
		}
		values = append(values, compiled{name: s.name, v: v})
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: sortProblems(problems)}
	}

	var own cue.Value // the user's sources alone
	for i, c := range values {
		if i == 0 {
			own = c.v
		} else {
			own = own.Unify(c.v)
		}
	}
	u := root
	if len(values) > 0 {
		u = root.Unify(own)
	}
	if err := u.Validate(cue.Concrete(true)); err != nil {
		return nil, &Error{Problems: sortProblems(toProblems(err, values))}
	}

	reg, err = decode(u, own, cfg.sections)
	if err != nil {
		return nil, err
	}
	reg.digest = dg
	if key != "" {
		cacheStore(cfg.cacheDir, key, reg)
	}
	return reg, nil
}

// compileSource compiles one user file by its extension.
func compileSource(ctx *cue.Context, s source) (cue.Value, error) {
	switch s.formatOf() {
	case "yaml":
		f, err := cueyaml.Extract(s.name, s.data)
		if err != nil {
			return cue.Value{}, err
		}
		f, err = convertIfHub(f)
		if err != nil {
			return cue.Value{}, err
		}
		v := ctx.BuildFile(f)
		return v, v.Err()
	case "json":
		expr, err := cuejson.Extract(s.name, s.data)
		if err != nil {
			return cue.Value{}, err
		}
		f := &ast.File{Filename: s.name}
		if st, ok := expr.(*ast.StructLit); ok {
			f.Decls = st.Elts
		} else {
			return cue.Value{}, cueerrors.Newf(expr.Pos(), "registry must be a JSON object")
		}
		f, err = convertIfHub(f)
		if err != nil {
			return cue.Value{}, err
		}
		v := ctx.BuildFile(f)
		return v, v.Err()
	default:
		v := ctx.CompileBytes(s.data, cue.Filename(s.name))
		return v, v.Err()
	}
}

var (
	reDisjunction = regexp.MustCompile(`^\d+ errors in empty disjunction`)
	reBigInt      = regexp.MustCompile(`\b\d{10,}\b`)
)

// genericMsg reports messages that CUE also emits for the discarded branch of
// a default (the parent's value), which are noise when a more specific
// message exists for the same field.
func genericMsg(m string) bool {
	return strings.HasPrefix(m, "conflicting values") || strings.HasPrefix(m, "incompatible list lengths")
}

// toProblems flattens CUE errors into problems: positions in the user's
// files first, the field path without the schema's #Registry root, and
// without the noise CUE adds for failed defaults.
func toProblems(err error, values []compiled) []Problem {
	var all []Problem
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if msg == "" {
			msg = e.Error()
		}
		if reDisjunction.MatchString(msg) {
			continue
		}
		sel := e.Path()
		if len(sel) > 0 && sel[0] == "#Registry" {
			sel = sel[1:]
		}
		// A hidden _<field>_check reports on <field>.
		if n := len(sel); n > 0 && strings.HasPrefix(sel[n-1], "_") && strings.HasSuffix(sel[n-1], "_check") {
			sel = append(slices.Clone(sel[:n-1]), strings.TrimSuffix(strings.TrimPrefix(sel[n-1], "_"), "_check"))
		}
		// A hidden _<field>_ns mirror stands for the duration <field>.
		if n := len(sel); n > 0 && strings.HasPrefix(sel[n-1], "_") && strings.HasSuffix(sel[n-1], "_ns") {
			sel = append(slices.Clone(sel[:n-1]), strings.TrimSuffix(strings.TrimPrefix(sel[n-1], "_"), "_ns"))
			msg = reBigInt.ReplaceAllStringFunc(msg, func(s string) string {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return s
				}
				return time.Duration(n).String()
			})
		}
		msg = strings.ReplaceAll(msg, durationBound, `want a positive Go duration such as "45m" or "1h30m"`)
		msg = reEnumBound.ReplaceAllStringFunc(msg, func(m string) string {
			alts := reEnumBound.FindStringSubmatch(m)[1]
			return "want one of " + strings.ReplaceAll(alts, "|", ", ")
		})
		p := Problem{Path: strings.Join(sel, "."), Message: msg}
		pos := pickPos(e, sel, values)
		if pos.IsValid() {
			p.File, p.Line, p.Col = pos.Filename(), pos.Line(), pos.Column()
		}
		all = append(all, p)
	}
	// Collapse enum conflicts where nothing more specific was said, then drop
	// generic messages for a field (or list) that has a specific one.
	all = collapseConflicts(all, specificPaths(all))
	specific := specificPaths(all)
	var out []Problem
	seen := map[string]bool{}
	for _, p := range all {
		if genericMsg(p.Message) && (specific[p.Path] || specific[listOf(p.Path)]) {
			continue
		}
		k := p.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	if len(out) == 0 && len(all) > 0 {
		out = all[:1]
	}
	if len(out) == 0 {
		out = []Problem{{Message: err.Error()}}
	}
	return out
}

var reConflict = regexp.MustCompile(`^conflicting values (.+) and (.+?)(?: \(mismatched types [a-z]+ and [a-z]+\))?$`)

// collapseConflicts turns the many "conflicting values A and X" CUE reports
// for a value X that matches none of an enum's values into one problem.
// Paths with a specific message are skipped.
func collapseConflicts(ps []Problem, skip map[string]bool) []Problem {
	type group struct {
		first int
		sides [][2]string
	}
	groups := map[string]*group{}
	for i, p := range ps {
		m := reConflict.FindStringSubmatch(p.Message)
		if m == nil || skip[p.Path] {
			continue
		}
		g := groups[p.Path]
		if g == nil {
			g = &group{first: i}
			groups[p.Path] = g
		}
		g.sides = append(g.sides, [2]string{m[1], m[2]})
	}
	var out []Problem
	for i, p := range ps {
		g := groups[p.Path]
		if g == nil || len(g.sides) < 2 || reConflict.FindStringSubmatch(p.Message) == nil {
			out = append(out, p)
			continue
		}
		if i != g.first {
			continue
		}
		// The user's value is the side every message shares.
		common := ""
		for _, c := range []string{g.sides[0][0], g.sides[0][1]} {
			all := true
			for _, s := range g.sides {
				if s[0] != c && s[1] != c {
					all = false
					break
				}
			}
			if all {
				common = c
				break
			}
		}
		if common == "" {
			out = append(out, p)
			continue
		}
		var want []string
		for _, s := range g.sides {
			o := s[0]
			if o == common {
				o = s[1]
			}
			if !slices.Contains(want, o) {
				want = append(want, o)
			}
		}
		slices.Sort(want)
		p.Message = fmt.Sprintf("invalid value %s (want one of %s)", common, strings.Join(want, ", "))
		out = append(out, p)
	}
	return out
}

// specificPaths returns the paths (and their lists) that have a message
// other than a generic conflict.
func specificPaths(ps []Problem) map[string]bool {
	specific := map[string]bool{}
	for _, p := range ps {
		if !genericMsg(p.Message) {
			specific[p.Path] = true
			specific[listOf(p.Path)] = true
		}
	}
	return specific
}

// durationBound is how CUE prints the #Duration pattern in a message.
const durationBound = `out of bound =~"^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"`

// reEnumBound matches how CUE prints an enumeration pattern in a message.
var reEnumBound = regexp.MustCompile(`out of bound =~"\^\(([a-z0-9_|]+)\)\$"`)

var reIndex = regexp.MustCompile(`\.\d+$`)

// listOf returns the path of the list that holds the element at p, or p.
func listOf(p string) string { return reIndex.ReplaceAllString(p, "") }

// pickPos chooses the position to show for e: where the user's own files set
// the field, else the first position in a user file, else the first one.
func pickPos(e cueerrors.Error, sel []string, values []compiled) token.Pos {
	if len(sel) > 0 {
		p := cue.ParsePath(strings.Join(sel, "."))
		if p.Err() == nil {
			for i := len(values) - 1; i >= 0; i-- {
				v := values[i].v.LookupPath(p)
				if v.Exists() {
					if pos := v.Pos(); pos.IsValid() {
						return pos
					}
				}
			}
		}
	}
	poss := cueerrors.Positions(e)
	for _, pos := range poss {
		if pos.IsValid() && !strings.HasPrefix(pos.Filename(), embeddedPrefix) {
			return pos
		}
	}
	if len(poss) > 0 {
		return poss[0]
	}
	return e.Position()
}

func sortProblems(ps []Problem) []Problem {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Col != b.Col {
			return a.Col - b.Col
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return ps
}

// decode turns the validated registry into Repos: each repo's own settings
// laid over its parent's resolved entry (the org's, or its team's).
//
// A repo's own settings are read from the user's sources alone (own): the
// schema gives a repo no defaults but enabled, and a value without the
// schema's many optional fields marshals several times faster.
//
// The declared sections decode the same way, into typed configs, from CUE:
// each parent's once (resolved by the schema, defaults included), then a
// repo's own settings of a section over a copy of its parent's; a repo that
// does not set a section shares its parent's.
func decode(u, own cue.Value, sections []Section) (*Registry, error) {
	marshal := func(path string) ([]byte, error) {
		v := u.LookupPath(cue.ParsePath(path))
		if path == "repos" {
			v = own.LookupPath(cue.ParsePath(path))
		}
		if !v.Exists() {
			return []byte("{}"), nil
		}
		b, err := v.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("registry: %s: %w", path, err)
		}
		return b, nil
	}
	org, err := marshal("org")
	if err != nil {
		return nil, err
	}
	teamsJSON, err := marshal("teams")
	if err != nil {
		return nil, err
	}
	reposJSON, err := marshal("repos")
	if err != nil {
		return nil, err
	}
	// The resolved parents, decoded once: "" is the org.
	parents := map[string]map[string]any{}
	var orgData map[string]any
	if err := json.Unmarshal(org, &orgData); err != nil {
		return nil, fmt.Errorf("registry: decode org: %w", err)
	}
	if err := json.Unmarshal(teamsJSON, &parents); err != nil {
		return nil, fmt.Errorf("registry: decode teams: %w", err)
	}
	parents[""] = orgData
	var raw map[string]map[string]any
	if err := json.Unmarshal(reposJSON, &raw); err != nil {
		return nil, fmt.Errorf("registry: decode repos: %w", err)
	}
	reg := &Registry{repos: make(map[string]*Repo, len(raw)), sections: map[string]json.RawMessage{}}
	for _, name := range topSections {
		b, err := marshal(name)
		if err != nil {
			return nil, err
		}
		reg.sections[name] = b
	}
	// The parents' typed sections, decoded once from CUE: "" is the org.
	typedParents := map[string]map[string]typedSection{}
	if len(sections) > 0 {
		for team := range parents {
			path := []cue.Selector{cue.Str("org")}
			if team != "" {
				path = []cue.Selector{cue.Str("teams"), cue.Str(team)}
			}
			ts := make(map[string]typedSection, len(sections))
			for _, s := range sections {
				ts[s.name] = decodeCUESection(s, u.LookupPath(cue.MakePath(append(path, cue.Str(s.name))...)))
			}
			typedParents[team] = ts
		}
	}
	var problems []Problem
	for name, ownData := range raw {
		if _, ok := ownData["enabled"]; !ok {
			ownData["enabled"] = true // the schema's default
		}
		team, _ := ownData["team"].(string)
		parent, ok := parents[team]
		if !ok {
			return nil, fmt.Errorf("registry: %s: unknown team %q", repoPath(name), team)
		}
		rp, ps := decodeRepo(name, overlay(parent, ownData))
		problems = append(problems, ps...)
		if len(sections) > 0 {
			rp.typed = make(map[string]typedSection, len(sections))
			var ownV cue.Value // the repo's own settings, looked up once
			for _, s := range sections {
				pt := typedParents[team][s.name]
				if _, set := ownData[s.name]; set {
					if !ownV.Exists() {
						ownV = own.LookupPath(cue.MakePath(cue.Str("repos"), cue.Str(name)))
					}
					pt = overSection(s, pt, ownV.LookupPath(cue.MakePath(cue.Str(s.name))))
				}
				rp.typed[s.name] = pt
			}
		}
		reg.repos[name] = rp
		reg.names = append(reg.names, name)
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: sortProblems(problems)}
	}
	slices.Sort(reg.names)
	return reg, nil
}

// overlay returns src laid over base: objects merge field by field, any
// other value in src replaces base's. This is how a repo's own settings
// narrow its parent's resolved entry (the schema has checked they are no
// looser). Neither argument is modified; the result shares the parts of base
// that src does not touch.
func overlay(base, src map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(src))
	for k, v := range base {
		out[k] = v
	}
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = overlay(bm, sm)
				continue
			}
		}
		out[k] = sv
	}
	return out
}

func decodeRepo(name string, data map[string]any) (*Repo, []Problem) {
	rp := &Repo{Name: name, Data: data}
	rp.Team, _ = data["team"].(string)
	var problems []Problem
	bad := func(path, msg string) {
		problems = append(problems, Problem{Path: repoPath(name) + "." + path, Message: msg})
	}
	req, _ := data["require"].([]any)
	rp.Require = make([]policy.EvidenceKind, 0, len(req))
	for i, k := range req {
		s, _ := k.(string)
		kind := policy.EvidenceKind(s)
		if !kind.Valid() {
			bad(fmt.Sprintf("require.%d", i), fmt.Sprintf("unknown evidence kind %q", s))
			continue
		}
		rp.Require = append(rp.Require, kind)
	}
	ws, _ := data["waivers"].([]any)
	for i, w := range ws {
		m, _ := w.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		exp, err := ParseExpires(str("expires"))
		if err != nil {
			bad(fmt.Sprintf("waivers.%d.expires", i), err.Error())
			continue
		}
		rp.Waivers = append(rp.Waivers, policy.Waiver{
			Rule: str("rule"), Target: str("target"), Reason: str("reason"), Owner: str("owner"), Expires: exp,
		})
	}
	return rp, problems
}

func repoPath(name string) string { return "repos." + strconv.Quote(name) }

// ParseExpires parses a waiver's expires: an RFC 3339 date-time, or a date
// YYYY-MM-DD that is valid through that whole UTC day, so it expires at the
// next midnight UTC. The result is in UTC.
func ParseExpires(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expires %q: want an RFC 3339 date-time or a date YYYY-MM-DD", s)
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}

// digest hashes the sources: the schema files, then the user's, each sorted
// by base name and content, each as its base name and content with lengths.
func digest(schema, user []source) string {
	h := sha256.New()
	write := func(tag string, srcs []source) {
		s := slices.Clone(srcs)
		slices.SortFunc(s, func(a, b source) int {
			if c := strings.Compare(path.Base(a.name), path.Base(b.name)); c != 0 {
				return c
			}
			return strings.Compare(string(a.data), string(b.data))
		})
		for _, f := range s {
			base := path.Base(strings.ReplaceAll(f.name, `\`, "/"))
			fmt.Fprintf(h, "%s %d %s %d\n", tag, len(base), base, len(f.data))
			h.Write(f.data)
		}
	}
	write("schema", schema)
	write("user", user)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
