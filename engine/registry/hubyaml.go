package registry

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"
)

// The hub's config/repositories.yaml has this shape:
//
//	repositories:
//	  - name: app
//	    owner: acme
//	    enabled: true
//	    settings:
//	      build_timeout: 45m        # "30m", "1h", or a bare number of minutes
//	      max_parallel_jobs: 2
//	      resource_limit_mb: 2048
//	      secret_scope: app
//	      allowed_egress: [github.com]
//	      language: python          # and other build settings
//
// It maps onto the registry as
//
//	repos: "acme/app": {
//		enabled: true                                   // only when the file says
//		limits: {build_timeout: "45m", max_parallel_jobs: 2, resource_limit_mb: 2048, secret_scope: "app"}
//		egress: allow: ["github.com"]
//		ci: {language: "python", ...}                   // every other setting
//	}
//
// The converted nodes keep the YAML file's positions, so a bad value (such
// as build_timeout: -5m) is reported at its line and column in the YAML.

// settingsLimits are the settings that become limits fields.
var settingsLimits = map[string]bool{
	"build_timeout": true, "max_parallel_jobs": true, "resource_limit_mb": true, "secret_scope": true,
}

// convertIfHub converts a file in the hub's repositories.yaml shape (a
// top-level repositories list) or runner-isolation.yaml shape (a top-level
// workflows mapping, see runneryaml.go); any other file is returned
// unchanged.
func convertIfHub(f *ast.File) (*ast.File, error) {
	if isRunnerIsolation(f) {
		return convertRunnerIsolation(f)
	}
	var repos *ast.Field
	for _, d := range f.Decls {
		if fl, ok := d.(*ast.Field); ok && labelOf(fl.Label) == "repositories" {
			repos = fl
		}
	}
	if repos == nil {
		return f, nil
	}
	var errs cueerrors.Error
	fail := func(pos token.Pos, format string, args ...any) {
		errs = cueerrors.Append(errs, cueerrors.Newf(pos, format, args...))
	}
	for _, d := range f.Decls {
		switch x := d.(type) {
		case *ast.Field:
			if x != repos {
				fail(x.Pos(), "repositories.yaml: unknown top-level field %q", labelOf(x.Label))
			}
		case *ast.CommentGroup:
		default:
			fail(d.Pos(), "repositories.yaml: unexpected content")
		}
	}
	list, ok := repos.Value.(*ast.ListLit)
	if !ok {
		fail(repos.Value.Pos(), "repositories: want a list")
		return nil, errs
	}
	seen := map[string]token.Pos{}
	var entries []ast.Decl
	for i, el := range list.Elts {
		st, ok := el.(*ast.StructLit)
		if !ok {
			fail(el.Pos(), "repositories[%d]: want a mapping", i)
			continue
		}
		var (
			name, owner     string
			namePos         token.Pos
			enabled         ast.Expr
			settings        *ast.StructLit
			limits, ci      []ast.Decl
			egress          ast.Expr
			nameOK, ownerOK bool
		)
		for _, d := range st.Elts {
			fl, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			switch l := labelOf(fl.Label); l {
			case "name":
				name, nameOK = stringOf(fl.Value)
				namePos = fl.Value.Pos()
				if !nameOK {
					fail(fl.Value.Pos(), "repositories[%d].name: want a string", i)
				}
			case "owner":
				owner, ownerOK = stringOf(fl.Value)
				if !ownerOK {
					fail(fl.Value.Pos(), "repositories[%d].owner: want a string", i)
				}
			case "enabled":
				enabled = fl.Value
			case "settings":
				s, ok := fl.Value.(*ast.StructLit)
				if !ok {
					fail(fl.Value.Pos(), "repositories[%d].settings: want a mapping", i)
					continue
				}
				settings = s
			default:
				fail(fl.Pos(), "repositories[%d]: unknown field %q", i, l)
			}
		}
		if !nameOK || !ownerOK {
			fail(st.Pos(), "repositories[%d]: want name and owner", i)
			continue
		}
		key := owner + "/" + name
		if prev, dup := seen[key]; dup {
			fail(namePos, "repositories[%d]: %s is listed twice (first at line %d)", i, key, prev.Line())
			continue
		}
		seen[key] = namePos
		if settings != nil {
			for _, d := range settings.Elts {
				fl, ok := d.(*ast.Field)
				if !ok {
					continue
				}
				l := labelOf(fl.Label)
				switch {
				case l == "build_timeout":
					limits = append(limits, field(l, timeoutValue(fl.Value)))
				case settingsLimits[l]:
					limits = append(limits, field(l, fl.Value))
				case l == "allowed_egress":
					egress = fl.Value
				default:
					ci = append(ci, field(l, fl.Value))
				}
			}
		}
		var body []ast.Decl
		if enabled != nil {
			body = append(body, field("enabled", enabled))
		}
		if len(limits) > 0 {
			body = append(body, field("limits", &ast.StructLit{Elts: limits}))
		}
		if egress != nil {
			body = append(body, field("egress", &ast.StructLit{Elts: []ast.Decl{field("allow", egress)}}))
		}
		if len(ci) > 0 {
			body = append(body, field("ci", &ast.StructLit{Elts: ci}))
		}
		label := ast.NewString(key)
		label.ValuePos = namePos
		entries = append(entries, &ast.Field{Label: label, Value: &ast.StructLit{Elts: body}})
	}
	if errs != nil {
		return nil, errs
	}
	out := &ast.File{Filename: f.Filename}
	out.Decls = []ast.Decl{field("repos", &ast.StructLit{Elts: entries})}
	return out, nil
}

