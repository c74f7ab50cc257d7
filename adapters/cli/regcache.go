package cli

import (
	"path/filepath"

	"github.com/cicd-hub/hubgate/engine/registry"
)

// registryCacheDir is where eval keeps the resolved registry between runs
// (${XDG_CACHE_HOME:-$HOME/.cache}/hubgate/registry), or "" when
// HUBGATE_REGISTRY_CACHE=off. An unchanged registry then loads without CUE;
// a changed one is never served from it (engine/registry/cache.go).
func (a *app) registryCacheDir() string {
	if a.getenv("HUBGATE_REGISTRY_CACHE") == "off" {
		return ""
	}
	if x := a.getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "hubgate", "registry")
	}
	return registry.DefaultCacheDir()
}
