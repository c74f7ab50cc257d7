package engine

import (
	"context"
	"math"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
)

// TestNumberTextMatchesRegoSprintf checks that the scores the
// vulnerabilities kind renders in Go print as the Rego rules' sprintf("%v")
// printed them, for the number the facts carry (toAST), so the finding
// messages did not change when the texts moved to Go.
func TestNumberTextMatchesRegoSprintf(t *testing.T) {
	nums := []float64{
		0, math.Copysign(0, -1), 0.1, 0.2, 0.82, 1, 4, 6.9, 7, 7.0000001, 9.1, 9.95, 10, 10.5,
		0.00001, 0.000001, 0.0000001, 1e-7, 0.99999, 1.0 / 3, 123456789, 1e20, 1e21, 1.5e300, -2.5,
		math.Nextafter(7, 8), math.Nextafter(7, 6), math.SmallestNonzeroFloat64, math.MaxFloat64,
	}
	arr := make([]any, len(nums))
	for i, f := range nums {
		arr[i] = f
	}
	in, err := toAST(map[string]any{"nums": arr})
	require.NoError(t, err)
	pq, err := rego.New(rego.Query(`x := [sprintf("%v", [n]) | some n in input.nums]`)).PrepareForEval(context.Background())
	require.NoError(t, err)
	rs, err := pq.Eval(context.Background(), rego.EvalParsedInput(in))
	require.NoError(t, err)
	require.Len(t, rs, 1)
	got, ok := rs[0].Bindings["x"].([]any)
	require.True(t, ok)
	require.Len(t, got, len(nums))
	for i, f := range nums {
		assert.Equal(t, got[i], vulnerabilities.NumberText(f), "%v", f)
	}
}
