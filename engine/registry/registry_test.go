package registry

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

const fixtures = "../../fixtures/registry"

func loadFixture(t *testing.T, name string) (*Registry, error) {
	t.Helper()
	return LoadPath(filepath.Join(fixtures, name))
}

func mustLoadSrc(t *testing.T, src string) *Registry {
	t.Helper()
	r, err := loadSrc(t, src)
	require.NoError(t, err)
	return r
}

func loadSrc(t *testing.T, src string) (*Registry, error) {
	t.Helper()
	return Load(fstest.MapFS{"reg.cue": {Data: []byte(src)}}, "reg.cue")
}

// problems returns the *Error's problems, failing when err is not one.
func problems(t *testing.T, err error) []Problem {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.ErrorIs(t, err, ErrInvalid)
	require.NotEmpty(t, e.Problems)
	return e.Problems
}

func TestLoadValid(t *testing.T) {
	r, err := loadFixture(t, "valid.cue")
	require.NoError(t, err)
	assert.Equal(t, []string{"acme/app", "acme/site", "acme/tools"}, r.Names())

	tests := []struct {
		name        string
		repo        string
		team        string
		require     []policy.EvidenceKind
		timeout     string
		jobs        float64
		cvss        float64
		resourceMB  float64
		nWaivers    int
		algorithms  []any
		referrersIn string
	}{
		{name: "own settings", repo: "acme/app", require: []policy.EvidenceKind{"checksums", "provenance"},
			timeout: "1h", jobs: 2, cvss: 8.0, resourceMB: 4096, nWaivers: 2},
		{name: "team narrows org", repo: "acme/site", team: "web", require: []policy.EvidenceKind{"checksums", "sbom"},
			timeout: "30m", jobs: 4, cvss: 6.5, resourceMB: 4096},
		{name: "org defaults only", repo: "acme/tools", require: []policy.EvidenceKind{"checksums"},
			timeout: "1h", jobs: 4, cvss: 8.0, resourceMB: 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp, err := r.Repo(tt.repo)
			require.NoError(t, err)
			assert.Equal(t, tt.repo, rp.Name)
			assert.Equal(t, tt.team, rp.Team)
			assert.Equal(t, tt.require, rp.Require)
			assert.Len(t, rp.Waivers, tt.nWaivers)

			var limits struct {
				BuildTimeout    string  `json:"build_timeout"`
				MaxParallelJobs float64 `json:"max_parallel_jobs"`
				ResourceLimitMB float64 `json:"resource_limit_mb"`
			}
			require.NoError(t, rp.Section("limits", &limits))
			assert.Equal(t, tt.timeout, limits.BuildTimeout)
			assert.Equal(t, tt.jobs, limits.MaxParallelJobs)
			assert.Equal(t, tt.resourceMB, limits.ResourceLimitMB)

			vulns := rp.Data["vulnerabilities"].(map[string]any)
			assert.Equal(t, tt.cvss, vulns["cvss_threshold"])
			assert.Equal(t, 0.75, vulns["epss_threshold"])
			assert.Equal(t, "8760h", vulns["vex_max_age"])

			// Defaults of the other sections are filled in.
			assert.Equal(t, []any{"sha256", "sha512"}, rp.Data["checksums"].(map[string]any)["algorithms"])
			assert.Equal(t, "24h", rp.Data["determinism"].(map[string]any)["min_delay"])
			assert.Equal(t, "168h", rp.Data["drill"].(map[string]any)["max_age"])
			assert.Equal(t, true, rp.Data["enabled"])
			assert.Contains(t, rp.Data["referrers"].(map[string]any)["require"], "application/spdx+json")
			// Hidden duration mirrors never reach Rego.
			assert.NotContains(t, limits.BuildTimeout, "ns")
			_, hidden := rp.Data["limits"].(map[string]any)["_build_timeout_ns"]
			assert.False(t, hidden)
		})
	}
}

func TestWaiverExpires(t *testing.T) {
	r, err := loadFixture(t, "valid.cue")
	require.NoError(t, err)
	rp, err := r.Repo("acme/app")
	require.NoError(t, err)
	require.Len(t, rp.Waivers, 2)

	date := rp.Waivers[0]
	assert.Equal(t, "checksums.listed", date.Rule)
	assert.Equal(t, "app.tar.gz", date.Target)
	assert.Equal(t, "release-team", date.Owner)
	// A date is valid through its whole UTC day.
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), date.Expires)
	assert.False(t, date.Expired(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)))
	assert.True(t, date.Expired(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)))

	dt := rp.Waivers[1]
	assert.Equal(t, "", dt.Target)
	assert.Equal(t, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), dt.Expires)
}

