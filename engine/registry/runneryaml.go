package registry

import (
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// The hub's config/runner-isolation.yaml has this shape:
//
//	version: 1
//	defaults:
//	  require_cancel_in_progress: true
//	  allowed_runners: [ubuntu-22.04, ubuntu-latest]
//	workflows:
//	  release.yml:
//	    max_in_progress: 1
//	    jobs:
//	      project-tests: {runs_on: ubuntu-22.04, max_parallel: 2}
//	self_hosted_profiles: {}
//	fair_scheduling:                    # optional, as in the hub's later main branch
//	  enabled: true
//	  token_bucket: {capacity: 10, refill_rate_per_minute: 2}
//
// It maps onto the org's settings:
//
//	org: jobs: {require_cancel_in_progress: true, allowed_runners: [...],
//	            workflows: "release.yml": {max_in_progress: 1, jobs: {...}}}
//	org: limits: rate: {capacity: 10, refill_per_minute: 2}   // fair_scheduling, when enabled
//
// Values keep their YAML positions, so a bad budget (max_in_progress: 0) is
// reported at its line and column in the YAML. An unknown field is an error
// at its position: a misspelt budget must not be silently dropped.

// isRunnerIsolation reports whether f is in a runner-isolation.yaml shape:
// a top-level workflows mapping, or the later main branch's top-level
// runner_isolation mapping (runneryaml_main.go), and no repos, org or teams.
func isRunnerIsolation(f *ast.File) bool {
	has := map[string]bool{}
	for _, d := range f.Decls {
		if fl, ok := d.(*ast.Field); ok {
			has[labelOf(fl.Label)] = true
		}
	}
	return (has["workflows"] || has["runner_isolation"]) && !has["repos"] && !has["org"] && !has["teams"]
}

// convertRunnerIsolation converts a runner-isolation.yaml file into org
// settings.
func convertRunnerIsolation(f *ast.File) (*ast.File, error) {
	for _, d := range f.Decls {
		if fl, ok := d.(*ast.Field); ok && labelOf(fl.Label) == "runner_isolation" {
			return convertRunnerIsolationMain(f)
		}
	}
	var errs cueerrors.Error
	fail := func(pos token.Pos, format string, args ...any) {
		errs = cueerrors.Append(errs, cueerrors.Newf(pos, format, args...))
	}
	var jobs, limits []ast.Decl
	for _, d := range f.Decls {
		fl, ok := d.(*ast.Field)
		if !ok {
			if _, c := d.(*ast.CommentGroup); !c {
				fail(d.Pos(), "runner-isolation.yaml: unexpected content")
			}
			continue
		}
		switch l := labelOf(fl.Label); l {
		case "version":
			if b, ok := fl.Value.(*ast.BasicLit); !ok || b.Kind != token.INT || b.Value != "1" {
				fail(fl.Value.Pos(), "runner-isolation.yaml: version: want 1")
			}
		case "defaults":
			st, ok := fl.Value.(*ast.StructLit)
			if !ok {
				fail(fl.Value.Pos(), "runner-isolation.yaml: defaults: want a mapping")
				continue
			}
			for _, e := range fields(st) {
				switch k := labelOf(e.Label); k {
				case "require_cancel_in_progress", "allowed_runners":
					jobs = append(jobs, field(k, e.Value))
				default:
					fail(e.Pos(), "runner-isolation.yaml: defaults: unknown field %q", k)
				}
			}
		case "workflows":
			wf, ok := fl.Value.(*ast.StructLit)
			if !ok {
				fail(fl.Value.Pos(), "runner-isolation.yaml: workflows: want a mapping")
				continue
			}
			// The workflow entries keep their shape: max_in_progress and
			// jobs.<id>.{runs_on, max_parallel}; the schema judges them.
			jobs = append(jobs, field("workflows", wf))
		case "self_hosted_profiles":
			if !emptyMapping(fl.Value) {
				fail(fl.Value.Pos(), "runner-isolation.yaml: self_hosted_profiles: hubgate does not judge self-hosted profiles yet; want {}")
			}
		case "fair_scheduling":
			st, ok := fl.Value.(*ast.StructLit)
			if !ok {
				fail(fl.Value.Pos(), "runner-isolation.yaml: fair_scheduling: want a mapping")
				continue
			}
			enabled := true
			var rate []ast.Decl
			for _, e := range fields(st) {
				switch k := labelOf(e.Label); k {
				case "enabled":
					b, ok := boolOf(e.Value)
					if !ok {
						fail(e.Value.Pos(), "runner-isolation.yaml: fair_scheduling.enabled: want a boolean")
						continue
					}
					enabled = b
				case "token_bucket":
					tb, ok := e.Value.(*ast.StructLit)
					if !ok {
						fail(e.Value.Pos(), "runner-isolation.yaml: fair_scheduling.token_bucket: want a mapping")
						continue
					}
					for _, t := range fields(tb) {
						switch tk := labelOf(t.Label); tk {
						case "capacity":
							rate = append(rate, field("capacity", t.Value))
						case "refill_rate_per_minute":
							rate = append(rate, field("refill_per_minute", t.Value))
						default:
							fail(t.Pos(), "runner-isolation.yaml: fair_scheduling.token_bucket: unknown field %q", tk)
						}
					}
				default:
					fail(e.Pos(), "runner-isolation.yaml: fair_scheduling: unknown field %q", k)
				}
			}
			if enabled && len(rate) > 0 {
				limits = append(limits, field("rate", &ast.StructLit{Elts: rate}))
			}
		default:
			fail(fl.Pos(), "runner-isolation.yaml: unknown top-level field %q", l)
		}
	}
	if errs != nil {
		return nil, errs
	}
	var org []ast.Decl
	if len(jobs) > 0 {
		org = append(org, field("jobs", &ast.StructLit{Elts: jobs}))
	}
	if len(limits) > 0 {
		org = append(org, field("limits", &ast.StructLit{Elts: limits}))
	}
	out := &ast.File{Filename: f.Filename}
	out.Decls = []ast.Decl{field("org", &ast.StructLit{Elts: org})}
	return out, nil
}

// boolOf reads a YAML boolean, whichever node the YAML decoder made of it.
func boolOf(e ast.Expr) (bool, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		if x.Name == "true" || x.Name == "false" {
			return x.Name == "true", true
		}
	case *ast.BasicLit:
		if x.Kind == token.TRUE || x.Kind == token.FALSE {
			return x.Kind == token.TRUE, true
		}
	}
	return false, false
}

// emptyMapping reports whether e is {} or a YAML null (a key whose entries
// are all commented out).
func emptyMapping(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.StructLit:
		return len(fields(x)) == 0
	case *ast.BasicLit:
		return x.Kind == token.NULL
	case *ast.Ident:
		return x.Name == "null"
	}
	return false
}

// fields returns the fields of st, in order.
func fields(st *ast.StructLit) []*ast.Field {
	var out []*ast.Field
	for _, d := range st.Elts {
		if fl, ok := d.(*ast.Field); ok {
			out = append(out, fl)
		}
	}
	return out
}