func field(name string, v ast.Expr) *ast.Field {
	return &ast.Field{Label: ast.NewIdent(name), Value: v}
}

func labelOf(l ast.Label) string {
	s, _, err := ast.LabelName(l)
	if err != nil {
		return ""
	}
	return s
}

func stringOf(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	if err != nil {
		return "", false
	}
	return s, true
}

// timeoutValue turns a bare number of minutes (30 or "30") into "30m", and
// leaves every other value for the schema to judge. The position stays.
func timeoutValue(e ast.Expr) ast.Expr {
	b, ok := e.(*ast.BasicLit)
	if !ok {
		return e
	}
	var digits string
	switch b.Kind {
	case token.INT:
		digits = b.Value
	case token.STRING:
		s, err := strconv.Unquote(b.Value)
		if err != nil {
			return e
		}
		digits = s
	default:
		return e
	}
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return e
	}
	lit := ast.NewString(digits + "m")
	lit.ValuePos = b.ValuePos
	return lit
}

// Import turns the hub's repositories.yaml (or a registry written in YAML or
// JSON) read from r into CUE source for the registry. filename names the
// input in problems; the input is read as JSON when filename ends in .json,
// as YAML otherwise. The result is validated against the schema first: a bad
// input returns an [*Error] whose problems point into the input.
//
// Conversion: each repository becomes repos."owner/name"; build_timeout,
// max_parallel_jobs, resource_limit_mb and secret_scope become limits fields
// (a bare number of minutes, 30 or "30", becomes "30m"); allowed_egress
// becomes egress.allow; enabled is kept (a disabled repo stays listed, with
// enabled: false); every other setting goes to ci. The hub's
// runner-isolation.yaml becomes org.jobs (and org.limits.rate from its
// fair_scheduling.token_bucket).
func Import(r io.Reader, filename string) ([]byte, error) {
	data, err := readBounded(r, filename)
	if err != nil {
		return nil, err
	}
	src := source{name: filename, data: data, format: "yaml"}
	if strings.EqualFold(path.Ext(filename), ".json") {
		src.format = "json"
	}
	if _, err := build([]source{src}, false, loadConfig{}); err != nil {
		return nil, err
	}
	ctx := cuecontext.New()
	v, err := compileSource(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", filename, err)
	}
	node := v.Syntax(cue.Final(), cue.Docs(true))
	var f *ast.File
	switch x := node.(type) {
	case *ast.File:
		f = x
	case *ast.StructLit:
		f = &ast.File{Decls: x.Elts}
	default:
		return nil, fmt.Errorf("import %s: nothing to import", filename)
	}
	b, err := format.Node(f, format.Simplify())
	if err != nil {
		return nil, fmt.Errorf("import %s: format: %w", filename, err)
	}
	header := "// Registry converted by `hubgate registry import` from " + filename + ".\n" +
		"// build_timeout: a bare number means minutes (30 became \"30m\").\n" +
		"// Settings hubgate does not judge are kept under ci.\n\n"
	return append([]byte(header), b...), nil
}
