package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuiltinPackPassesSkippedStages: the built-in pack compiles with every
// stage, the ones an eval skips (builtinChecked) included, and skipping
// them changes neither the rules found nor their order.
func TestBuiltinPackPassesSkippedStages(t *testing.T) {
	caps := Capabilities()
	mods, err := readModules([]PolicySource{BuiltinPolicy()}, caps, false)
	require.NoError(t, err)
	full, err := compile(mods, caps, false)
	require.NoError(t, err, "the built-in pack must pass every compiler stage")
	require.NotNil(t, full.TypeEnv)
	skipped, err := compile(mods, caps, true)
	require.NoError(t, err)
	a, err := findRules(full, mods)
	require.NoError(t, err)
	b, err := findRules(skipped, mods)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.Greater(t, len(a), 50)
}
