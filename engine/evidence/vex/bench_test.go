package vex_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/sbom"
	"github.com/cicd-hub/hubgate/engine/evidence/vex"
)

// BenchmarkMatcher indexes n/10 statements and matches n/5 findings, for
// n = 10k and 100k components: the index and the lookups, without parsing.
func BenchmarkMatcher(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("components=%dk", n/1000), func(b *testing.B) {
			purl := func(i, v int) sbom.PURL {
				p, err := sbom.ParsePURL(fmt.Sprintf("pkg:npm/pkg-%d@1.%d.0?arch=x64", i, v))
				if err != nil {
					b.Fatal(err)
				}
				return p
			}
			nv, ns := n/5, n/10
			stmts := make([]vex.Statement, ns)
			for k := range stmts {
				j := k * 2 % nv
				var p vex.Product
				switch k % 3 {
				case 0:
					p, _ = vex.NewProduct("pkg:oci/demo@" + demoDigest)
					p.Subcomponents = []vex.Product{{PURLs: []sbom.PURL{purl(j, 0)}}}
				case 1:
					p = vex.Product{PURLs: []sbom.PURL{purl(j, 0)}}
				default:
					p = vex.Product{PURLs: []sbom.PURL{purl(j, 9)}}
				}
				stmts[k] = vex.Statement{Evidence: "vex.json", Path: fmt.Sprintf("statements[%d]", k), Vulnerability: fmt.Sprintf("CVE-2026-%d", j),
					Status: vex.StatusNotAffected, Justification: "component_not_present", Timestamp: time.Unix(int64(k), 0), Products: []vex.Product{p}}
			}
			qs := make([]vex.Query, nv)
			for j := range qs {
				qs[j] = vex.Query{ID: fmt.Sprintf("GHSA-%d", j), Aliases: []string{fmt.Sprintf("CVE-2026-%d", j)}, PURLs: []sbom.PURL{purl(j, 0)}}
			}
			b.ReportAllocs()
			b.ResetTimer()
			supp := 0
			for i := 0; i < b.N; i++ {
				m := vex.NewMatcher(stmts, vex.MatcherOptions{Subjects: []string{demoDigest}, Now: time.Unix(1e9, 0)})
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
