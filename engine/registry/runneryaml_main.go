package registry

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// The hub's later main branch writes runner-isolation.yaml (its
// config/optional/runner-isolation.yaml) in another shape, under one
// top-level runner_isolation key:
//
//	runner_isolation:
//	  enabled: false                # the file's master toggle
//	  defaults:
//	    cancel_in_progress: true
//	    allowed_runners: [ubuntu-latest, ubuntu-22.04]
//	    max_concurrent_jobs: 5      # per repo
//	    max_matrix_parallel: 4      # per job (its matrix legs)
//	  workflows:                    # per-workflow overrides, by workflow name
//	    release: {max_in_progress: 1, cancel_in_progress: false}
//	    test:    {max_in_progress: 3, max_matrix_parallel: 6}
//	    security: {max_in_progress: 2, timeout_minutes: 60}
//	  self_hosted_profiles:         # empty (every profile commented out)
//	  resource_limits: {...}        # informational: the runner enforces them
//	  fair_scheduling:
//	    enabled: false
//	    token_bucket: {capacity: 10, refill_rate_per_minute: 2}
//
// It maps onto the org's settings:
//
//	org: jobs: {require_cancel_in_progress: true, allowed_runners: [...], max_matrix_parallel: 4,
//	            workflow_overrides: release: {max_in_progress: 1, require_cancel_in_progress: false}, ...}
//	org: limits: {max_parallel_jobs: 5, rate: {capacity: 10, refill_per_minute: 2}}
//
// Its workflows are overrides, not a list of the hub's workflows: a
// workflow it does not name is still admitted (under the defaults), unlike
// the master branch's workflows. A workflow name matches the workflow file
// without its .yml or .yaml extension.
//
// With enabled: false the file imports nothing: the hub's own toggle says
// its settings are off. Its shape is still checked (an unknown or misspelt
// field, a toggle that is not a boolean, a timeout_minutes that is not a
// positive number are errors at their positions); its values meet the
// registry's schema only once it is enabled. resource_limits are read for their shape and not
// imported: the runner enforces them, not the dispatcher.

