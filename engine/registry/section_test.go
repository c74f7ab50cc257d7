package registry

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Typed configs of a few sections, as kinds declare them: pointers, lists,
// a nested optional struct, json.RawMessage.
type (
	testVulns struct {
		CVSSThreshold      *float64 `json:"cvss_threshold"`
		EPSSThreshold      *float64 `json:"epss_threshold"`
		UnderInvestigation string   `json:"under_investigation"`
		VEXMaxAge          string   `json:"vex_max_age"`
		Unscored           string   `json:"unscored"`
	}
	testLimits struct {
		BuildTimeout    json.RawMessage `json:"build_timeout"`
		MaxParallelJobs int             `json:"max_parallel_jobs"`
		SecretScope     string          `json:"secret_scope"`
		Rate            *struct {
			Capacity        int     `json:"capacity"`
			RefillPerMinute float64 `json:"refill_per_minute"`
		} `json:"rate"`
	}
	testEgress struct {
		Allow  []string `json:"allow"`
		Canary string   `json:"canary"`
	}
	testJobs struct {
		LeaseTTL  string `json:"lease_ttl"`
		Workflows map[string]struct {
			MaxInProgress int `json:"max_in_progress"`
			Jobs          map[string]struct {
				RunsOn      string `json:"runs_on"`
				MaxParallel int    `json:"max_parallel"`
			} `json:"jobs"`
		} `json:"workflows"`
	}
	testProvenance struct {
		Builders   []string `json:"builders"`
		Identities []struct {
			Issuer  string `json:"issuer"`
			Subject string `json:"subject"`
		} `json:"identities"`
		Source string `json:"source"`
	}
)

var testSections = []Section{
	SectionOf[testVulns]("vulnerabilities"), SectionOf[testLimits]("limits"),
	SectionOf[testEgress]("egress"), SectionOf[testProvenance]("provenance"), SectionOf[testJobs]("jobs"),
}

// sectionsRegistry has teams that narrow the org and repos that narrow
// their team, in every section, or not at all.
const sectionsRegistry = `
org: {
	limits: {build_timeout: "2h", max_parallel_jobs: 8, rate: {capacity: 10, refill_per_minute: 5}}
	egress: allow: ["github.com", "api.github.com", "proxy.golang.org"]
	jobs: workflows: {
		"ci.yml": {max_in_progress: 4, jobs: {test: {runs_on: "ubuntu-latest", max_parallel: 3}, lint: runs_on: "ubuntu-latest"}}
		"release.yml": jobs: build: runs_on: "ubuntu-22.04"
	}
	provenance: {
		builders: ["https://b.example/one", "https://b.example/two"]
		identities: [{issuer: "https://token\\.actions\\.githubusercontent\\.com", subject: "https://github\\.com/acme/.+", }]
	}
}
teams: web: {
	limits: {max_parallel_jobs: 4, rate: capacity: 5}
	vulnerabilities: {cvss_threshold: 6.0, under_investigation: "fail"}
	egress: allow: ["github.com"]
}
repos: {
	"acme/plain": {}
	"acme/team": team: "web"
	"acme/own": {
		team: "web"
		limits: {build_timeout: "30m", rate: refill_per_minute: 2}
		vulnerabilities: {epss_threshold: 0.5, vex_max_age: "720h"}
		egress: {allow: [], canary: "canary.example.org"}
		jobs: {lease_ttl: "1m", workflows: "ci.yml": {max_in_progress: 2, jobs: test: max_parallel: 1}}
		provenance: {builders: ["https://b.example/one"], source: "github.com/acme/own"}
	}
	"acme/org": {vulnerabilities: cvss_threshold: 5, provenance: {source: "github.com/acme/org", builders: ["https://b.example/two"]}}
}
`

