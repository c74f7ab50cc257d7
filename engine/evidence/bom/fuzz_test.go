package bom_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

// FuzzParse feeds arbitrary bytes to the SBOM parser: it must return a
// document or an error, never panic.
func FuzzParse(f *testing.F) {
	for _, n := range []string{"demo.cdx.json", "demo.spdx.json"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "sbom", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>a</name><purl>pkg:npm/a@1</purl></component></components></bom>`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","purl":"pkg:a/b@1?x=%zz"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := bom.Parse(b, bom.Options{MaxSize: 1 << 20})
		if err == nil && doc == nil {
			t.Fatal("nil document without an error")
		}
	})
}

// FuzzParsePURL checks that canonicalisation is idempotent.
func FuzzParsePURL(f *testing.F) {
	for _, s := range []string{"pkg:npm/%40angular/core@1.0.0", "pkg:oci/debian@sha256:abc?repository_url=docker.io/library/debian", "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := bom.CanonicalPURL(s)
		if err != nil {
			return
		}
		c2, err := bom.CanonicalPURL(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c, s, err)
		}
		if c2 != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, c2)
		}
	})
}
