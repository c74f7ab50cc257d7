package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxNodes bounds the YAML nodes visited in one file, aliases included.
const MaxNodes = 200_000

// ErrTooManyNodes is returned for files (alias bombs) over [MaxNodes].
var ErrTooManyNodes = errors.New("workflow has too many YAML nodes")

// Use is one "uses:" reference.
type Use struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Path is where it is ("jobs.build.steps[1].uses").
	Path string `json:"path"`
	Job  string `json:"job"`
	Ref  string `json:"ref"`
	// Kind is "action", "reusable" (a workflow), "local" or "docker".
	Kind   string `json:"kind"`
	Pinned bool   `json:"pinned"`
	// Outside is set for a local path that leaves the repository
	// ("./../x"): refused, whatever it names.
	Outside bool `json:"outside"`
	// Reason says why an unpinned reference is not pinned.
	Reason string `json:"reason"`
}

// Trigger is one event in "on:".
type Trigger struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Event string `json:"event"`
}

// Secret is an env or with entry whose key looks like a secret and whose
// value holds literal text.
type Secret struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Path string `json:"path"`
	Key  string `json:"key"`
}

// Injection is an untrusted value expanded inside a script: a ${{ }}
// expression in run: (or a script input such as actions/github-script's
// script) whose result carries attacker-controlled text, directly or through
// env, step outputs, job outputs or needs.
type Injection struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Path is the field ("jobs.build.steps[1].run").
	Path string `json:"path"`
	Job  string `json:"job"`
	// Step is the step's id, else its name, else "steps[N]".
	Step  string `json:"step"`
	Field string `json:"field"`
	// Expression is the ${{ }} as written.
	Expression string `json:"expression"`
	// Context is the context in the expression that carries the value,
	// normalised (lower case, dots for indexes).
	Context string `json:"context"`
	// Source is the untrusted context the value comes from.
	Source string `json:"source"`
	// Via lists the fields it passed through, in order.
	Via []string `json:"via"`
}

// File is what one workflow file says.
type File struct {
	Name       string      `json:"name"`
	Uses       []Use       `json:"uses"`
	Triggers   []Trigger   `json:"triggers"`
	Secrets    []Secret    `json:"secrets"`
	Injections []Injection `json:"injections"`
}

type walker struct {
	f      *File
	budget int
	err    error
	typed  map[string]bool
	wfEnv  []envVar
	// outputs of each analysed job, by lower-case id.
	outputs map[string]map[string]*taint
}

func (w *walker) spend() bool {
	w.budget--
	if w.budget < 0 && w.err == nil {
		w.err = fmt.Errorf("%w (more than %d)", ErrTooManyNodes, MaxNodes)
	}
	return w.err == nil
}

func (w *walker) fail(format string, args ...any) {
	if w.err == nil {
		w.err = fmt.Errorf(format, args...)
	}
}

// deref follows aliases.
func (w *walker) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// maxMergeDepth bounds merge keys inside merged mappings.
const maxMergeDepth = 32

// get returns the value of key in mapping n (merge keys expanded), and the
// key node.
func (w *walker) get(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for _, p := range w.pairs(n) {
		if p[0].Kind == yaml.ScalarNode && p[0].Value == key {
			return p[1], p[0]
		}
	}
	return nil, nil
}

// pairs returns the key/value pairs of mapping n as a YAML reader that
// honours merge keys sees them: the mapping's own keys in order, then the
// keys of each merged mapping (<<: *a, or <<: [*a, *b], earlier first) that
// no earlier source set. A key twice in one mapping is an error, as GitHub
// refuses it too.
func (w *walker) pairs(n *yaml.Node) [][2]*yaml.Node {
	n = w.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	w.collect(n, &out, map[string]bool{}, 0)
	return out
}