// TestSectionsDecodeOnceFromCUE: each declared section's typed config,
// decoded at load from CUE (parents by the schema, a repo's own settings
// laid over its parent's), is what the resolved entry decodes to through
// JSON; from the cache too; repos that set nothing share their parent's.
func TestSectionsDecodeOnceFromCUE(t *testing.T) {
	fsys := fstest.MapFS{"r.cue": {Data: []byte(sectionsRegistry)}}
	reg, err := load(fsys, "r.cue", testSections)
	require.NoError(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "r.cue")
	require.NoError(t, writeFileTest(p, sectionsRegistry))
	cache := t.TempDir()
	_, err = LoadPath(p, WithCache(cache), WithSections(testSections...))
	require.NoError(t, err)
	cached, err := LoadPath(p, WithCache(cache), WithSections(testSections...))
	require.NoError(t, err)
	plain, err := Load(fsys, "r.cue")
	require.NoError(t, err)
	late := plain.WithSections(testSections...)
	require.True(t, reg.HasSections(testSections...))
	require.True(t, cached.HasSections(testSections...))
	require.True(t, late.HasSections(testSections...))
	require.False(t, plain.HasSections(testSections...))

	for _, name := range reg.Names() {
		rp, err := reg.Repo(name)
		require.NoError(t, err)
		byJSON := &Repo{Name: name, Data: rp.Data} // made by hand: decodes through JSON
		for _, s := range testSections {
			check := func(want, got any, from string) {
				t.Helper()
				require.NoError(t, byJSON.Section(s.name, want))
				for _, r := range []*Registry{reg, cached, late} {
					rr, err := r.Repo(name)
					require.NoError(t, err)
					require.NoError(t, rr.Section(s.name, got))
					assert.Equal(t, want, got, "%s %s (%s)", name, s.name, from)
				}
			}
			switch s.name {
			case "vulnerabilities":
				var a, b testVulns
				check(&a, &b, "typed")
				require.NotNil(t, b.CVSSThreshold, "CUE's default, %s", name)
			case "limits":
				var a, b testLimits
				check(&a, &b, "typed")
			case "egress":
				var a, b testEgress
				check(&a, &b, "typed")
			case "provenance":
				var a, b testProvenance
				check(&a, &b, "typed")
			case "jobs":
				var a, b testJobs
				check(&a, &b, "typed")
			}
		}
	}
	own, _ := reg.Repo("acme/own")
	var v testVulns
	require.NoError(t, own.Section("vulnerabilities", &v))
	assert.Equal(t, 6.0, *v.CVSSThreshold, "the team's")
	assert.Equal(t, 0.5, *v.EPSSThreshold, "its own")
	assert.Equal(t, "fail", v.UnderInvestigation, "the team's")
	assert.Equal(t, "720h", v.VEXMaxAge)
	var l testLimits
	require.NoError(t, own.Section("limits", &l))
	assert.Equal(t, `"30m"`, string(l.BuildTimeout))
	assert.Equal(t, 4, l.MaxParallelJobs)
	require.NotNil(t, l.Rate)
	assert.Equal(t, 5, l.Rate.Capacity, "the team's, merged into the struct")
	assert.Equal(t, 2.0, l.Rate.RefillPerMinute)
	var e testEgress
	require.NoError(t, own.Section("egress", &e))
	assert.Equal(t, []string{}, e.Allow, "a list replaces the parent's")
	var j testJobs
	require.NoError(t, own.Section("jobs", &j))
	assert.Equal(t, "1m", j.LeaseTTL)
	assert.Len(t, j.Workflows, 2, "maps merge key by key")
	assert.Equal(t, 2, j.Workflows["ci.yml"].MaxInProgress)
	assert.Equal(t, 1, j.Workflows["ci.yml"].Jobs["test"].MaxParallel)
	assert.Equal(t, "ubuntu-latest", j.Workflows["ci.yml"].Jobs["test"].RunsOn, "the org's, merged")
	assert.Equal(t, "ubuntu-latest", j.Workflows["ci.yml"].Jobs["lint"].RunsOn)
	var oj testJobs
	require.NoError(t, orgRepoOf(t, reg).Section("jobs", &oj))
	assert.Equal(t, 3, oj.Workflows["ci.yml"].Jobs["test"].MaxParallel, "acme/own's 1 did not leak into the org's")

	// The parent's typed config is shared, and never written to.
	plainRepo, _ := reg.Repo("acme/plain")
	orgRepo, _ := reg.Repo("acme/org")
	assert.Same(t, plainRepo.typed["limits"].v, orgRepo.typed["limits"].v, "repos that do not set limits share the org's")
	var ol testLimits
	require.NoError(t, plainRepo.Section("limits", &ol))
	assert.Equal(t, 10, ol.Rate.Capacity)
	assert.Equal(t, 5.0, ol.Rate.RefillPerMinute)
	assert.Equal(t, `"2h"`, string(ol.BuildTimeout))
	team, _ := reg.Repo("acme/team")
	var tl testLimits
	require.NoError(t, team.Section("limits", &tl))
	assert.Equal(t, 5.0, tl.Rate.RefillPerMinute, "acme/own's 2 did not leak into its team")
}

func TestSectionTypeMismatchFallsBack(t *testing.T) {
	reg, err := load(fstest.MapFS{"r.cue": {Data: []byte(sectionsRegistry)}}, "r.cue", testSections)
	require.NoError(t, err)
	rp, _ := reg.Repo("acme/own")
	var m map[string]any
	require.NoError(t, rp.Section("vulnerabilities", &m), "another type decodes through JSON")
	assert.Equal(t, "720h", m["vex_max_age"])
	var bad struct {
		VEXMaxAge int `json:"vex_max_age"`
	}
	require.Error(t, rp.Section("vulnerabilities", &bad))
}

func load(fsys fstest.MapFS, name string, ss []Section) (*Registry, error) {
	srcs, err := readFS(fsys, []string{name})
	if err != nil {
		return nil, err
	}
	return build(srcs, false, loadConfig{sections: ss})
}

func writeFileTest(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }

func orgRepoOf(t *testing.T, reg *Registry) *Repo {
	t.Helper()
	rp, err := reg.Repo("acme/plain")
	require.NoError(t, err)
	return rp
}