func TestParseExpires(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2026-12-31", want: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-02-28", want: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-12-31T10:00:00Z", want: time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)},
		{in: "2026-12-31T10:00:00+02:00", want: time.Date(2026, 12, 31, 8, 0, 0, 0, time.UTC)},
		{in: "2026-13-01", wantErr: true},
		{in: "31/12/2026", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseExpires(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "got %s", got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		// want: each entry must appear in some problem's String().
		want []string
		n    int // the number of problems, 0 = do not check
	}{
		{name: "type error has file:line:col", file: "type_error.cue",
			want: []string{`type_error.cue:4:10: repos."acme/app".limits.max_parallel_jobs: conflicting values "two" and int`}},
		{name: "two errors in one file", file: "two_errors.cue", n: 2,
			want: []string{
				`two_errors.cue:3:25: repos."acme/app".require.1: invalid value "sbomz" (want one of checksums, sbom, vex,`,
				`two_errors.cue:4:10: repos."acme/app".limits.build_timeout: invalid value "soon"`,
			}},
		{name: "loosen above org ceiling", file: "loosen.cue", n: 3,
			want: []string{
				`loosen.cue:8:29: repos."acme/jobs".limits.max_parallel_jobs: invalid value 3 (out of bound <=2)`,
				`loosen.cue:9:29: repos."acme/slow".limits.build_timeout: invalid value 2h0m0s (out of bound <=45m0s)`,
				`loosen.cue:10:37: repos."acme/lax".vulnerabilities.cvss_threshold: invalid value 9.0 (out of bound <=7.0)`,
			}},
		{name: "yaml with negative build_timeout", file: "repositories-bad-timeout.yaml", n: 2,
			want: []string{
				`repositories-bad-timeout.yaml:16:22: repos."jguida941/ci-cd-hub".limits.build_timeout`,
				`repositories-bad-timeout.yaml:51:22: repos."jguida941/contact-service-junit".limits.build_timeout`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFixture(t, tt.file)
			ps := problems(t, err)
			var lines []string
			for _, p := range ps {
				lines = append(lines, p.String())
			}
			all := strings.Join(lines, "\n")
			for _, w := range tt.want {
				assert.Contains(t, all, w)
			}
			if tt.n > 0 {
				assert.Len(t, ps, tt.n, all)
			}
			// The error's text lists every problem.
			for _, l := range lines {
				assert.Contains(t, err.Error(), l)
			}
		})
	}
}

func TestTighten(t *testing.T) {
	const org = `
org: {
	require: ["checksums", "sbom"]
	checksums: algorithms: ["sha256", "sha512"]
	limits: {build_timeout: "45m", max_parallel_jobs: 4, resource_limit_mb: 2048, rate: {capacity: 10, refill_per_minute: 2}}
	vulnerabilities: {cvss_threshold: 7.0, epss_threshold: 0.5, under_investigation: "fail", vex_max_age: "720h"}
	licenses: deny: ["AGPL-3.0-only"]
	provenance: builders: ["https://github.com/acme/builder@v1"]
	egress: {allow: ["*.github.com", "pypi.org"], blocked_attempts: "fail"}
	determinism: {min_delay: "24h", ignore: ["*.log"]}
	drill: {max_age: "72h", max_rpo: "24h", max_rto: "5m", require_signed: true}
	egress: require_signed: true
}
teams: strict: {limits: max_parallel_jobs: 2}
`
	tests := []struct {
		name    string
		repo    string
		wantErr string // "" = valid
	}{
		{name: "lower limits", repo: `limits: {build_timeout: "30m", max_parallel_jobs: 1, resource_limit_mb: 1024}`},
		{name: "equal limits", repo: `limits: {build_timeout: "45m", max_parallel_jobs: 4}`},
		{name: "lower thresholds", repo: `vulnerabilities: {cvss_threshold: 4.0, epss_threshold: 0.1, vex_max_age: "24h"}`},
		{name: "more required kinds", repo: `require: ["checksums", "sbom", "provenance"]`},
		{name: "more denied licenses", repo: `licenses: deny: ["AGPL-3.0-only", "GPL-3.0-only"]`},
		{name: "narrower algorithms", repo: `checksums: algorithms: ["sha512"]`},
		{name: "host under wildcard", repo: `egress: allow: ["api.github.com", "a.b.github.com", "pypi.org"]`},
		{name: "longer min_delay", repo: `determinism: {min_delay: "48h", ignore: []}`},
		{name: "shorter drill age", repo: `drill: max_age: "24h"`},
		{name: "tighter drill limits", repo: `drill: {max_rpo: "1h", max_rto: "30s", require_signed: true}`},
		{name: "slower rate", repo: `limits: rate: {capacity: 5, refill_per_minute: 1}`},
		{name: "team lowers, repo in team", repo: `team: "strict", limits: max_parallel_jobs: 1`},

		{name: "more jobs", repo: `limits: max_parallel_jobs: 5`, wantErr: "limits.max_parallel_jobs: invalid value 5 (out of bound <=4)"},
		{name: "more jobs than team", repo: `team: "strict", limits: max_parallel_jobs: 3`, wantErr: "out of bound <=2"},
		{name: "longer timeout", repo: `limits: build_timeout: "46m"`, wantErr: "limits.build_timeout: invalid value 46m0s (out of bound <=45m0s)"},
		{name: "more memory", repo: `limits: resource_limit_mb: 4096`, wantErr: "limits.resource_limit_mb"},
		{name: "higher cvss", repo: `vulnerabilities: cvss_threshold: 7.5`, wantErr: "vulnerabilities.cvss_threshold"},
		{name: "higher epss", repo: `vulnerabilities: epss_threshold: 0.9`, wantErr: "vulnerabilities.epss_threshold"},
		{name: "warn under investigation", repo: `vulnerabilities: under_investigation: "warn"`, wantErr: "vulnerabilities.under_investigation"},
		{name: "longer vex age", repo: `vulnerabilities: vex_max_age: "8760h"`, wantErr: "vulnerabilities.vex_max_age"},
		{name: "dropped required kind", repo: `require: ["checksums"]`, wantErr: `does not satisfy list.Contains("sbom")`},
		{name: "dropped denied license", repo: `licenses: deny: []`, wantErr: "licenses.deny"},
		{name: "other algorithm", repo: `checksums: algorithms: ["md5"]`, wantErr: "checksums.algorithms"},
		{name: "untrusted builder", repo: `provenance: builders: ["https://evil.example/builder"]`, wantErr: "provenance.builders"},
		{name: "host outside allow", repo: `egress: allow: ["evil.example"]`, wantErr: "egress.allow"},
		{name: "wildcard suffix itself", repo: `egress: allow: ["github.com"]`, wantErr: "egress.allow"},
		{name: "warn blocked attempts", repo: `egress: blocked_attempts: "warn"`, wantErr: "egress.blocked_attempts"},
		{name: "shorter min_delay", repo: `determinism: min_delay: "1h"`, wantErr: "determinism.min_delay"},
		{name: "own ignore glob", repo: `determinism: ignore: ["*.bin"]`, wantErr: "determinism.ignore"},
		{name: "longer drill age", repo: `drill: max_age: "168h"`, wantErr: "drill.max_age"},
		{name: "looser drill rpo", repo: `drill: max_rpo: "8760h"`, wantErr: "drill.max_rpo"},
		{name: "looser drill rto", repo: `drill: max_rto: "1h"`, wantErr: "drill.max_rto"},
		{name: "unsigned drill evidence", repo: `drill: require_signed: false`, wantErr: "drill.require_signed"},
		{name: "unsigned egress evidence", repo: `egress: require_signed: false`, wantErr: "egress.require_signed"},
		{name: "admission is not per repo", repo: `admission: default_mode: "audit"`, wantErr: "admission"},
		{name: "faster rate", repo: `limits: rate: capacity: 20`, wantErr: "limits.rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadSrc(t, org+`repos: "acme/app": {`+tt.repo+"}\n")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			ps := problems(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			for _, p := range ps {
				assert.Equal(t, "reg.cue", p.File, p.String())
				assert.Positive(t, p.Line, p.String())
			}
		})
	}
}