func (w *walker) collect(n *yaml.Node, out *[][2]*yaml.Node, seen map[string]bool, depth int) {
	if depth > maxMergeDepth {
		w.fail("line %d: merge keys nested more than %d deep", n.Line, maxMergeDepth)
		return
	}
	var merges []*yaml.Node
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !w.spend() {
			return
		}
		k, v := w.deref(n.Content[i]), w.deref(n.Content[i+1])
		if k == nil || v == nil {
			continue
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind == yaml.ScalarNode {
			if own[k.Value] {
				w.fail("line %d: key %q appears twice in one mapping", k.Line, k.Value)
				return
			}
			own[k.Value] = true
			if seen[k.Value] {
				continue
			}
			seen[k.Value] = true
		}
		*out = append(*out, [2]*yaml.Node{k, v})
	}
	for _, m := range merges {
		switch m.Kind {
		case yaml.MappingNode:
			w.collect(m, out, seen, depth+1)
		case yaml.SequenceNode:
			for _, c := range m.Content {
				c = w.deref(c)
				if c == nil || c.Kind != yaml.MappingNode {
					w.fail("line %d: a merge key's list holds something other than mappings", m.Line)
					return
				}
				w.collect(c, out, seen, depth+1)
			}
		default:
			w.fail("line %d: a merge key's value is not a mapping", m.Line)
			return
		}
	}
}

// Parse reads one workflow file. name is recorded in every fact.
func Parse(name string, b []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse workflow %s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("parse workflow %s: line %d: more than one YAML document", name, extra.Line)
	}
	f := &File{Name: name, Uses: []Use{}, Triggers: []Trigger{}, Secrets: []Secret{}, Injections: []Injection{}}
	w := &walker{f: f, budget: MaxNodes, outputs: map[string]map[string]*taint{}}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = w.deref(root.Content[0])
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse workflow %s: line %d: the top level is not a mapping", name, doc.Line)
	}
	on, onKey := w.get(root, "on")
	if on == nil {
		// YAML 1.1 readers turn an unquoted on into true; accept "true" too.
		on, onKey = w.get(root, "true")
	}
	if on == nil {
		if w.err != nil {
			return nil, fmt.Errorf("parse workflow %s: %w", name, w.err)
		}
		return nil, fmt.Errorf("parse workflow %s: on: missing", name)
	}
	w.triggers(on, onKey)
	w.typed = w.typedInputs(on)
	w.env(root, "env")
	w.wfEnv = w.envLayer(root, "env", &scope{typed: w.typed})
	jobs, _ := w.get(root, "jobs")
	type job struct {
		id string
		n  *yaml.Node
		f  File
	}
	var list []*job
	byID := map[string]*job{}
	for _, p := range w.pairs(jobs) {
		j := &job{id: p[0].Value, n: p[1]}
		list = append(list, j)
		byID[strings.ToLower(j.id)] = j
	}
	// Analyse jobs after the jobs they need, so needs.*.outputs is known;
	// report them in file order.
	state := map[string]int{}
	var visit func(j *job)
	visit = func(j *job) {
		key := strings.ToLower(j.id)
		if state[key] != 0 || w.err != nil {
			return // done, or a cycle (GitHub refuses those)
		}
		state[key] = 1
		for _, need := range w.needs(j.n) {
			if d := byID[strings.ToLower(need)]; d != nil {
				visit(d)
			}
		}
		save := w.f
		w.f = &j.f
		j.f.Name = name
		w.job(j.id, j.n)
		w.f = save
		state[key] = 2
	}
	for _, j := range list {
		visit(j)
	}
	for _, j := range list {
		f.Uses = append(f.Uses, j.f.Uses...)
		f.Secrets = append(f.Secrets, j.f.Secrets...)
		f.Injections = append(f.Injections, j.f.Injections...)
	}
	if w.err != nil {
		return nil, fmt.Errorf("parse workflow %s: %w", name, w.err)
	}
	return f, nil
}

// needs lists a job's needs: (a string or a list).
func (w *walker) needs(job *yaml.Node) []string {
	n, _ := w.get(job, "needs")
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			if c = w.deref(c); c != nil && c.Kind == yaml.ScalarNode && w.spend() {
				out = append(out, c.Value)
			}
		}
	}
	return out
}

