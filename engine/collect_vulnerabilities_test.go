package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/sbom"
	"github.com/cicd-hub/hubgate/engine/evidence/vex"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

const vulnDemoHex = "1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

func vulnFixture(name string) string { return filepath.Join("..", "fixtures", name) }

// vulnRepo is the registry entry of a repo that sets no vulnerabilities
// settings, resolved through the schema (the defaults are CUE's alone), in
// an org whose VEX statements may be ten years old: the fixtures' statements
// are from 2024.
var vulnRepo = sync.OnceValues(func() (*registry.Repo, error) {
	reg, err := registry.Load(fstest.MapFS{"registry.cue": {Data: []byte(`org: vulnerabilities: vex_max_age: "87600h"
repos: "acme/demo": {}
`)}}, "registry.cue")
	if err != nil {
		return nil, err
	}
	return reg.Repo("acme/demo")
})

// vulnEnv returns an Env for the demo subject with the given items. With
// data nil its registry entry is [vulnRepo]; else data as given, not
// resolved through the schema.
func vulnEnv(data map[string]any, items ...Item) *Env {
	env := &Env{
		Repo:     "acme/demo",
		Now:      time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
		Subjects: []policy.Subject{{Name: "demo-image", Digest: policy.Digest{"sha256": vulnDemoHex}}},
		Evidence: items,
	}
	if data != nil {
		env.Config = &registry.Repo{Name: "acme/demo", Data: data}
	} else {
		repo, err := vulnRepo()
		if err != nil {
			panic(err)
		}
		env.Config = repo
	}
	return env
}

// vexCheck runs the sbom, vex and vulnerabilities collectors on env, as an
// evaluation does.
func vexCheck(env *Env) (*vulnerabilities.Facts, *vex.Facts, *sbom.Facts) {
	ctx := context.Background()
	env.Cache = evidence.NewCache(nil)
	sf := sbom.Collect(ctx, env, env.ItemsOf(policy.KindSBOM)).(*sbom.Facts)
	xf := vex.Collect(ctx, env, env.ItemsOf(policy.KindVEX)).(*vex.Facts)
	vf := vulnerabilities.Collect(ctx, env, env.ItemsOf(policy.KindVulnerabilities)).(*vulnerabilities.Facts)
	return vf, xf, sf
}

func itemsOf(env *Env, k policy.EvidenceKind) []Item { return env.ItemsOf(k) }

// roundTrip marshals facts as the engine does, so tests read what Rego reads.
func roundTrip(t *testing.T, facts any) map[string]any {
	t.Helper()
	b, err := json.Marshal(facts)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestCollectVulnerabilitiesHubData(t *testing.T) {
	tests := []struct {
		name       string
		vexFile    string
		suppressed []bool
		nearMisses []int
	}{
		{"bound to the subject", "vex/hub-vex.cdx.json", []bool{true, false}, []int{0, 0}},
		{"another product", "vex/hub-vex-other-product.cdx.json", []bool{false, false}, []int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := vulnEnv(nil,
				Item{Kind: policy.KindVulnerabilities, Path: vulnFixture("vulns/grype-report.sample.json")},
				Item{Kind: policy.KindVEX, Path: vulnFixture(tt.vexFile)},
			)
			facts := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
			assert.Empty(t, facts.Problems)
			assert.True(t, facts.Present)
			assert.Equal(t, vulnerabilities.ConfigFacts{CVSSThreshold: 7, EPSSThreshold: 0.75, UnderInvestigation: "warn", VEXMaxAge: "87600h", Unscored: "fail"}, facts.Config, "CUE's defaults for a repo that sets none")
			assert.Equal(t, []string{"sha256:" + vulnDemoHex}, facts.Subjects)
			assert.Equal(t, 10, facts.VEXStatements)
			require.Len(t, facts.Findings, 2)
			for i, f := range facts.Findings {
				assert.Equal(t, tt.suppressed[i], f.Suppressed, f.ID)
				assert.Len(t, f.NearMisses, tt.nearMisses[i], f.ID)
			}
			m := roundTrip(t, facts)
			f0 := m["findings"].([]any)[0].(map[string]any)
			for _, k := range []string{"id", "target", "evidence", "path", "cvss", "epss", "has_cvss", "has_epss", "status", "suppressed", "decision", "near_misses", "reason", "purls", "aliases"} {
				assert.Contains(t, f0, k)
			}
			// Inputs: the report and the VEX file, each recorded.
			var paths []string
			for _, in := range env.Inputs() {
				paths = append(paths, string(in.Kind)+":"+filepath.Base(in.Path))
			}
			assert.Contains(t, paths, "vulnerabilities:grype-report.sample.json")
			assert.Contains(t, paths, "vex:"+filepath.Base(tt.vexFile))
		})
	}
}