func TestTeamTightensOrg(t *testing.T) {
	_, err := loadSrc(t, `
org: limits: max_parallel_jobs: 2
teams: web: limits: max_parallel_jobs: 3
repos: "acme/app": team: "web"
`)
	problems(t, err)
	assert.Contains(t, err.Error(), `teams.web.limits.max_parallel_jobs`)

	_, err = loadSrc(t, `repos: "acme/app": team: "nope"`)
	problems(t, err)
	assert.Contains(t, err.Error(), `nope`)
}

func TestLoadSchemaErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{name: "repo name not owner/name", src: `repos: "app": {}`, want: `field not allowed`},
		{name: "unknown top-level field", src: `repoz: "acme/app": {}`, want: `repoz`},
		{name: "unknown section field", src: `repos: "acme/app": limits: max_jobs: 2`, want: `max_jobs`},
		{name: "unknown kind", src: `repos: "acme/app": require: ["checksums", "nope"]`, want: `require.1`},
		{name: "duplicate kind", src: `repos: "acme/app": require: ["checksums", "checksums"]`, want: `require`},
		{name: "zero timeout", src: `org: limits: build_timeout: "0s"`, want: `build_timeout`},
		{name: "day unit", src: `org: drill: max_age: "7d"`, want: `drill.max_age`},
		{name: "bad waiver expires", src: `repos: "acme/app": waivers: [{rule: "a.b", reason: "r", owner: "o", expires: "soon"}]`, want: `expires`},
		{name: "waiver without owner", src: `repos: "acme/app": waivers: [{rule: "a.b", reason: "r", expires: "2026-01-01"}]`, want: `owner`},
		{name: "cvss over 10", src: `org: vulnerabilities: cvss_threshold: 11`, want: `cvss_threshold`},
		{name: "bad key", src: `org: provenance: keys: ["not a key"]`, want: `provenance.keys`},
		{name: "syntax error", src: `repos: "acme/app": {`, want: `reg.cue:1:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadSrc(t, tt.src)
			problems(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestMinimal(t *testing.T) {
	r, err := loadFixture(t, "minimal.cue")
	require.NoError(t, err)
	assert.Equal(t, []string{"acme/app"}, r.Names())
	rp, err := r.Repo("acme/app")
	require.NoError(t, err)
	assert.Equal(t, []policy.EvidenceKind{policy.KindChecksums}, rp.Require)
	assert.Empty(t, rp.Waivers)
	assert.Equal(t, "60m", rp.Data["limits"].(map[string]any)["build_timeout"])
	assert.Equal(t, float64(5), rp.Data["limits"].(map[string]any)["max_parallel_jobs"])
}

func TestUnknownRepo(t *testing.T) {
	r := mustLoadSrc(t, `repos: "acme/app": {}`)
	_, err := r.Repo("acme/other")
	require.ErrorIs(t, err, ErrUnknownRepo)
	assert.Contains(t, err.Error(), `"acme/other"`)
}

func TestDefault(t *testing.T) {
	r, err := LoadDefault()
	require.NoError(t, err)
	assert.Equal(t, []string{
		"jguida941/ci-cd-bst-demo-github-actions",
		"jguida941/ci-cd-hub",
		"jguida941/contact-service-junit",
		"jguida941/learn-caesar-cipher",
	}, r.Names())
	for _, n := range r.Names() {
		rp, err := r.Repo(n)
		require.NoError(t, err)
		assert.Contains(t, rp.Require, policy.KindChecksums, n)
	}
	r2, err := Load(nil)
	require.NoError(t, err)
	assert.Equal(t, r.Digest(), r2.Digest())
}

// hubRepos is what the hub's repositories.yaml says, per repo.
var hubRepos = []struct {
	name, timeout, scope string
	jobs, mb             float64
	egress               []any
}{
	{name: "jguida941/ci-cd-hub", timeout: "45m", jobs: 5,
		egress: []any{"github.com", "api.github.com", "ghcr.io"}},
	{name: "jguida941/learn-caesar-cipher", timeout: "30m", jobs: 2, mb: 2048, scope: "caesar-cipher",
		egress: []any{"github.com", "api.github.com", "npm.mirror.example", "objects.githubusercontent.com"}},
	{name: "jguida941/contact-service-junit", timeout: "45m", jobs: 5, scope: "contact-service",
		egress: []any{"github.com", "api.github.com", "objects.githubusercontent.com"}},
	{name: "jguida941/ci-cd-bst-demo-github-actions", timeout: "30m", jobs: 5, scope: "bst-demo",
		egress: []any{"github.com", "api.github.com", "pymirror.example", "files.pymirror.example"}},
}

func TestHubYAML(t *testing.T) {
	yamlReg, err := loadFixture(t, "repositories.yaml")
	require.NoError(t, err)
	def, err := LoadDefault()
	require.NoError(t, err)

	f, err := os.Open(filepath.Join(fixtures, "repositories.yaml"))
	require.NoError(t, err)
	defer f.Close()
	out, err := Import(f, "repositories.yaml")
	require.NoError(t, err)
	imported, err := Load(fstest.MapFS{"hub.cue": {Data: out}}, "hub.cue")
	require.NoError(t, err, string(out))

	for name, r := range map[string]*Registry{"yaml": yamlReg, "imported": imported, "default": def} {
		for _, want := range hubRepos {
			t.Run(name+"/"+want.name, func(t *testing.T) {
				rp, err := r.Repo(want.name)
				require.NoError(t, err)
				limits := rp.Data["limits"].(map[string]any)
				assert.Equal(t, want.timeout, limits["build_timeout"])
				assert.Equal(t, want.jobs, limits["max_parallel_jobs"])
				if want.mb > 0 {
					assert.Equal(t, want.mb, limits["resource_limit_mb"])
				} else {
					assert.NotContains(t, limits, "resource_limit_mb")
				}
				if want.scope != "" {
					assert.Equal(t, want.scope, limits["secret_scope"])
				} else {
					assert.NotContains(t, limits, "secret_scope")
				}
				assert.Equal(t, want.egress, rp.Data["egress"].(map[string]any)["allow"])
				assert.Equal(t, true, rp.Data["enabled"])
				assert.Equal(t, []policy.EvidenceKind{policy.KindChecksums}, rp.Require)
				assert.NotEmpty(t, rp.Data["ci"].(map[string]any)["language"])
			})
		}
	}
}

func TestImport(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    []string
		wantErr string
	}{
		{name: "bare minutes", yaml: "repositories:\n  - {name: a, owner: o, settings: {build_timeout: 30}}\n",
			want: []string{`build_timeout: "30m"`}},
		{name: "quoted minutes", yaml: "repositories:\n  - {name: a, owner: o, settings: {build_timeout: \"30\"}}\n",
			want: []string{`build_timeout: "30m"`}},
		{name: "hours", yaml: "repositories:\n  - {name: a, owner: o, settings: {build_timeout: 1h}}\n",
			want: []string{`build_timeout: "1h"`}},
		{name: "disabled kept", yaml: "repositories:\n  - {name: a, owner: o, enabled: false}\n",
			want: []string{`"o/a"`, `enabled: false`}},
		{name: "typed fields", yaml: "repositories:\n  - name: a\n    owner: o\n    settings:\n      max_parallel_jobs: 3\n      resource_limit_mb: 512\n      secret_scope: s1\n      allowed_egress: [x.example]\n      language: go\n",
			want: []string{`max_parallel_jobs: 3`, `resource_limit_mb: 512`, `secret_scope:      "s1"`, `egress: allow: ["x.example"]`, `language: "go"`}},
		{name: "negative timeout", yaml: "repositories:\n  - name: a\n    owner: o\n    settings:\n      build_timeout: -5m\n",
			wantErr: `in.yaml:5:22: repos."o/a".limits.build_timeout`},
		{name: "jobs as string", yaml: "repositories:\n  - name: a\n    owner: o\n    settings:\n      max_parallel_jobs: two\n",
			wantErr: `in.yaml:5:26: repos."o/a".limits.max_parallel_jobs`},
		{name: "unknown repo field", yaml: "repositories:\n  - {name: a, owner: o, color: red}\n",
			wantErr: `unknown field "color"`},
		{name: "missing owner", yaml: "repositories:\n  - {name: a}\n",
			wantErr: `want name and owner`},
		{name: "duplicate", yaml: "repositories:\n  - {name: a, owner: o}\n  - {name: a, owner: o}\n",
			wantErr: `o/a is listed twice`},
		{name: "not yaml", yaml: "repositories: [\n", wantErr: `in.yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Import(strings.NewReader(tt.yaml), "in.yaml")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, string(out), w)
			}
			_, err = Load(fstest.MapFS{"x.cue": {Data: out}}, "x.cue")
			require.NoError(t, err, string(out))
		})
	}
}