// typedInputs returns the inputs that every declaration (workflow_dispatch,
// workflow_call) types boolean or number: their values cannot carry text.
func (w *walker) typedInputs(on *yaml.Node) map[string]bool {
	typed, other := map[string]bool{}, map[string]bool{}
	for _, ev := range []string{"workflow_dispatch", "workflow_call"} {
		e, _ := w.get(on, ev)
		ins, _ := w.get(e, "inputs")
		for _, p := range w.pairs(ins) {
			name := strings.ToLower(p[0].Value)
			t, _ := w.get(p[1], "type")
			if t != nil && t.Kind == yaml.ScalarNode && (t.Value == "boolean" || t.Value == "number") {
				typed[name] = true
			} else {
				other[name] = true
			}
		}
	}
	for k := range other {
		delete(typed, k)
	}
	return typed
}

func (w *walker) triggers(on, key *yaml.Node) {
	switch on.Kind {
	case yaml.ScalarNode:
		w.f.Triggers = append(w.f.Triggers, Trigger{File: w.f.Name, Line: on.Line, Event: on.Value})
	case yaml.SequenceNode:
		for _, c := range on.Content {
			c = w.deref(c)
			if !w.spend() || c == nil {
				return
			}
			if c.Kind == yaml.ScalarNode {
				w.f.Triggers = append(w.f.Triggers, Trigger{File: w.f.Name, Line: c.Line, Event: c.Value})
			}
		}
	case yaml.MappingNode:
		for _, p := range w.pairs(on) {
			w.f.Triggers = append(w.f.Triggers, Trigger{File: w.f.Name, Line: p[0].Line, Event: p[0].Value})
		}
	default:
		w.f.Triggers = append(w.f.Triggers, Trigger{File: w.f.Name, Line: key.Line, Event: ""})
	}
}

// envLayer evaluates the env: mapping of parent, each value in sc.
func (w *walker) envLayer(parent *yaml.Node, path string, sc *scope) []envVar {
	n, _ := w.get(parent, "env")
	var out []envVar
	for _, p := range w.pairs(n) {
		v := envVar{name: p[0].Value}
		if p[1].Kind == yaml.ScalarNode {
			v.t = firstTaint(p[1].Value, sc).through(path + "." + p[0].Value)
		}
		out = append(out, v)
	}
	return out
}

// scalars calls fn on every scalar under n, within the budget.
func (w *walker) scalars(n *yaml.Node, depth int, fn func(*yaml.Node)) {
	n = w.deref(n)
	if n == nil || depth > 64 || !w.spend() {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		fn(n)
	case yaml.SequenceNode:
		for _, c := range n.Content {
			w.scalars(c, depth+1, fn)
		}
	case yaml.MappingNode:
		for _, p := range w.pairs(n) {
			w.scalars(p[1], depth+1, fn)
		}
	}
}