// convertRunnerIsolationMain converts the main branch's runner-isolation.yaml.
func convertRunnerIsolationMain(f *ast.File) (*ast.File, error) {
	var errs cueerrors.Error
	fail := func(pos token.Pos, format string, args ...any) {
		errs = cueerrors.Append(errs, cueerrors.Newf(pos, "runner-isolation.yaml: runner_isolation"+format, args...))
	}
	var root *ast.StructLit
	for _, d := range f.Decls {
		switch x := d.(type) {
		case *ast.Field:
			if l := labelOf(x.Label); l != "runner_isolation" {
				errs = cueerrors.Append(errs, cueerrors.Newf(x.Pos(), "runner-isolation.yaml: unknown top-level field %q beside runner_isolation", l))
				continue
			}
			st, ok := x.Value.(*ast.StructLit)
			if !ok {
				fail(x.Value.Pos(), ": want a mapping")
				continue
			}
			root = st
		case *ast.CommentGroup:
		default:
			errs = cueerrors.Append(errs, cueerrors.Newf(d.Pos(), "runner-isolation.yaml: unexpected content"))
		}
	}
	if root == nil {
		if errs == nil {
			errs = cueerrors.Newf(token.NoPos, "runner-isolation.yaml: runner_isolation: missing")
		}
		return nil, errs
	}

	enabled := false // the hub ships it off; a file that does not say is off
	var jobs, limits, rate, overrides []ast.Decl
	for _, e := range fields(root) {
		switch k := labelOf(e.Label); k {
		case "enabled":
			b, ok := boolOf(e.Value)
			if !ok {
				fail(e.Value.Pos(), ".enabled: want a boolean")
				continue
			}
			enabled = b
		case "defaults":
			st, ok := e.Value.(*ast.StructLit)
			if !ok {
				fail(e.Value.Pos(), ".defaults: want a mapping")
				continue
			}
			for _, d := range fields(st) {
				switch dk := labelOf(d.Label); dk {
				case "cancel_in_progress":
					jobs = append(jobs, field("require_cancel_in_progress", d.Value))
				case "allowed_runners", "max_matrix_parallel":
					jobs = append(jobs, field(dk, d.Value))
				case "max_concurrent_jobs":
					limits = append(limits, field("max_parallel_jobs", d.Value))
				default:
					fail(d.Pos(), ".defaults: unknown field %q", dk)
				}
			}
		case "workflows":
			if emptyMapping(e.Value) {
				continue
			}
			st, ok := e.Value.(*ast.StructLit)
			if !ok {
				fail(e.Value.Pos(), ".workflows: want a mapping")
				continue
			}
			for _, w := range fields(st) {
				name := labelOf(w.Label)
				ws, ok := w.Value.(*ast.StructLit)
				if !ok {
					fail(w.Value.Pos(), ".workflows.%s: want a mapping", name)
					continue
				}
				var o []ast.Decl
				for _, d := range fields(ws) {
					switch dk := labelOf(d.Label); dk {
					case "max_in_progress", "max_matrix_parallel":
						o = append(o, field(dk, d.Value))
					case "cancel_in_progress":
						o = append(o, field("require_cancel_in_progress", d.Value))
					case "timeout_minutes":
						b, ok := d.Value.(*ast.BasicLit)
						n, err := strconv.Atoi(strings.TrimSpace(valueOf(b)))
						if !ok || b.Kind != token.INT || err != nil || n < 1 {
							fail(d.Value.Pos(), ".workflows.%s.timeout_minutes: want a positive number of minutes", name)
							continue
						}
						o = append(o, field("timeout", &ast.BasicLit{ValuePos: b.ValuePos, Kind: token.STRING, Value: strconv.Quote(strconv.Itoa(n) + "m")}))
					default:
						fail(d.Pos(), ".workflows.%s: unknown field %q", name, dk)
					}
				}
				stem := strings.TrimSuffix(strings.TrimSuffix(name, ".yml"), ".yaml")
				overrides = append(overrides, &ast.Field{Label: ast.NewString(stem), Value: &ast.StructLit{Elts: o}})
			}
		case "self_hosted_profiles":
			if !emptyMapping(e.Value) {
				fail(e.Value.Pos(), ".self_hosted_profiles: hubgate does not judge self-hosted profiles yet; want none")
			}
		case "resource_limits":
			if _, ok := e.Value.(*ast.StructLit); !ok && !emptyMapping(e.Value) {
				fail(e.Value.Pos(), ".resource_limits: want a mapping")
			}
		case "fair_scheduling":
			st, ok := e.Value.(*ast.StructLit)
			if !ok {
				fail(e.Value.Pos(), ".fair_scheduling: want a mapping")
				continue
			}
			on := true
			var r []ast.Decl
			for _, d := range fields(st) {
				switch dk := labelOf(d.Label); dk {
				case "enabled":
					b, ok := boolOf(d.Value)
					if !ok {
						fail(d.Value.Pos(), ".fair_scheduling.enabled: want a boolean")
						continue
					}
					on = b
				case "token_bucket":
					tb, ok := d.Value.(*ast.StructLit)
					if !ok {
						fail(d.Value.Pos(), ".fair_scheduling.token_bucket: want a mapping")
						continue
					}
					for _, t := range fields(tb) {
						switch tk := labelOf(t.Label); tk {
						case "capacity":
							r = append(r, field("capacity", t.Value))
						case "refill_rate_per_minute":
							r = append(r, field("refill_per_minute", t.Value))
						default:
							fail(t.Pos(), ".fair_scheduling.token_bucket: unknown field %q", tk)
						}
					}
				default:
					fail(d.Pos(), ".fair_scheduling: unknown field %q", dk)
				}
			}
			if on {
				rate = r
			}
		default:
			fail(e.Pos(), ": unknown field %q", k)
		}
	}
	if errs != nil {
		return nil, errs
	}
	out := &ast.File{Filename: f.Filename}
	if !enabled {
		org := field("org", &ast.StructLit{})
		ast.AddComment(org, &ast.CommentGroup{Doc: true, List: []*ast.Comment{{Text: "// runner_isolation.enabled is false: none of its settings apply."}}})
		out.Decls = []ast.Decl{org}
		return out, nil
	}
	if len(overrides) > 0 {
		jobs = append(jobs, field("workflow_overrides", &ast.StructLit{Elts: overrides}))
	}
	if len(rate) > 0 {
		limits = append(limits, field("rate", &ast.StructLit{Elts: rate}))
	}
	var org []ast.Decl
	if len(jobs) > 0 {
		org = append(org, field("jobs", &ast.StructLit{Elts: jobs}))
	}
	if len(limits) > 0 {
		org = append(org, field("limits", &ast.StructLit{Elts: limits}))
	}
	out.Decls = []ast.Decl{field("org", &ast.StructLit{Elts: org})}
	return out, nil
}

// valueOf is a literal's text, "" for nil.
func valueOf(b *ast.BasicLit) string {
	if b == nil {
		return ""
	}
	return b.Value
}
