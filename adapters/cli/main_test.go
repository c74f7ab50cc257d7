package cli

import (
	"os"
	"testing"
)

// TestMain keeps the tests out of the user's registry cache
// (~/.cache/hubgate/registry): eval would otherwise write an entry there for
// every test registry. TestEvalRegistryCache sets its own folder.
func TestMain(m *testing.M) {
	if os.Getenv("HUBGATE_REGISTRY_CACHE") == "" {
		os.Setenv("HUBGATE_REGISTRY_CACHE", "off")
	}
	os.Exit(m.Run())
}
