package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// PolicyTestResult is the result of one Rego unit test (a rule named test_*
// in a *_test.rego file).
type PolicyTestResult struct {
	Package  string
	Name     string
	Location string // file:line
	Pass     bool
	Error    string
	Duration time.Duration
}

// TestPolicy compiles sources (the built-in pack first, when builtin is
// true) under hubgate's hermetic capabilities and runs their unit tests.
// An error means the policy did not compile; failing tests are results.
func TestPolicy(ctx context.Context, builtin bool, sources ...PolicySource) ([]PolicyTestResult, error) {
	var all []PolicySource
	if builtin {
		all = append(all, BuiltinPolicy())
	}
	all = append(all, sources...)
	caps := Capabilities()
	mods, err := readModules(all, caps, true)
	if err != nil {
		return nil, err
	}
	compiler, err := compile(mods, caps, false)
	if err != nil {
		return nil, err
	}
	if _, err := findRules(compiler, mods); err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(map[string]any{"hubgate": map[string]any{"repos": map[string]any{}}})
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		RaiseBuiltinErrors(true).
		SetTimeout(30*time.Second).
		SetModules(compiler.Modules).
		RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("%w: run tests: %w", ErrPolicy, err)
	}
	var out []PolicyTestResult
	for r := range ch {
		res := PolicyTestResult{Package: r.Package, Name: r.Name, Pass: !r.Fail && r.Error == nil && !r.Skip, Duration: r.Duration}
		if r.Location != nil {
			res.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		if r.Error != nil {
			res.Error = r.Error.Error()
		} else if r.Fail {
			res.Error = "test failed"
		}
		if r.Skip {
			continue
		}
		out = append(out, res)
	}
	return out, nil
}