func (w *walker) job(id string, job *yaml.Node) {
	base := "jobs." + id
	sc := &scope{typed: w.typed, needs: w.outputs, steps: map[string]*taint{}}
	// matrix values built from untrusted text make matrix.* untrusted.
	strat, _ := w.get(job, "strategy")
	if m, _ := w.get(strat, "matrix"); m != nil {
		w.scalars(m, 0, func(s *yaml.Node) {
			if sc.matrix == nil {
				sc.matrix = firstTaint(s.Value, &scope{typed: w.typed, needs: w.outputs}).through(base + ".strategy.matrix")
			}
		})
	}
	sc.env = [][]envVar{w.wfEnv}
	jobEnv := w.envLayer(job, base+".env", sc)
	var ghEnv []envVar // written to $GITHUB_ENV by earlier steps
	outs := map[string]*taint{}
	if u, _ := w.get(job, "uses"); u != nil {
		w.use(id, base+".uses", u, true)
		// A reusable workflow is not read; its outputs are untrusted when
		// any of its inputs is.
		with, _ := w.get(job, "with")
		var in *taint
		for _, p := range w.pairs(with) {
			if in == nil && p[1].Kind == yaml.ScalarNode {
				in = firstTaint(p[1].Value, sc).through(base + ".with." + p[0].Value)
			}
		}
		for _, p := range w.pairs(mustGet(w, job, "outputs")) {
			outs[strings.ToLower(p[0].Value)] = in
		}
		if in != nil {
			outs["*"] = in
		}
	}
	w.env(job, base+".env")
	w.with(job, base+".with")
	w.with(job, base+".secrets")
	if c, _ := w.get(job, "container"); c != nil {
		w.env(c, base+".container.env")
	}
	if svcs, _ := w.get(job, "services"); svcs != nil {
		for _, p := range w.pairs(svcs) {
			w.env(p[1], base+".services."+p[0].Value+".env")
		}
	}
	steps, _ := w.get(job, "steps")
	if steps != nil && steps.Kind == yaml.SequenceNode {
		for i, s := range steps.Content {
			s = w.deref(s)
			if !w.spend() || s == nil {
				break
			}
			w.step(id, base, i, s, sc, jobEnv, &ghEnv)
		}
	}
	if steps != nil {
		sc.env = [][]envVar{ghEnv, jobEnv, w.wfEnv}
		for _, p := range w.pairs(mustGet(w, job, "outputs")) {
			if p[1].Kind == yaml.ScalarNode {
				outs[strings.ToLower(p[0].Value)] = firstTaint(p[1].Value, sc).through(base + ".outputs." + p[0].Value)
			}
		}
	}
	w.outputs[strings.ToLower(id)] = outs
}

func mustGet(w *walker, n *yaml.Node, key string) *yaml.Node {
	v, _ := w.get(n, key)
	return v
}

// scriptSinks are actions whose inputs are code (zizmor's and CodeQL's sink
// lists, the common ones), by lower-case owner/repo.
var scriptSinks = map[string][]string{
	"actions/github-script":             {"script"},
	"amadevus/pwsh-script":              {"script"},
	"jannekem/run-python-script-action": {"script"},
	"cardinalby/js-eval-action":         {"expression"},
	"addnab/docker-run-action":          {"options", "run"},
}

// passThrough are actions whose outputs carry attacker-controlled text
// whatever their inputs (branch names, file names, comment bodies, or a
// script's return value).
var passThrough = map[string]bool{
	"actions/github-script":                 true,
	"tj-actions/branch-names":               true,
	"tj-actions/changed-files":              true,
	"dorny/paths-filter":                    true,
	"xt0rted/pull-request-comment-branch":   true,
	"peter-evans/find-comment":              true,
	"actions-ecosystem/action-regex-match":  true,
	"gotson/pull-request-comment-branch":    true,
	"potiuk/get-workflow-origin":            true,
	"dawidd6/action-download-artifact":      true,
	"actions/download-artifact":             true,
	"mikefarah/yq":                          true,
	"jq-actions/jq":                         true,
	"kanga333/comment-hider":                true,
	"khan/pull-request-comment-trigger":     true,
	"eficode/resolve-pr-refs":               true,
	"trilom/file-changes-action":            true,
	"jitterbit/get-changed-files":           true,
	"lots0logs/gh-action-get-changed-files": true,
}

// actionRepo is the lower-case owner/repo of a uses: value.
func actionRepo(ref string) string {
	ref = strings.ToLower(ref)
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.SplitN(ref, "/", 3)
	if len(parts) < 2 {
		return ref
	}
	return parts[0] + "/" + parts[1]
}

// stepName is a step's id, else its name, else steps[N].
func (w *walker) stepName(s *yaml.Node, i int) string {
	for _, k := range []string{"id", "name"} {
		if v, _ := w.get(s, k); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value
		}
	}
	return "steps[" + strconv.Itoa(i) + "]"
}