func TestCollectVulnerabilitiesConfig(t *testing.T) {
	env := vulnEnv(map[string]any{"vulnerabilities": map[string]any{"cvss_threshold": 5.5, "epss_threshold": 0.5, "under_investigation": "fail", "vex_max_age": "720h", "unscored": "fail"}},
		Item{Kind: policy.KindVulnerabilities, Path: vulnFixture("vulns/grype-report.sample.json")},
		Item{Kind: policy.KindVEX, Path: vulnFixture("vex/hub-vex.cdx.json")},
	)
	facts := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
	assert.Empty(t, facts.Problems)
	assert.Equal(t, vulnerabilities.ConfigFacts{CVSSThreshold: 5.5, EPSSThreshold: 0.5, UnderInvestigation: "fail", VEXMaxAge: "720h", Unscored: "fail"}, facts.Config)
	require.Len(t, facts.Findings, 2)
	assert.False(t, facts.Findings[0].Suppressed, "the 2024 statement is older than 30 days")
	require.NotEmpty(t, facts.Findings[0].NearMisses)
	assert.Contains(t, facts.Findings[0].NearMisses[0].Reason, "older than the maximum age")

	bad := vulnEnv(map[string]any{"vulnerabilities": map[string]any{"vex_max_age": "30d", "under_investigation": "ignore"}})
	facts = vulnerabilities.Collect(context.Background(), bad, nil).(*vulnerabilities.Facts)
	assert.Equal(t, []string{"registry#vulnerabilities.cvss_threshold", "registry#vulnerabilities.epss_threshold",
		"registry#vulnerabilities.under_investigation", "registry#vulnerabilities.unscored", "registry#vulnerabilities.vex_max_age"}, problemPaths(facts.Problems))
	assert.Contains(t, facts.Problems[4].Message, `"30d" is not a positive Go duration`)
	assert.False(t, facts.Present)
}

func TestCollectBadEvidence(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
		return p
	}
	trunc := write("trunc.json", "{\n \"matches\": [\n  {\"vulnerability\": {\"id\": \"CVE-1\"")
	bigVEX := write("big.json", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}`+strings.Repeat(" ", 200))
	badSBOM := write("bad.cdx.json", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\n\"components\":[{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:/x\"}]}")
	env := vulnEnv(nil,
		Item{Kind: policy.KindVulnerabilities, Path: trunc},
		Item{Kind: policy.KindVulnerabilities, Path: vulnFixture("vulns/grype-report.sample.json")},
		Item{Kind: policy.KindVEX, Path: bigVEX},
		Item{Kind: policy.KindVEX, Path: filepath.Join(dir, "missing.json")},
		Item{Kind: policy.KindSBOM, Path: badSBOM},
	)
	env.MaxFileSize = 100

	vf := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
	require.Len(t, vf.Problems, 2, "the truncated report, and the sample over the 100-byte limit")
	assert.Equal(t, trunc, vf.Problems[0].Evidence)
	assert.Equal(t, 3, vf.Problems[0].Line)
	assert.Contains(t, vf.Problems[0].Message, "truncated")
	assert.Contains(t, vf.Problems[1].Message, "size limit")

	xf := vex.Collect(context.Background(), env, itemsOf(env, policy.KindVEX)).(*vex.Facts)
	require.Len(t, xf.Problems, 2)
	assert.Contains(t, xf.Problems[0].Message, "size limit")
	assert.Equal(t, bigVEX, xf.Problems[0].Evidence)
	assert.Contains(t, xf.Problems[1].Message, "read vex")

	env.MaxFileSize = 0
	sf := sbom.Collect(context.Background(), env, itemsOf(env, policy.KindSBOM)).(*sbom.Facts)
	require.Len(t, sf.Problems, 1)
	assert.Equal(t, "components[0].purl", sf.Problems[0].Path)
	assert.Equal(t, 1, sf.Components)
	assert.Equal(t, 1, sf.WithoutPURLTotal, "a component with an invalid purl has none")
}

func TestCollectSBOMFacts(t *testing.T) {
	env := vulnEnv(nil,
		Item{Kind: policy.KindSBOM, Path: vulnFixture("sbom/demo.cdx.json")},
		Item{Kind: policy.KindSBOM, Path: vulnFixture("sbom/demo.spdx.json")},
	)
	sf := sbom.Collect(context.Background(), env, itemsOf(env, policy.KindSBOM)).(*sbom.Facts)
	require.Len(t, sf.Documents, 2)
	require.NotNil(t, sf.Documents[0].Subject)
	assert.Equal(t, []string{"sha256:" + vulnDemoHex}, sf.Documents[0].Subject.Digests)
	assert.Equal(t, 7, sf.Components)
	require.Len(t, sf.Problems, 1, "the spdx fixture's invalid purl")
	assert.Equal(t, "packages[2].externalRefs[0].referenceLocator", sf.Problems[0].Path)
	require.NotNil(t, sf.Documents[1].Subject)
	assert.Equal(t, []string{"sha256:" + vulnDemoHex}, sf.Documents[1].Subject.Digests, "checksum, versionInfo and purl name one digest")
	var ids []string
	for _, l := range sf.Licenses {
		ids = append(ids, l.ID)
	}
	assert.Equal(t, []string{"Apache-2.0", "GPL-2.0-only", "GPL-3.0-or-later", "MIT", "Proprietary"}, ids)
	assert.Equal(t, 2, sf.Licenses[0].Total)
}

func TestCollectSBOMSubjectDigestInVersion(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "syft.cdx.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"container","name":"ghcr.io/acme/demo","version":"sha256:`+vulnDemoHex+`"}}}`), 0o600))
	env := vulnEnv(nil, Item{Kind: policy.KindSBOM, Path: p})
	sf := sbom.Collect(context.Background(), env, itemsOf(env, policy.KindSBOM)).(*sbom.Facts)
	require.Empty(t, sf.Problems)
	require.NotNil(t, sf.Documents[0].Subject)
	assert.Equal(t, []string{"sha256:" + vulnDemoHex}, sf.Documents[0].Subject.Digests)
}

