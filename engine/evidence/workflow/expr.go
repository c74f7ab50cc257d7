package workflow

import (
	_ "embed"
	"strings"
	"sync"

	"github.com/rhysd/actionlint"
)

// MaxExpression bounds the text handed to the expression parser for one
// ${{ }} (the parser recurses on nesting). A longer expression counts as
// unparseable, which is untrusted in a script.
const MaxExpression = 8 << 10

//go:embed fixed_contexts.txt
var fixedContextsText string

// fixedContexts are the github.event paths whose values an attacker cannot
// shape (numbers, booleans, commit SHAs), from zizmor's capability table.
// It is built on first use, not at start-up: most processes read no
// workflow.
var fixedContexts = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(fixedContextsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
})

// taint says where an untrusted value came from: Source is the untrusted
// context ("github.event.issue.title"), Via the fields it passed through on
// its way (an env entry, a step that writes $GITHUB_OUTPUT, a job output).
type taint struct {
	Source string
	Via    []string
}

func (t *taint) through(path string) *taint {
	if t == nil {
		return nil
	}
	via := make([]string, 0, len(t.Via)+1)
	via = append(via, t.Via...)
	return &taint{Source: t.Source, Via: append(via, path)}
}

// expression is one ${{ … }} found in a string.
type expression struct {
	// Text is the expression as written, braces included.
	Text string
	// Offset is where it starts in the string.
	Offset int
	// Context is the context whose value flows into the result ("" when
	// the expression is clean), normalised: lower case, dots for indexes.
	Context string
	Taint   *taint
}

// envVar is one env entry in scope.
type envVar struct {
	name string
	t    *taint
}

// scope is what an expression can see.
type scope struct {
	// env layers, innermost first (step env, $GITHUB_ENV writes, job env,
	// workflow env).
	env [][]envVar
	// steps holds the output taint of the earlier steps of the job, by
	// lower-case id; a clean step maps to nil.
	steps map[string]*taint
	// needs holds job outputs by lower-case job id and output name.
	needs  map[string]map[string]*taint
	matrix *taint
	// typed holds the lower-case names of inputs declared boolean or number
	// everywhere they are declared.
	typed map[string]bool
}

func (s *scope) lookupEnv(name string) *taint {
	for _, layer := range s.env {
		for _, v := range layer {
			if strings.EqualFold(v.name, name) {
				return v.t
			}
		}
	}
	return nil
}

func (s *scope) anyEnv() *taint {
	for _, layer := range s.env {
		for _, v := range layer {
			if v.t != nil {
				return v.t
			}
		}
	}
	return nil
}

// expressions finds every ${{ }} of s with the taint of its value.
func expressions(s string, sc *scope) []expression {
	var out []expression
	off := 0
	for {
		i := strings.Index(s[off:], "${{")
		if i < 0 {
			return out
		}
		start := off + i
		body := s[start+3:]
		if len(body) > MaxExpression {
			body = body[:MaxExpression]
		}
		l := actionlint.NewExprLexer(body)
		node, err := actionlint.NewExprParser().Parse(l)
		if err != nil {
			// Fail closed: what cannot be parsed is untrusted. Skip to the
			// next "}}" to go on.
			end := strings.Index(s[start:], "}}")
			if end < 0 {
				end = len(s) - start
			} else {
				end += 2
			}
			out = append(out, expression{
				Text: s[start : start+end], Offset: start, Context: "unparseable expression",
				Taint: &taint{Source: "an expression hubgate cannot parse (" + err.Message + ")"},
			})
			off = start + end
			continue
		}
		end := start + 3 + l.Offset()
		e := expression{Text: s[start:end], Offset: start}
		e.Context, e.Taint = flow(node, sc)
		out = append(out, e)
		off = end
	}
}

// firstTaint is the first untrusted expression of s, or nil.
func firstTaint(s string, sc *scope) *taint {
	for _, e := range expressions(s, sc) {
		if e.Taint != nil {
			return e.Taint
		}
	}
	return nil
}