func (w *walker) step(job, base string, i int, s *yaml.Node, sc *scope, jobEnv []envVar, ghEnv *[]envVar) {
	sp := base + ".steps[" + strconv.Itoa(i) + "]"
	name := w.stepName(s, i)
	sc.env = [][]envVar{*ghEnv, jobEnv, w.wfEnv}
	stepEnv := w.envLayer(s, sp+".env", sc)
	sc.env = [][]envVar{stepEnv, *ghEnv, jobEnv, w.wfEnv}
	var in *taint // untrusted text reaching the step
	sinks := map[string]bool{}
	repo := ""
	if u, _ := w.get(s, "uses"); u != nil {
		w.use(job, sp+".uses", u, false)
		repo = actionRepo(u.Value)
		for _, k := range scriptSinks[repo] {
			sinks[k] = true
		}
	}
	w.env(s, sp+".env")
	w.with(s, sp+".with")
	with, _ := w.get(s, "with")
	for _, p := range w.pairs(with) {
		if p[1].Kind != yaml.ScalarNode {
			continue
		}
		field := sp + ".with." + p[0].Value
		if sinks[p[0].Value] {
			w.injections(p[1], field, job, name, "with."+p[0].Value, sc)
		}
		if in == nil {
			in = firstTaint(p[1].Value, sc).through(field)
		}
	}
	script := ""
	if r, _ := w.get(s, "run"); r != nil && r.Kind == yaml.ScalarNode {
		script = r.Value
		w.injections(r, sp+".run", job, name, "run", sc)
		if in == nil {
			in = firstTaint(script, sc).through(sp + ".run")
		}
		if in == nil {
			in = shellTaint(script, sc, sp+".run")
		}
	}
	if repo != "" && passThrough[repo] && in == nil {
		in = &taint{Source: "the outputs of " + repo, Via: []string{sp + ".uses"}}
	}
	id, _ := w.get(s, "id")
	if in == nil {
		if id != nil {
			if _, ok := sc.steps[strings.ToLower(id.Value)]; !ok {
				sc.steps[strings.ToLower(id.Value)] = nil
			}
		}
		return
	}
	writesOutput := repo != "" || strings.Contains(script, "GITHUB_OUTPUT") || strings.Contains(script, "::set-output")
	if id != nil && writesOutput {
		how := sp + ".uses (action outputs)"
		if repo == "" {
			how = sp + ".run (writes $GITHUB_OUTPUT)"
		}
		sc.steps[strings.ToLower(id.Value)] = in.through(how)
	}
	if strings.Contains(script, "GITHUB_ENV") || strings.Contains(script, "::set-env") {
		t := in.through(sp + ".run (writes $GITHUB_ENV)")
		for _, m := range envWrite.FindAllStringSubmatch(script, -1) {
			*ghEnv = append([]envVar{{name: m[1], t: t}}, *ghEnv...)
		}
	}
}

