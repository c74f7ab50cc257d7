package vexdoc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

// BenchmarkMatcher indexes n/10 statements and matches n/5 findings, for
// n = 10k and 100k components: the index and the lookups, without parsing.
func BenchmarkMatcher(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("components=%dk", n/1000), func(b *testing.B) {
			purl := func(i, v int) bom.PURL {
				p, err := bom.ParsePURL(fmt.Sprintf("pkg:npm/pkg-%d@1.%d.0?arch=x64", i, v))
				if err != nil {
					b.Fatal(err)
				}
				return p
			}
			nv, ns := n/5, n/10
			stmts := make([]vexdoc.Statement, ns)
			for k := range stmts {
				j := k * 2 % nv
				var p vexdoc.Product
				switch k % 3 {
				case 0:
					p, _ = vexdoc.NewProduct("pkg:oci/demo@" + demoDigest)
					p.Subcomponents = []vexdoc.Product{{PURLs: []bom.PURL{purl(j, 0)}}}
				case 1:
					p = vexdoc.Product{PURLs: []bom.PURL{purl(j, 0)}}
				default:
					p = vexdoc.Product{PURLs: []bom.PURL{purl(j, 9)}}
				}
				stmts[k] = vexdoc.Statement{Evidence: "vex.json", Path: fmt.Sprintf("statements[%d]", k), Vulnerability: fmt.Sprintf("CVE-2026-%d", j),
					Status: vexdoc.StatusNotAffected, Justification: "component_not_present", Timestamp: time.Unix(int64(k), 0), Products: []vexdoc.Product{p}}
			}
			qs := make([]vexdoc.Query, nv)
			for j := range qs {
				qs[j] = vexdoc.Query{ID: fmt.Sprintf("GHSA-%d", j), Aliases: []string{fmt.Sprintf("CVE-2026-%d", j)}, PURLs: []bom.PURL{purl(j, 0)}}
			}
			b.ReportAllocs()
			b.ResetTimer()
			supp := 0
			for i := 0; i < b.N; i++ {
				m := vexdoc.NewMatcher(stmts, vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: time.Unix(1e9, 0)})
				supp = 0
				for _, q := range qs {
					if m.Match(q).Suppressed {
						supp++
					}
				}
			}
			b.ReportMetric(float64(supp), "suppressed")
		})
	}
}