// flow returns the first untrusted context whose value flows into the
// result of n, as zizmor's dataflow_contexts does: a comparison or a
// negation yields a boolean, a && b yields b (or a falsy a), a || b either;
// format, join, toJSON and fromJSON carry their arguments, and so does any
// function hubgate does not know.
func flow(n actionlint.ExprNode, sc *scope) (string, *taint) {
	switch n := n.(type) {
	case *actionlint.LogicalOpNode:
		if n.Kind == actionlint.LogicalOpNodeKindOr {
			if c, t := flow(n.Left, sc); t != nil {
				return c, t
			}
		}
		return flow(n.Right, sc)
	case *actionlint.FuncCallNode:
		switch strings.ToLower(n.Callee) {
		case "contains", "startswith", "endswith", "hashfiles", "success", "always", "failure", "cancelled":
			return "", nil
		}
		for _, a := range n.Args {
			if c, t := flow(a, sc); t != nil {
				return c, t
			}
		}
		return "", nil
	case *actionlint.VariableNode, *actionlint.ObjectDerefNode, *actionlint.ArrayDerefNode, *actionlint.IndexAccessNode:
		root, segs, base := contextPath(n)
		if base != nil {
			// fromJSON(x).y carries x.
			return flow(base, sc)
		}
		name := strings.Join(append([]string{root}, segs...), ".")
		return name, classify(root, segs, sc)
	}
	return "", nil
}

// contextPath splits a context access into its root variable and lower-case
// segments: a string index is a segment, a number or * is "*", and a
// computed index is "?", which matches nothing trusted. When the access
// starts from a function call, base is that call.
func contextPath(n actionlint.ExprNode) (root string, segs []string, base actionlint.ExprNode) {
	var rev []string
	for {
		switch x := n.(type) {
		case *actionlint.VariableNode:
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			return x.Name, rev, nil
		case *actionlint.ObjectDerefNode:
			rev = append(rev, strings.ToLower(x.Property))
			n = x.Receiver
		case *actionlint.ArrayDerefNode:
			rev = append(rev, "*")
			n = x.Receiver
		case *actionlint.IndexAccessNode:
			switch i := x.Index.(type) {
			case *actionlint.StringNode:
				rev = append(rev, strings.ToLower(i.Value))
			case *actionlint.IntNode, *actionlint.FloatNode:
				rev = append(rev, "*")
			default:
				rev = append(rev, "?")
			}
			n = x.Operand
		default:
			return "", nil, n
		}
	}
}

// wild reports whether a segment stands for any key.
func wild(s string) bool { return s == "*" || s == "?" }

// classify says whether the context root.segs is untrusted in scope sc.
func classify(root string, segs []string, sc *scope) *taint {
	src := func() *taint { return &taint{Source: strings.Join(append([]string{root}, segs...), ".")} }
	switch root {
	case "github":
		if len(segs) == 0 || wild(segs[0]) {
			return src() // the whole context holds the event
		}
		switch segs[0] {
		case "head_ref":
			return src()
		case "event":
			if len(segs) >= 2 && segs[1] == "inputs" {
				return input(segs[2:], sc, src)
			}
			if len(segs) >= 2 && fixedContexts()[strings.Join(append([]string{"github"}, segs...), ".")] {
				return nil
			}
			return src()
		}
		return nil
	case "inputs":
		return input(segs, sc, src)
	case "env":
		if len(segs) == 0 || wild(segs[0]) {
			return sc.anyEnv()
		}
		return sc.lookupEnv(segs[0])
	case "steps":
		if len(segs) >= 2 && (segs[1] == "outcome" || segs[1] == "conclusion") {
			return nil
		}
		if len(segs) == 0 || wild(segs[0]) {
			for _, id := range sortedKeys(sc.steps) {
				if t := sc.steps[id]; t != nil {
					return t
				}
			}
			return nil
		}
		return sc.steps[segs[0]]
	case "needs", "jobs":
		if len(segs) >= 2 && segs[1] == "result" {
			return nil
		}
		jobs := sortedKeys(sc.needs)
		if len(segs) > 0 && !wild(segs[0]) {
			jobs = []string{segs[0]}
		}
		for _, j := range jobs {
			outs := sc.needs[j]
			names := sortedKeys(outs)
			if len(segs) >= 3 && segs[1] == "outputs" && !wild(segs[2]) {
				names = []string{segs[2]}
			}
			for _, o := range names {
				if t := outs[o]; t != nil {
					return t
				}
			}
			// A reusable workflow's outputs are not declared in the caller.
			if t := outs["*"]; t != nil {
				return t
			}
		}
		return nil
	case "matrix":
		return sc.matrix
	}
	// secrets, vars, runner, strategy, job: not attacker-controlled text.
	return nil
}

// input is inputs.NAME (or github.event.inputs.NAME): untrusted unless every
// declaration of NAME types it boolean or number.
func input(segs []string, sc *scope, src func() *taint) *taint {
	if len(segs) > 0 && !wild(segs[0]) && sc.typed[segs[0]] {
		return nil
	}
	return src()
}
