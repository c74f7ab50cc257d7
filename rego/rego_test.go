package rego_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
)

// TestRegoUnitTests runs every *_test.rego of the built-in pack under the
// engine's hermetic capabilities, one subtest per Rego test.
func TestRegoUnitTests(t *testing.T) {
	res, err := engine.TestPolicy(context.Background(), true)
	require.NoError(t, err)
	require.NotEmpty(t, res, "the built-in pack has no Rego unit tests")
	for _, r := range res {
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			assert.True(t, r.Pass, "%s: %s", r.Location, r.Error)
		})
	}
}
