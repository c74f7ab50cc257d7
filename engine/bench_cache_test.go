package engine_test

import (
	"context"
	"testing"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
)

// BenchmarkNewCached is engine.New as eval runs it: the full release's
// registry served from the registry cache (warm, as on every eval after the
// first with an unchanged registry).
func BenchmarkNewCached(b *testing.B) {
	ctx := context.Background()
	r, _ := fullRelease(b)
	cache := b.TempDir()
	if _, err := engine.New(ctx, engine.WithRegistryPath(r.Registry), engine.WithRegistryCache(cache)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.New(ctx, engine.WithRegistryPath(r.Registry), engine.WithRegistryCache(cache)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegistryLoadCached is the full release's registry load from a
// warm cache.
func BenchmarkRegistryLoadCached(b *testing.B) {
	r, _ := fullRelease(b)
	cache := b.TempDir()
	if _, err := registry.LoadPath(r.Registry, registry.WithCache(cache)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.LoadPath(r.Registry, registry.WithCache(cache)); err != nil {
			b.Fatal(err)
		}
	}
}