func TestCollectVEXFacts(t *testing.T) {
	env := vulnEnv(nil, Item{Kind: policy.KindVEX, Path: vulnFixture("vex/openvex-subject.json")}, Item{Kind: policy.KindVEX, Path: vulnFixture("vex/hub-vex.cdx.json")})
	xf := vex.Collect(context.Background(), env, itemsOf(env, policy.KindVEX)).(*vex.Facts)
	assert.Empty(t, xf.Problems)
	assert.Equal(t, 13, xf.Statements)
	require.Len(t, xf.Unjustified, 1)
	assert.Equal(t, "CVE-2023-0001", xf.Unjustified[0].Vulnerability)
	assert.Equal(t, "statements[2]", xf.Unjustified[0].Path)
	require.Len(t, xf.Documents, 2)
	assert.Equal(t, "openvex", xf.Documents[0].Format)
}

// TestCollectVEXRefsResolvedThroughSBOM checks the wiring: a CycloneDX VEX
// whose affects[].ref is a bom-ref of the SBOM given with the release (here
// a BOM-Link into it) covers a finding in that component, and only there.
func TestCollectVEXRefsResolvedThroughSBOM(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
		return p
	}
	vexPath := write("vex.cdx.json", `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
	 "vulnerabilities":[{"id":"CVE-2024-0727","analysis":{"state":"not_affected","justification":"code_not_reachable","lastUpdated":"2025-01-01T00:00:00Z"},
	   "affects":[{"ref":"urn:cdx:6a1e2b7c-0d55-4e3a-9b1e-1f0c2d3e4f50/1#openssl"}]}]}`)
	grype := write("grype.json", `{"matches":[
	 {"vulnerability":{"id":"CVE-2024-0727","cvss":[{"metrics":{"baseScore":7.5}}]},"artifact":{"name":"openssl","version":"3.0.11-1~deb12u2","purl":"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"}},
	 {"vulnerability":{"id":"CVE-2024-0727","cvss":[{"metrics":{"baseScore":7.5}}]},"artifact":{"name":"openssl","version":"3.0.9","purl":"pkg:deb/debian/openssl@3.0.9?arch=amd64&distro=debian-12"}}]}`)
	for _, withSBOM := range []bool{true, false} {
		t.Run(map[bool]string{true: "with sbom", false: "without sbom"}[withSBOM], func(t *testing.T) {
			items := []Item{{Kind: policy.KindVulnerabilities, Path: grype}, {Kind: policy.KindVEX, Path: vexPath}}
			if withSBOM {
				items = append(items, Item{Kind: policy.KindSBOM, Path: vulnFixture("sbom/demo.cdx.json")})
			}
			env := vulnEnv(nil, items...)
			facts := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
			require.Empty(t, facts.Problems)
			require.Len(t, facts.Findings, 2)
			assert.Equal(t, withSBOM, facts.Findings[0].Suppressed, "the installed openssl is covered only when the ref resolves")
			assert.False(t, facts.Findings[1].Suppressed, "another openssl version is not")
			require.NotEmpty(t, facts.Findings[1].NearMisses)
			if withSBOM {
				assert.Contains(t, facts.Findings[1].NearMisses[0].Reason, "differs from the affected version 3.0.9")
				assert.Equal(t, "CVE-2024-0727@pkg:deb/debian/openssl@3.0.9?arch=amd64&distro=debian-12", facts.Findings[1].Target)
			} else {
				assert.Contains(t, facts.Findings[0].NearMisses[0].Reason, "resolves to no purl or digest")
			}
		})
	}
}
