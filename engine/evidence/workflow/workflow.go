package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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

// Injection is an untrusted expression expanded inside a script.
type Injection struct {
	File       string `json:"file"`
	Line       int    `json:"line"`
	Path       string `json:"path"`
	Expression string `json:"expression"`
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
}

func (w *walker) spend() bool {
	w.budget--
	if w.budget < 0 && w.err == nil {
		w.err = fmt.Errorf("%w (more than %d)", ErrTooManyNodes, MaxNodes)
	}
	return w.err == nil
}

// deref follows aliases.
func (w *walker) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// get returns the value of key in mapping n, and the key node.
func (w *walker) get(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	n = w.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := w.deref(n.Content[i])
		if k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return w.deref(n.Content[i+1]), k
		}
	}
	return nil, nil
}

// pairs returns the key/value pairs of mapping n.
func (w *walker) pairs(n *yaml.Node) [][2]*yaml.Node {
	n = w.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !w.spend() {
			return out
		}
		k, v := w.deref(n.Content[i]), w.deref(n.Content[i+1])
		if k == nil || v == nil {
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
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
	w := &walker{f: f, budget: MaxNodes}
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
		return nil, fmt.Errorf("parse workflow %s: on: missing", name)
	}
	w.triggers(on, onKey)
	w.env(root, "env")
	jobs, _ := w.get(root, "jobs")
	for _, p := range w.pairs(jobs) {
		w.job(p[0].Value, p[1])
	}
	if w.err != nil {
		return nil, fmt.Errorf("parse workflow %s: %w", name, w.err)
	}
	return f, nil
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

func (w *walker) job(id string, job *yaml.Node) {
	base := "jobs." + id
	if u, _ := w.get(job, "uses"); u != nil {
		w.use(id, base+".uses", u, true)
	}
	w.env(job, base+".env")
	w.with(job, base+".with", false)
	w.with(job, base+".secrets", false)
	if c, _ := w.get(job, "container"); c != nil {
		w.env(c, base+".container.env")
	}
	if svcs, _ := w.get(job, "services"); svcs != nil {
		for _, p := range w.pairs(svcs) {
			w.env(p[1], base+".services."+p[0].Value+".env")
		}
	}
	steps, _ := w.get(job, "steps")
	if steps == nil || steps.Kind != yaml.SequenceNode {
		return
	}
	for i, s := range steps.Content {
		s = w.deref(s)
		if !w.spend() || s == nil {
			return
		}
		sp := base + ".steps[" + strconv.Itoa(i) + "]"
		script := false
		if u, _ := w.get(s, "uses"); u != nil {
			w.use(id, sp+".uses", u, false)
			script = strings.HasPrefix(strings.ToLower(u.Value), "actions/github-script@")
		}
		w.env(s, sp+".env")
		w.with(s, sp+".with", script)
		if r, _ := w.get(s, "run"); r != nil && r.Kind == yaml.ScalarNode {
			w.injections(r, sp+".run")
		}
	}
}

var (
	shaRef    = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	dockerSHA = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
)

func (w *walker) use(job, path string, n *yaml.Node, jobLevel bool) {
	u := Use{File: w.f.Name, Line: n.Line, Path: path, Job: job, Ref: n.Value, Kind: "action"}
	if jobLevel {
		u.Kind = "reusable"
	}
	switch {
	case n.Kind != yaml.ScalarNode || n.Value == "":
		u.Reason = "uses is not a non-empty string"
	case strings.HasPrefix(n.Value, "./"):
		u.Kind, u.Pinned = "local", true
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
			u.Reason = fmt.Sprintf("ref %q is not a 40-hex commit SHA", n.Value[i+1:])
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

// expr matches one ${{ … }} expression.
var expr = regexp.MustCompile(`(?s)\$\{\{(.*?)\}\}`)

func (w *walker) env(parent *yaml.Node, path string) {
	n, _ := w.get(parent, "env")
	w.secrets(n, path)
}

func (w *walker) with(parent *yaml.Node, path string, script bool) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	n, _ := w.get(parent, key)
	w.secrets(n, path)
	if script {
		if s, _ := w.get(n, "script"); s != nil && s.Kind == yaml.ScalarNode {
			w.injections(s, path+".script")
		}
	}
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

// untrusted matches the contexts an attacker controls.
var untrusted = regexp.MustCompile(`\b(github\s*\.\s*event\s*\.|github\s*\[\s*'event'\s*\]|github\s*\.\s*head_ref\b|inputs\s*\.|inputs\s*\[)`)

func (w *walker) injections(n *yaml.Node, path string) {
	for _, m := range expr.FindAllStringSubmatchIndex(n.Value, -1) {
		inner := n.Value[m[2]:m[3]]
		if !untrusted.MatchString(inner) {
			continue
		}
		line := n.Line + strings.Count(n.Value[:m[0]], "\n")
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line++
		}
		w.f.Injections = append(w.f.Injections, Injection{File: w.f.Name, Line: line, Path: path, Expression: "${{" + inner + "}}"})
	}
}
