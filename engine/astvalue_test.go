package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

// viaJSONRoute is how facts became the Rego input before toAST: marshal,
// then parse.
func viaJSONRoute(t *testing.T, x any) ast.Value {
	t.Helper()
	b, err := json.Marshal(x)
	require.NoError(t, err)
	v, err := ast.ValueFromReader(bytes.NewReader(b))
	require.NoError(t, err)
	return v
}

// TestFactsToASTMatchesJSON collects every fixtures/cases input and checks,
// kind by kind, that the value built straight from the typed facts equals
// the one the JSON round trip gives.
func TestFactsToASTMatchesJSON(t *testing.T) {
	ctx := context.Background()
	compared := 0
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(ctx, WithRegistryPath(c.registry))
			if err != nil {
				t.Skipf("registry does not load: %v", err)
			}
			repo, err := e.reg.Repo(c.in.Repo)
			if err != nil {
				t.Skipf("no repo: %v", err)
			}
			subjects, err := hashSubjects(c.in.Subjects)
			require.NoError(t, err)
			facts, _, err := e.collect(ctx, c.in, repo, subjects, c.in.Now.UTC())
			require.NoError(t, err)
			for i, k := range policy.Kinds() {
				got, err := toAST(facts[i])
				require.NoError(t, err)
				want := viaJSONRoute(t, facts[i])
				require.Zero(t, want.Compare(got), "%s facts differ:\njson: %v\nast:  %v", k, want, got)
				compared++
			}
			got, err := toAST(subjects)
			require.NoError(t, err)
			require.Zero(t, viaJSONRoute(t, subjects).Compare(got))
		})
	}
	require.Positive(t, compared)
}

// TestToASTRules checks the encoding/json rules the facts rely on, each
// against json.Marshal: a converter that got one wrong differs here.
func TestToASTRules(t *testing.T) {
	type inner struct {
		A string `json:"a"`
		B int    `json:"b"`
	}
	type shadow struct {
		A string `json:"a"`
	}
	type Exported struct {
		E string `json:"e"`
	}
	type outer struct {
		inner
		*Exported
		Named      inner             `json:"named"`
		A          string            `json:"a"` // shallower: wins over inner.A
		Omit       string            `json:"omit,omitempty"`
		OmitSlice  []string          `json:"omit_slice,omitempty"`
		OmitZero   time.Time         `json:"omit_zero,omitzero"`
		Time       time.Time         `json:"time"`
		Skip       string            `json:"-"`
		Dash       string            `json:"-,"`
		NoTag      string            //nolint
		NilSlice   []int             `json:"nil_slice"`
		NilMap     map[string]int    `json:"nil_map"`
		Map        map[string]*inner `json:"map"`
		Bytes      []byte            `json:"bytes"`
		Float      float64           `json:"float"`
		Small      float64           `json:"small"`
		Big        float64           `json:"big"`
		F32        float32           `json:"f32"`
		Bad        string            `json:"bad"`
		Raw        json.RawMessage   `json:"raw"`
		Outcome    policy.Outcome    `json:"outcome"`
		Ptr        *shadow           `json:"ptr"`
		Iface      any               `json:"iface"`
		unexported string
	}
	x := outer{
		inner: inner{A: "hidden", B: 2}, Named: inner{A: "n"}, A: "top",
		Time: time.Date(2026, 11, 28, 1, 2, 3, 4, time.UTC), Dash: "d", NoTag: "t",
		Map: map[string]*inner{"k": {A: "v"}, "nil": nil}, Bytes: []byte("hi"),
		Float: 7, Small: 1e-7, Big: 1e21, F32: 0.1, Bad: "a\xffb\xfe\xfdc",
		Raw: json.RawMessage(`{"z":[1,2.5]}`), Outcome: policy.OutcomeWarn,
		Ptr: &shadow{A: "p"}, Iface: map[string]any{"n": 1.5, "s": []any{"x"}}, unexported: "u",
	}
	for _, v := range []any{x, &x, outer{Exported: &Exported{E: "e"}}, []outer{{}}, nil} {
		got, err := toAST(v)
		require.NoError(t, err)
		if v == nil {
			assert.Zero(t, ast.NewObject().Compare(got))
			continue
		}
		want := viaJSONRoute(t, v)
		assert.Zero(t, want.Compare(got), "json: %v\nast:  %v", want, got)
	}
	_, err := toAST(struct{ F float64 }{math.NaN()})
	assert.Error(t, err, "NaN has no JSON form")
}
