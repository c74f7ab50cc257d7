package registry

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// benchRegistry is a registry of n repos in 10 teams, with waivers.
func benchRegistry(n int) fstest.MapFS {
	var b strings.Builder
	b.WriteString("org: {require: [\"checksums\"], limits: {build_timeout: \"1h\", max_parallel_jobs: 8}}\n")
	for t := 0; t < 10; t++ {
		fmt.Fprintf(&b, "teams: t%d: limits: max_parallel_jobs: %d\n", t, 2+t%4)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `repos: "acme/app-%d": {
	team: "t%d"
	require: ["checksums", "sbom"]
	limits: {build_timeout: "%dm", max_parallel_jobs: 2, secret_scope: "s%d"}
	vulnerabilities: cvss_threshold: 6.5
	egress: allow: ["github.com", "api.github.com"]
	waivers: [{rule: "sbom.present", reason: "r", owner: "o", expires: "2026-12-31"}]
}
`, i, i%10, 10+i%50, i)
	}
	return fstest.MapFS{"reg.cue": {Data: []byte(b.String())}}
}

func TestBenchRegistryLoads(t *testing.T) {
	r, err := Load(benchRegistry(200), "reg.cue")
	require.NoError(t, err)
	require.Len(t, r.Names(), 200)
}

func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1, 200, 1000} {
		fsys := benchRegistry(n)
		b.Run(fmt.Sprintf("repos=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(fsys, "reg.cue"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadDefault(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSections is BenchmarkLoad with typed sections declared, as
// the engine loads: the extra cost of decoding them once at load.
func BenchmarkLoadSections(b *testing.B) {
	for _, n := range []int{1, 200, 1000} {
		fsys := benchRegistry(n)
		b.Run(fmt.Sprintf("repos=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := load(fsys, "reg.cue", testSections); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSection is what a collector pays per evaluation to read its
// section: the typed config's copy, or (a section not declared) the JSON
// round trip every evaluation paid before.
func BenchmarkSection(b *testing.B) {
	reg, err := load(fstest.MapFS{"r.cue": {Data: []byte(sectionsRegistry)}}, "r.cue", testSections)
	require.NoError(b, err)
	rp, err := reg.Repo("acme/own")
	require.NoError(b, err)
	byJSON := &Repo{Name: rp.Name, Data: rp.Data}
	for _, c := range []struct {
		name string
		repo *Repo
	}{{"typed", rp}, {"json", byJSON}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var v testVulns
				var l testLimits
				if err := c.repo.Section("vulnerabilities", &v); err != nil {
					b.Fatal(err)
				}
				if err := c.repo.Section("limits", &l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