// envWrite matches NAME= and NAME<< in a script that writes $GITHUB_ENV.
var envWrite = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)(=|<<)`)

// shellVar matches $NAME, ${NAME}, $env:NAME and %NAME% in a script.
var shellVar = regexp.MustCompile(`(?i)\$\{?([A-Za-z_][A-Za-z0-9_]*)|\$env:([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%`)

// runnerTainted are the runner's default variables that carry untrusted
// text: the pull request's branch name and the event payload file.
var runnerTainted = map[string]string{
	"GITHUB_HEAD_REF":   "github.head_ref",
	"GITHUB_EVENT_PATH": "github.event (read from $GITHUB_EVENT_PATH)",
}

// shellTaint is the first untrusted env variable a script reads by name.
// Reading one is the safe way to use it, so it is no injection; it only
// taints what the script writes to $GITHUB_OUTPUT or $GITHUB_ENV.
func shellTaint(script string, sc *scope, path string) *taint {
	for _, m := range shellVar.FindAllStringSubmatch(script, -1) {
		name := m[1] + m[2] + m[3]
		if src, ok := runnerTainted[strings.ToUpper(name)]; ok {
			return &taint{Source: src, Via: []string{path + " ($" + name + ")"}}
		}
		if t := sc.lookupEnv(name); t != nil {
			return t.through(path + " ($" + name + ")")
		}
	}
	return nil
}

var (
	shaRef    = regexp.MustCompile(`^[0-9a-f]{40}$`)
	dockerSHA = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
)

// localInside reports whether a local uses: path stays in the repository.
// Backslashes count as separators, as on a Windows runner.
func localInside(ref string) bool {
	p := path.Clean(strings.ReplaceAll(ref, `\`, "/"))
	return p != ".." && !strings.HasPrefix(p, "../") && !strings.HasPrefix(p, "/")
}

func (w *walker) use(job, path string, n *yaml.Node, jobLevel bool) {
	u := Use{File: w.f.Name, Line: n.Line, Path: path, Job: job, Ref: n.Value, Kind: "action"}
	if jobLevel {
		u.Kind = "reusable"
	}
	switch {
	case n.Kind != yaml.ScalarNode || n.Value == "":
		u.Reason = "uses is not a non-empty string"
	case strings.HasPrefix(n.Value, "./") || strings.HasPrefix(n.Value, `.\`):
		u.Kind = "local"
		if localInside(n.Value) {
			u.Pinned = true
		} else {
			u.Outside = true
			u.Reason = "the local path leaves the repository"
		}
	case strings.HasPrefix(n.Value, "docker://"):
		u.Kind = "docker"
		if dockerSHA.MatchString(n.Value) {
			u.Pinned = true
		} else {
			u.Reason = "docker image not pinned by @sha256 digest"
		}
	case strings.Contains(n.Value, "${{"):
		u.Reason = "an expression cannot pin a reference"
	default:
		i := strings.LastIndexByte(n.Value, '@')
		switch {
		case i < 0:
			u.Reason = "no @ref"
		case !shaRef.MatchString(n.Value[i+1:]):
			u.Reason = fmt.Sprintf("ref %q is not a 40-hex lower-case commit SHA", n.Value[i+1:])
		case strings.Count(n.Value[:i], "/") < 1:
			u.Reason = "not owner/repo@sha"
		default:
			u.Pinned = true
		}
	}
	w.f.Uses = append(w.f.Uses, u)
}

// secretKey matches env and with keys that name a secret.
var secretKey = regexp.MustCompile(`(?i)(secret|token|passw(or)?d|passphrase|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth[_-]?key|signing[_-]?key|webhook[_-]?url)`)

// expr matches one ${{ … }} expression, for telling literal text apart.
var expr = regexp.MustCompile(`(?s)\$\{\{(.*?)\}\}`)

func (w *walker) env(parent *yaml.Node, path string) {
	n, _ := w.get(parent, "env")
	w.secrets(n, path)
}

func (w *walker) with(parent *yaml.Node, path string) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	n, _ := w.get(parent, key)
	w.secrets(n, path)
}

func (w *walker) secrets(n *yaml.Node, path string) {
	// Every key of a job's secrets: mapping is a secret.
	all := strings.HasSuffix(path, ".secrets")
	for _, p := range w.pairs(n) {
		k, v := p[0], p[1]
		if (!all && !secretKey.MatchString(k.Value)) || v.Kind != yaml.ScalarNode {
			continue
		}
		if literal(v) {
			w.f.Secrets = append(w.f.Secrets, Secret{File: w.f.Name, Line: v.Line, Path: path + "." + k.Value, Key: k.Value})
		}
	}
}

// literal reports whether a scalar holds text outside ${{ }} expressions,
// booleans and numbers aside (persist-credentials: false is no secret).
func literal(v *yaml.Node) bool {
	rest := strings.TrimSpace(expr.ReplaceAllString(v.Value, ""))
	if rest == "" {
		return false
	}
	switch v.Tag {
	case "!!bool", "!!int", "!!float", "!!null":
		return false
	}
	return true
}

// injections records every untrusted expression of a script.
func (w *walker) injections(n *yaml.Node, path, job, step, field string, sc *scope) {
	for _, e := range expressions(n.Value, sc) {
		if e.Taint == nil {
			continue
		}
		line := n.Line + strings.Count(n.Value[:e.Offset], "\n")
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line++
		}
		via := e.Taint.Via
		if via == nil {
			via = []string{}
		}
		w.f.Injections = append(w.f.Injections, Injection{
			File: w.f.Name, Line: line, Path: path, Job: job, Step: step, Field: field,
			Expression: e.Text, Context: e.Context, Source: e.Taint.Source, Via: via,
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