func TestLoadFormats(t *testing.T) {
	fsys := fstest.MapFS{
		"dir/a.cue":     {Data: []byte(`repos: "acme/a": {}`)},
		"dir/b.json":    {Data: []byte(`{"repos": {"acme/b": {"limits": {"max_parallel_jobs": 1}}}}`)},
		"dir/c.yaml":    {Data: []byte("repos:\n  acme/c:\n    require: [checksums, sbom]\n")},
		"dir/d.txt":     {Data: []byte("ignored")},
		"dir/sub/e.cue": {Data: []byte(`this is not read`)},
		"bad.json":      {Data: []byte(`{"repos": {"acme/b": {"limits": {"max_parallel_jobs": "x"}}}}`)},
		"empty/x.txt":   {Data: []byte("")},
	}
	r, err := Load(fsys, "dir")
	require.NoError(t, err)
	assert.Equal(t, []string{"acme/a", "acme/b", "acme/c"}, r.Names())
	c, err := r.Repo("acme/c")
	require.NoError(t, err)
	assert.Equal(t, []policy.EvidenceKind{"checksums", "sbom"}, c.Require)

	_, err = Load(fsys, "bad.json")
	problems(t, err)
	assert.Contains(t, err.Error(), "bad.json:1:")

	_, err = Load(fsys, "empty")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrInvalid)

	_, err = Load(fsys, "missing.cue")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrInvalid)

	big := bytes.Repeat([]byte(" "), maxFileSize+1)
	_, err = Load(fstest.MapFS{"big.cue": {Data: big}}, "big.cue")
	require.Error(t, err)
	assert.True(t, errors.Is(err, errTooLarge))
}

