package vexdoc_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "vex", n)); err == nil {
			f.Add(b)
		}
	}
}

// fuzzOne parses b and, when it parses, matches every statement's
// vulnerability against the statements: neither may panic.
func fuzzOne(t *testing.T, b []byte) {
	doc, err := vexdoc.Parse(b, vexdoc.Options{MaxSize: 1 << 20})
	if err != nil {
		return
	}
	if doc == nil {
		t.Fatal("nil document without an error")
	}
	m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: time.Unix(1e9, 0), MaxAge: time.Hour})
	for _, s := range doc.Statements {
		var q vexdoc.Query
		q.ID, q.Aliases = s.Vulnerability, s.Aliases
		for _, p := range s.Products {
			q.PURLs = append(q.PURLs, p.PURLs...)
		}
		_ = m.Match(q)
	}
}

// FuzzParseOpenVEX fuzzes the OpenVEX reader and the matcher.
func FuzzParseOpenVEX(f *testing.F) {
	seed(f, "openvex-subject.json")
	f.Add([]byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1","aliases":["GHSA-1"]},"products":[{"@id":"pkg:npm/a@1?x=y","hashes":{"sha-256":"` + "1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106" + `"},"subcomponents":[{"@id":"pkg:npm/b@2"}]}],"status":"not_affected","impact_statement":"x"}]}`))
	f.Fuzz(fuzzOne)
}

// FuzzParseCycloneDXVEX fuzzes the CycloneDX VEX reader (JSON and XML) and
// the matcher.
func FuzzParseCycloneDXVEX(f *testing.F) {
	seed(f, "hub-vex.cdx.json", "hub-vex-other-product.cdx.json")
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><vulnerabilities><vulnerability><id>CVE-1</id><analysis><state>not_affected</state><detail>d</detail></analysis><affects><target><ref>pkg:npm/a@1</ref></target></affects></vulnerability></vulnerabilities></bom>`))
	f.Fuzz(fuzzOne)
}
