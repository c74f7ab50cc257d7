package registry

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func addFixtureSeeds(f *testing.F) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join(fixtures, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`repos: "acme/app": {require: ["checksums"]}`))
	f.Add([]byte("repositories:\n  - {name: a, owner: o, settings: {build_timeout: 30}}\n"))
}

// FuzzLoad loads arbitrary bytes as a CUE, a YAML and a JSON registry: a
// problem or a registry, never a panic; and a registry that loads has
// well-formed entries.
func FuzzLoad(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"r.cue", "r.yaml", "r.json"} {
			r, err := Load(fstest.MapFS{name: {Data: data}}, name)
			if err != nil {
				if r != nil {
					t.Fatalf("%s: registry and error", name)
				}
				continue
			}
			for _, n := range r.Names() {
				rp, err := r.Repo(n)
				if err != nil {
					t.Fatalf("%s: listed repo %s: %v", name, n, err)
				}
				for _, k := range rp.Require {
					if !k.Valid() {
						t.Fatalf("%s: %s requires unknown kind %q", name, n, k)
					}
				}
			}
		}
	})
}

// FuzzImport converts arbitrary bytes: CUE text that loads, or an error.
func FuzzImport(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Import(bytes.NewReader(data), "in.yaml")
		if err != nil {
			return
		}
		if _, err := Load(fstest.MapFS{"x.cue": {Data: out}}, "x.cue"); err != nil {
			t.Fatalf("imported CUE does not load: %v\n%s", err, out)
		}
	})
}