func TestDigest(t *testing.T) {
	a1 := mustLoadSrc(t, `repos: "acme/app": {}`)
	a2 := mustLoadSrc(t, `repos: "acme/app": {}`)
	b := mustLoadSrc(t, `repos: "acme/app": {limits: max_parallel_jobs: 1}`)
	def, err := LoadDefault()
	require.NoError(t, err)

	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, a1.Digest())
	assert.Equal(t, a1.Digest(), a2.Digest(), "stable")
	assert.NotEqual(t, a1.Digest(), b.Digest(), "changes with a source")
	assert.NotEqual(t, a1.Digest(), def.Digest())

	// The order files are given in does not matter; their content does.
	fsys := fstest.MapFS{
		"x.cue": {Data: []byte(`repos: "acme/x": {}`)},
		"y.cue": {Data: []byte(`repos: "acme/y": {}`)},
	}
	xy, err := Load(fsys, "x.cue", "y.cue")
	require.NoError(t, err)
	yx, err := Load(fsys, "y.cue", "x.cue")
	require.NoError(t, err)
	assert.Equal(t, xy.Digest(), yx.Digest())
}

func TestSchema(t *testing.T) {
	s := Schema()
	for _, w := range []string{"// cue/schema.cue", "// cue/section_core.cue", "#Registry", "cvss_threshold", "package hub"} {
		assert.Contains(t, s, w)
	}
	assert.NotContains(t, s, "jguida941", "the hub's repos are not schema")
}

