package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/policy"
)

// vulnBenchFiles writes a synthetic release: a CycloneDX SBOM with n
// components, a grype report with n/5 findings (each in a component, with a
// GHSA alias), and an OpenVEX document with n/10 statements: a third about
// the subject with the finding's component as subcomponent (they apply), a
// third about the exact purl (they apply), a third about another version
// (near misses).
func vulnBenchFiles(tb testing.TB, dir string, n int) []Item {
	tb.Helper()
	purl := func(i int) string { return fmt.Sprintf("pkg:npm/%%40scope%d/pkg-%d@1.%d.0?arch=x64", i%97, i, i%10) }
	comps := make([]map[string]any, n)
	for i := range comps {
		comps[i] = map[string]any{
			"type": "library", "bom-ref": fmt.Sprintf("c%d", i), "name": fmt.Sprintf("pkg-%d", i),
			"group": fmt.Sprintf("@scope%d", i%97), "version": fmt.Sprintf("1.%d.0", i%10), "purl": purl(i),
			"licenses": []any{map[string]any{"license": map[string]any{"id": []string{"MIT", "Apache-2.0", "GPL-3.0-only"}[i%3]}}},
			"hashes":   []any{map[string]any{"alg": "SHA-256", "content": fmt.Sprintf("%064x", i)}},
		}
	}
	bom := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"metadata":   map[string]any{"component": map[string]any{"type": "container", "name": "demo", "bom-ref": "demo", "hashes": []any{map[string]any{"alg": "SHA-256", "content": vulnDemoHex}}}},
		"components": comps}
	nv := n / 5
	matches := make([]map[string]any, nv)
	for j := range matches {
		c := (j * 5) % n
		matches[j] = map[string]any{
			"vulnerability":          map[string]any{"id": fmt.Sprintf("GHSA-%04d-%04d-x", j/10000, j%10000), "severity": "high", "cvss": []any{map[string]any{"metrics": map[string]any{"baseScore": float64(j%100) / 10}}}},
			"relatedVulnerabilities": []any{map[string]any{"id": fmt.Sprintf("CVE-2026-%d", j), "cvss": []any{map[string]any{"metrics": map[string]any{"baseScore": 5.0}}}}},
			"artifact":               map[string]any{"name": fmt.Sprintf("pkg-%d", c), "version": fmt.Sprintf("1.%d.0", c%10), "purl": purl(c)},
			"metadata":               map[string]any{"epss": map[string]any{"percentile": float64(j%1000) / 1000}},
		}
	}
	grype := map[string]any{"matches": matches, "source": map[string]any{"type": "image", "target": map[string]any{"userInput": "demo", "manifestDigest": "sha256:" + vulnDemoHex}}}
	ns := n / 10
	stmts := make([]map[string]any, ns)
	for k := range stmts {
		j := k * 2 % nv // every other finding
		c := (j * 5) % n
		var prod map[string]any
		switch k % 3 {
		case 0:
			prod = map[string]any{"@id": "pkg:oci/demo@sha256:" + vulnDemoHex, "subcomponents": []any{map[string]any{"@id": purl(c)}}}
		case 1:
			prod = map[string]any{"@id": purl(c)}
		default:
			prod = map[string]any{"@id": fmt.Sprintf("pkg:npm/%%40scope%d/pkg-%d@9.9.9", c%97, c)}
		}
		stmts[k] = map[string]any{
			"vulnerability": map[string]any{"name": fmt.Sprintf("CVE-2026-%d", j)},
			"products":      []any{prod}, "status": "not_affected", "justification": "vulnerable_code_not_present",
			"timestamp": time.Date(2026, 1, 1, 0, 0, k%60, 0, time.UTC).Format(time.RFC3339),
		}
	}
	vexDoc := map[string]any{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "bench", "author": "bench", "timestamp": "2026-01-01T00:00:00Z", "version": 1, "statements": stmts}
	write := func(name string, v any) string {
		b, err := json.Marshal(v)
		require.NoError(tb, err)
		p := filepath.Join(dir, name)
		require.NoError(tb, os.WriteFile(p, b, 0o600))
		return p
	}
	return []Item{
		{Kind: policy.KindVulnerabilities, Path: write("grype.json", grype)},
		{Kind: policy.KindVEX, Path: write("vex.json", vexDoc)},
		{Kind: policy.KindSBOM, Path: write("sbom.json", bom)},
	}
}

// BenchmarkVEXCollectors runs the sbom, vex and vulnerabilities collectors over
// synthetic releases of 10k and 100k components (2k/20k findings, 1k/10k
// statements): parsing, purl canonicalisation, indexing and matching.
func BenchmarkVEXCollectors(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("components=%dk", n/1000), func(b *testing.B) {
			items := vulnBenchFiles(b, b.TempDir(), n)
			var res *vulnerabilities.Facts
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, _, _ = vexCheck(vulnEnv(nil, items...))
			}
			b.StopTimer()
			if len(res.Problems) > 0 {
				b.Fatalf("problems: %v", res.Problems[0])
			}
			supp := 0
			for _, f := range res.Findings {
				if f.Suppressed {
					supp++
				}
			}
			if len(res.Findings) != n/5 || supp == 0 {
				b.Fatalf("findings %d, suppressed %d", len(res.Findings), supp)
			}
			b.ReportMetric(float64(supp), "suppressed")
		})
	}
}

// TestVEXCollectorsSynthetic checks the benchmark's data on a small release: the
// expected share of findings is suppressed and the rest have near misses.
func TestVEXCollectorsSynthetic(t *testing.T) {
	items := vulnBenchFiles(t, t.TempDir(), 1000)
	res, xf, sf := vexCheck(vulnEnv(nil, items...))
	require.Empty(t, xf.Problems)
	require.Empty(t, sf.Problems)
	require.Empty(t, res.Problems)
	require.Len(t, res.Findings, 200)
	supp, near := 0, 0
	for _, f := range res.Findings {
		if f.Suppressed {
			supp++
		}
		if f.NearMissTotal > 0 && !f.Suppressed {
			near++
		}
	}
	// 100 statements over the even findings 0..198: two thirds apply.
	require.Equal(t, 67, supp)
	require.Equal(t, 33, near)
}

// BenchmarkEvaluateVulnerabilities is BenchmarkVEXCollectors through the whole
// engine: collectors, the facts converted for Rego, every rule, waivers and
// the fold. Compare it with BenchmarkVEXCollectors to see what judging costs.
func BenchmarkEvaluateVulnerabilities(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("components=%dk", n/1000), func(b *testing.B) {
			dir := b.TempDir()
			items := vulnBenchFiles(b, dir, n)
			reg := filepath.Join(dir, "registry.cue")
			require.NoError(b, os.WriteFile(reg, []byte("org: require: []\nrepos: \"acme/app\": {require: [\"sbom\", \"vex\", \"vulnerabilities\"]}\n"), 0o600))
			e, err := New(context.Background(), WithRegistryPath(reg))
			require.NoError(b, err)
			in := Input{
				Repo:     "acme/app",
				Now:      time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
				Subjects: []SubjectInput{{Name: "demo", Digest: policy.Digest{"sha256": vulnDemoHex}}},
				Evidence: items,
			}
			b.ReportAllocs()
			b.ResetTimer()
			var findings int
			for b.Loop() {
				d, err := e.Evaluate(context.Background(), in)
				require.NoError(b, err)
				findings = len(d.Findings)
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
}