func TestNamesIsACopy(t *testing.T) {
	r := mustLoadSrc(t, `repos: "acme/a": {}, repos: "acme/b": {}`)
	n := r.Names()
	n[0] = "changed"
	assert.Equal(t, []string{"acme/a", "acme/b"}, r.Names())
}

func TestConcurrentLoadAndRead(t *testing.T) {
	r, err := loadFixture(t, "valid.cue")
	require.NoError(t, err)
	const workers = 8
	errs := make(chan error, workers*2)
	for i := 0; i < workers; i++ {
		go func() {
			_, err := LoadDefault()
			errs <- err
		}()
		go func() {
			for _, n := range r.Names() {
				rp, err := r.Repo(n)
				if err != nil {
					errs <- err
					return
				}
				var v struct {
					CVSS float64 `json:"cvss_threshold"`
				}
				if err := rp.Section("vulnerabilities", &v); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < workers*2; i++ {
		require.NoError(t, <-errs)
	}
}

func TestOverlayLeavesParentAlone(t *testing.T) {
	r := mustLoadSrc(t, `
repos: "acme/a": {limits: max_parallel_jobs: 1, egress: allow: ["x.example"]}
repos: "acme/b": {}
`)
	a, err := r.Repo("acme/a")
	require.NoError(t, err)
	b, err := r.Repo("acme/b")
	require.NoError(t, err)
	assert.Equal(t, float64(1), a.Data["limits"].(map[string]any)["max_parallel_jobs"])
	assert.Equal(t, "60m", a.Data["limits"].(map[string]any)["build_timeout"], "merged field by field")
	assert.Equal(t, float64(5), b.Data["limits"].(map[string]any)["max_parallel_jobs"], "sibling untouched")
	assert.Equal(t, []any{}, b.Data["egress"].(map[string]any)["allow"])
	assert.Equal(t, []any{"x.example"}, a.Data["egress"].(map[string]any)["allow"])
}
