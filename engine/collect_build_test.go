package engine

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/blake3"

	"github.com/cicd-hub/hubgate/engine/evidence/cache"
	"github.com/cicd-hub/hubgate/engine/evidence/determinism"
	"github.com/cicd-hub/hubgate/engine/evidence/drill"
	"github.com/cicd-hub/hubgate/engine/evidence/egress"
	evidencebundle "github.com/cicd-hub/hubgate/engine/evidence/evidence_bundle"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/engine/evidence/workflow"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// Collector tests of the build-time kinds: egress, determinism, cache,
// drill and workflow.

func buildEnv(t *testing.T, data map[string]any) *Env {
	t.Helper()
	return cueEnv(t, data)
}

// rawEnv is an Env whose registry entry is data as given, not resolved
// through the schema: no defaults, and values the schema would refuse.
func rawEnv(t *testing.T, data map[string]any) *Env {
	t.Helper()
	return &Env{Repo: "acme/app", Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
		Config: &registry.Repo{Name: "acme/app", Data: data}}
}

// afterSigning is an evaluation time after trusttest's signatures, which
// are made at the wall clock plus five minutes: a signature made after the
// evaluation time is refused.
// cueEnv is buildEnv with the repo's entry resolved through the registry's
// schema and org defaults, as the engine resolves it: the defaults a
// collector sees are CUE's alone.
func cueEnv(t *testing.T, data map[string]any) *Env {
	t.Helper()
	b, err := json.Marshal(data)
	require.NoError(t, err)
	reg, err := registry.Load(fstest.MapFS{"registry.cue": {Data: []byte(`repos: "acme/app": ` + string(b) + "\n")}}, "registry.cue")
	require.NoError(t, err)
	repo, err := reg.Repo("acme/app")
	require.NoError(t, err)
	env := rawEnv(t, nil)
	env.Config = repo
	return env
}

func afterSigning() time.Time { return time.Now().UTC().Add(time.Hour) }

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func problemPaths(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Evidence+"#"+p.Path)
	}
	return out
}

func TestCollectEgress(t *testing.T) {
	dir := t.TempDir()
	report := writeTemp(t, dir, "egress-report.json", `{"attempts":[{"host":"evilgithub.com","port":443,"allowed":true},{"host":"canary.example.org","port":443,"allowed":false}]}`)
	tests := []struct {
		name     string
		data     map[string]any
		items    []Item
		problems []string
		mode     string
		matched  map[string]string
		raw      bool
	}{
		{
			name:  "acceptance evilgithub",
			data:  map[string]any{"egress": map[string]any{"allow": []any{"*.github.com", "github.com"}, "canary": "canary.example.org"}},
			items: []Item{{Kind: policy.KindEgress, Path: report}}, problems: []string{}, mode: "warn",
			matched: map[string]string{"evilgithub.com": "", "canary.example.org": ""},
		},
		{
			name:     "bad registry entries are problems and never match",
			data:     map[string]any{"egress": map[string]any{"allow": []any{"*.com", "github.com"}, "blocked_attempts": "maybe"}},
			items:    []Item{{Kind: policy.KindEgress, Path: report}},
			problems: []string{"registry#egress.blocked_attempts", "registry#egress.allow"}, mode: "fail",
			matched: map[string]string{"evilgithub.com": ""}, raw: true, // the schema would refuse "maybe"
		},
		{
			name:     "unreadable file",
			data:     map[string]any{},
			items:    []Item{{Kind: policy.KindEgress, Path: filepath.Join(dir, "nope.json")}},
			problems: []string{filepath.Join(dir, "nope.json") + "#"}, mode: "warn",
		},
		{name: "absent", data: map[string]any{}, problems: []string{}, mode: "warn"},
		{
			// Go repeats no CUE default: an egress section that did not come
			// through the schema and names no outcome fails closed.
			name: "no outcome outside the registry", data: nil, raw: true,
			items:    []Item{{Kind: policy.KindEgress, Path: report}},
			problems: []string{"registry#egress.blocked_attempts"}, mode: "fail",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var env *Env
			if tt.raw {
				env = rawEnv(t, tt.data)
			} else {
				env = buildEnv(t, tt.data)
			}
			out := egress.Collect(context.Background(), env, tt.items).(*egress.Facts)
			assert.Equal(t, len(tt.items) > 0, out.Present)
			assert.Equal(t, tt.problems, problemPaths(out.Problems))
			assert.Equal(t, tt.mode, out.BlockedMode)
			for _, h := range out.Hosts {
				if want, ok := tt.matched[h.Host]; ok {
					assert.Equal(t, want, h.Match, h.Host)
				}
			}
			b, err := json.Marshal(out)
			require.NoError(t, err)
			for _, k := range []string{`"present"`, `"problems"`, `"hosts"`, `"canary"`, `"blocked_mode"`} {
				assert.Contains(t, string(b), k)
			}
		})
	}
}

func TestCollectDeterminism(t *testing.T) {
	dir := t.TempDir()
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	orig := writeTemp(t, dir, "orig.sha256", a+"  dist/app\n")
	same := writeTemp(t, dir, "same.sha256", a+"  ./dist/app\n")
	diff := writeTemp(t, dir, "diff.sha256", b+"  dist/app\nnot a checksum line\n")
	rep := writeTemp(t, dir, "report.json", `{"timestamp":"2026-11-27T10:00:00Z","delay_hours":30,"deterministic":true}`)
	it := func(role, path, value string) Item {
		return Item{Kind: policy.KindDeterminism, Role: role, Path: path, Value: value}
	}
	tests := []struct {
		name     string
		data     map[string]any
		items    []Item
		problems []string
		compared bool
		equal    int
		differs  int
		delay    int64
		minDelay int64
		raw      bool
	}{
		{
			name:     "equal 25h apart",
			items:    []Item{it("original", orig, ""), it("rebuild", same, ""), it("original-time", "", "2026-11-26T08:00:00Z"), it("rebuild-time", "", "2026-11-27T09:00:00Z")},
			problems: []string{}, compared: true, equal: 1, delay: 25 * 3600, minDelay: 86400,
		},
		{
			name:     "differs, malformed line, delay from the report, registry min_delay",
			data:     map[string]any{"determinism": map[string]any{"min_delay": "48h"}},
			items:    []Item{it("original", orig, ""), it("rebuild", diff, ""), it("report", rep, "")},
			problems: []string{diff + "#"}, compared: true, differs: 1, delay: 30 * 3600, minDelay: 2 * 86400,
		},
		{
			name:     "one list only",
			items:    []Item{it("original", orig, "")},
			problems: []string{"determinism#"}, minDelay: 86400,
		},
		{
			name:  "bad time flag and bad registry",
			data:  map[string]any{"determinism": map[string]any{"min_delay": "soon", "ignore": []any{"a/[/b"}}},
			items: []Item{it("original", orig, ""), it("rebuild", same, ""), it("rebuild-time", "", "tomorrow")},
			// The schema would refuse these; outside it a bad min_delay is a
			// problem and no Go default stands in for it.
			problems: []string{"registry#determinism.min_delay", "registry#determinism.ignore", "--determinism-rebuild-time#"}, compared: true, equal: 1, minDelay: 0, raw: true,
		},
		{
			name:     "no min_delay outside the registry",
			data:     map[string]any{"determinism": map[string]any{}},
			items:    []Item{it("original", orig, ""), it("rebuild", same, "")},
			problems: []string{"registry#determinism.min_delay"}, compared: true, equal: 1, minDelay: 0, raw: true,
		},
		{
			name:     "previous decision unreadable",
			items:    []Item{it("original", orig, ""), it("rebuild", same, ""), it("previous", rep, "")},
			problems: []string{rep + "#"}, compared: true, equal: 1, minDelay: 86400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.data == nil {
				tt.data = map[string]any{}
			}
			env := buildEnv
			if tt.raw {
				env = rawEnv
			}
			out := determinism.Collect(context.Background(), env(t, tt.data), tt.items).(*determinism.Facts)
			assert.Equal(t, tt.problems, problemPaths(out.Problems))
			assert.Equal(t, tt.compared, out.Compared)
			assert.Equal(t, tt.equal, out.Equal)
			assert.Len(t, out.Differs, tt.differs)
			assert.Equal(t, tt.delay, out.Delay.Seconds)
			assert.Equal(t, tt.minDelay, out.MinDelaySeconds)
		})
	}
}

func b3hex(s string) string {
	h := blake3.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestCollectCache(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	rootPath := writeTemp(t, dir, "trusted_root.json", string(ss.RootJSON))
	manifest := `{"version":1,"cache_dir":"c","entry_count":1,"algorithm":"blake3","entries":[{"path":"a/x.whl","size":5,"blake3":"` + b3hex("wheel") + `"}]}`
	mPath := writeTemp(t, dir, "cache-manifest.json", manifest)
	own := "https://github.com/acme/app/.github/workflows/cache.yml@refs/heads/main"
	sig := writeTemp(t, dir, "own.sigstore.json", string(ss.MessageBundle(t, own, trust.GitHubActionsIssuer, []byte(manifest), trusttest.BundleOptions{})))
	foreign := writeTemp(t, dir, "foreign.sigstore.json", string(ss.MessageBundle(t, "https://github.com/evil/app/.github/workflows/cache.yml@refs/heads/main", trust.GitHubActionsIssuer, []byte(manifest), trusttest.BundleOptions{})))
	clean := filepath.Join(dir, "clean")
	writeTemp(t, clean, "a/x.whl", "wheel")
	dirty := filepath.Join(dir, "dirty")
	writeTemp(t, dirty, "a/x.whl", "wheel")
	writeTemp(t, dirty, "a/extra.py", "evil")
	it := func(role, path string) Item { return Item{Kind: policy.KindCache, Role: role, Path: path} }
	tests := []struct {
		name       string
		items      []Item
		problems   []string
		verified   bool
		identityOK bool
		unlisted   int
		checked    bool
	}{
		{name: "signed and clean", items: []Item{it("manifest", mPath), it("signature", sig), it("dir", clean)}, problems: []string{}, verified: true, identityOK: true, checked: true},
		{name: "one extra unlisted file", items: []Item{it("manifest", mPath), it("signature", sig), it("dir", dirty)}, problems: []string{}, verified: true, identityOK: true, checked: true, unlisted: 1},
		{name: "foreign identity", items: []Item{it("manifest", mPath), it("signature", foreign), it("dir", clean)}, problems: []string{}, verified: true, checked: true},
		{name: "no signature", items: []Item{it("manifest", mPath), it("dir", clean)}, problems: []string{}, checked: true},
		{name: "no dir", items: []Item{it("manifest", mPath), it("signature", sig)}, problems: []string{"cache#"}, verified: true, identityOK: true},
		{name: "missing dir", items: []Item{it("manifest", mPath), it("signature", sig), it("dir", filepath.Join(dir, "nope"))}, problems: []string{filepath.Join(dir, "nope") + "#"}, verified: true, identityOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := buildEnv(t, map[string]any{})
			env.TrustedRoot = rootPath
			env.Now = afterSigning()
			out := cache.Collect(context.Background(), env, tt.items).(*cache.Facts)
			assert.Equal(t, tt.problems, problemPaths(out.Problems))
			assert.Equal(t, tt.verified, out.Signature.Verified, out.Signature.Error)
			if tt.identityOK {
				// The signer and its Fulcio claims reach the facts;
				// rego/cache.rego judges them.
				assert.Equal(t, own, out.Signature.SAN)
				assert.Equal(t, "https://github.com/acme/app", out.Signature.Claims.SourceRepositoryURI)
			}
			assert.Equal(t, tt.checked, out.Checked)
			assert.Len(t, out.Unlisted, tt.unlisted)
		})
	}
}

func TestCollectDrill(t *testing.T) {
	manifest := filepath.Join("..", "fixtures", "drill", "data", "dr", "manifest.json")
	report := filepath.Join("..", "fixtures", "drill", "artifacts", "dr", "dr-report.json")
	dir := t.TempDir()
	escape := writeTemp(t, dir, "dr/manifest.json", `{"backup":{"path":"../secret","sha256":"sha256:`+strings.Repeat("a", 64)+`","captured_at":"2025-01-15T12:00:00Z"},"policies":{"max_rpo_minutes":1,"max_rto_seconds":1}}`)
	writeTemp(t, dir, "secret", "x")
	it := func(role, path string) Item { return Item{Kind: policy.KindDrill, Role: role, Path: path} }
	tests := []struct {
		name     string
		now      time.Time
		items    []Item
		problems []string
		rpo      float64
		match    bool
		reports  int
		same     bool
	}{
		{name: "a year after captured_at", now: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), items: []Item{it("manifest", manifest), it("report", report)}, problems: []string{}, rpo: 525600, match: true, reports: 1, same: true},
		{name: "report from the future", now: time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC), items: []Item{it("manifest", manifest), it("report", report)}, problems: []string{report + "#ended_at"}, rpo: 7200, match: true},
		{name: "backup path escapes", now: time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC), items: []Item{it("manifest", escape)}, problems: []string{escape + "#backup.path"}, rpo: 7200},
		{name: "report only", now: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), items: []Item{it("report", report)}, problems: []string{"drill#"}, reports: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := buildEnv(t, map[string]any{})
			env.Now = tt.now
			out := drill.Collect(context.Background(), env, tt.items).(*drill.Facts)
			assert.Equal(t, tt.problems, problemPaths(out.Problems))
			assert.InDelta(t, tt.rpo, out.RPOMinutes, 0.001)
			assert.Equal(t, tt.match, out.Backup != nil && out.Backup.Match)
			require.Len(t, out.Reports, tt.reports)
			if tt.reports > 0 {
				assert.Equal(t, tt.same, out.Reports[0].SameBackup)
			}
			assert.Equal(t, int64(7*24*3600), out.MaxAgeSeconds)
		})
	}
}

func TestCollectWorkflow(t *testing.T) {
	empty := t.TempDir()
	bad := t.TempDir()
	writeTemp(t, bad, "broken.yml", "on: [\n")
	tests := []struct {
		name     string
		path     string
		problems int
		pinned   []bool
	}{
		{name: "pinned", path: filepath.Join("..", "fixtures", "workflows", "pinned"), pinned: []bool{true}},
		{name: "unpinned", path: filepath.Join("..", "fixtures", "workflows", "unpinned"), pinned: []bool{false}},
		{name: "empty dir", path: empty, problems: 1, pinned: []bool{}},
		{name: "broken yaml", path: bad, problems: 1, pinned: []bool{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := buildEnv(t, map[string]any{})
			out := workflow.Collect(context.Background(), env, []Item{{Kind: policy.KindWorkflow, Role: "dir", Path: tt.path}}).(*workflow.Facts)
			assert.Len(t, out.Problems, tt.problems)
			var got []bool
			got = []bool{}
			for _, u := range out.Uses {
				got = append(got, u.Pinned)
				assert.Equal(t, 9, u.Line)
			}
			assert.Equal(t, tt.pinned, got)
		})
	}
}

// TestEvaluateSignedCache runs the whole engine over a cache whose manifest
// is signed keylessly by the repository's own workflow (minted now, against
// a virtual sigstore), then by another repository's: the facts' field names
// and the hub.cache rules must agree for the first to pass and the second
// to fail.
func TestEvaluateSignedCache(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	rootPath := writeTemp(t, dir, "trusted_root.json", string(ss.RootJSON))
	reg := writeTemp(t, dir, "registry.cue", `repos: "acme/app": {require: ["checksums", "cache"]}`+"\n")
	// The registry's identities decide for the cache kind too.
	regIDs := writeTemp(t, dir, "registry-ids.cue", `repos: "acme/app": {require: ["checksums", "cache"], provenance: identities: [{
	issuer: "https://token\\.actions\\.githubusercontent\\.com"
	subject: "https://github\\.com/acme/app/\\.github/workflows/cache\\.yml@refs/heads/main"
	source_repository_uri: "https://github\\.com/acme/app"
}]}`+"\n")
	app := writeTemp(t, dir, "app.tar.gz", "app\n")
	sums := writeTemp(t, dir, "SHA256SUMS", "6aa8a0ae7b6e2c6f8dbfc6c3b1a6c3d4d0c5e0d7f1b0e6c8d2a1b0c9d8e7f6a5  app.tar.gz\n")
	manifest := `{"version":1,"cache_dir":"c","entry_count":1,"algorithm":"blake3","entries":[{"path":"x.whl","size":5,"blake3":"` + b3hex("wheel") + `"}]}`
	mPath := writeTemp(t, dir, "cache-manifest.json", manifest)
	cdir := filepath.Join(dir, "cache")
	writeTemp(t, cdir, "x.whl", "wheel")
	engines := map[string]*Engine{}
	for name, p := range map[string]string{"default": reg, "ids": regIDs} {
		e, err := New(context.Background(), WithRegistryPath(p))
		require.NoError(t, err)
		engines[name] = e
	}
	gh := trust.GitHubActionsIssuer
	release := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
	foreignCaller := trusttest.GitHubCert(release, gh)
	foreignCaller.Extensions.SourceRepositoryURI = "https://github.com/evil/caller"
	foreignCaller.Extensions.SourceRepositoryRef = "refs/heads/main"
	tests := []struct {
		name     string
		registry string
		cert     trusttest.Cert
		allowed  bool
		rules    []string
	}{
		{name: "release workflow at a tag", registry: "default", cert: trusttest.GitHubCert(release, gh), allowed: true, rules: []string{}},
		{name: "another repo", registry: "default", cert: trusttest.GitHubCert("https://github.com/acme/app2/.github/workflows/release.yml@refs/tags/v1.2.3", gh), rules: []string{"cache.signature"}},
		{name: "pr.yml", registry: "default", cert: trusttest.GitHubCert("https://github.com/acme/app/.github/workflows/pr.yml@refs/tags/v1.2.3", gh), rules: []string{"cache.signature"}},
		{name: "release.yml at a branch", registry: "default", cert: trusttest.GitHubCert("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/evil", gh), rules: []string{"cache.signature"}},
		{name: "reusable release workflow called from another repo", registry: "default", cert: foreignCaller, rules: []string{"cache.signature"}},
		{name: "cache workflow on main, no registry identity", registry: "default", cert: trusttest.GitHubCert("https://github.com/acme/app/.github/workflows/cache.yml@refs/heads/main", gh), rules: []string{"cache.signature"}},
		{name: "cache workflow on main, registry identity", registry: "ids", cert: trusttest.GitHubCert("https://github.com/acme/app/.github/workflows/cache.yml@refs/heads/main", gh), allowed: true, rules: []string{}},
		{name: "release workflow, registry identity names another", registry: "ids", cert: trusttest.GitHubCert(release, gh), rules: []string{"cache.signature"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := writeTemp(t, t.TempDir(), "cache.sigstore.json", string(ss.MessageBundleCert(t, tt.cert, []byte(manifest), trusttest.BundleOptions{})))
			d, err := engines[tt.registry].Evaluate(context.Background(), Input{
				Repo: "acme/app", Now: afterSigning(), TrustedRoot: rootPath,
				Subjects: []SubjectInput{{Path: app}},
				Evidence: []Item{
					{Kind: policy.KindChecksums, Path: sums},
					{Kind: policy.KindCache, Role: "manifest", Path: mPath},
					{Kind: policy.KindCache, Role: "signature", Path: sig},
					{Kind: policy.KindCache, Role: "dir", Path: cdir},
				},
			})
			require.NoError(t, err)
			rules := []string{}
			for _, f := range d.Findings {
				if f.Kind() == policy.KindCache {
					rules = append(rules, f.Rule)
					assert.Contains(t, f.Actual, "SAN "+tt.cert.SAN)
					assert.Contains(t, f.Expected, "issuer ^(?:")
				}
			}
			assert.Equal(t, tt.rules, rules)
			var cacheCheck policy.Outcome
			for _, c := range d.Checks {
				if c.Kind == policy.KindCache {
					cacheCheck = c.Outcome
				}
			}
			assert.Equal(t, tt.allowed, cacheCheck == policy.OutcomePass)
		})
	}
}

// TestEvaluateCacheHonoursRegistryTrust: the cache kind verifies with the
// trust material every signed kind shares: the registry's provenance.keys
// and provenance.trusted_root, not only --trusted-root.
func TestEvaluateCacheHonoursRegistryTrust(t *testing.T) {
	ss := trusttest.New(t)
	k, other := trusttest.NewKey(t, "ecdsa"), trusttest.NewKey(t, "ecdsa")
	dir := t.TempDir()
	rootPath := writeTemp(t, dir, "trusted_root.json", string(ss.RootJSON))
	app := writeTemp(t, dir, "app.tar.gz", "app\n")
	sums := writeTemp(t, dir, "SHA256SUMS", "6aa8a0ae7b6e2c6f8dbfc6c3b1a6c3d4d0c5e0d7f1b0e6c8d2a1b0c9d8e7f6a5  app.tar.gz\n")
	manifest := `{"version":1,"cache_dir":"c","entry_count":1,"algorithm":"blake3","entries":[{"path":"x.whl","size":5,"blake3":"` + b3hex("wheel") + `"}]}`
	mPath := writeTemp(t, dir, "cache-manifest.json", manifest)
	cdir := filepath.Join(dir, "cache")
	writeTemp(t, cdir, "x.whl", "wheel")
	keyed := writeTemp(t, dir, "registry-keys.cue", fmt.Sprintf("repos: \"acme/app\": {require: [\"checksums\", \"cache\"], provenance: keys: [%q]}\n", k.PEM(t)))
	rooted := writeTemp(t, dir, "registry-root.cue", fmt.Sprintf("repos: \"acme/app\": {require: [\"checksums\", \"cache\"], provenance: trusted_root: %q}\n", rootPath))
	release := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
	tests := []struct {
		name, registry string
		bundle         []byte
		pass           bool
	}{
		{name: "a registry key", registry: keyed, bundle: k.MessageBundle(t, []byte(manifest)), pass: true},
		{name: "another key", registry: keyed, bundle: other.MessageBundle(t, []byte(manifest))},
		{name: "the registry's trusted root", registry: rooted, bundle: ss.MessageBundleCert(t, trusttest.GitHubCert(release, trust.GitHubActionsIssuer), []byte(manifest), trusttest.BundleOptions{}), pass: true},
		{name: "the embedded root does not trust the test CA", registry: keyed, bundle: ss.MessageBundleCert(t, trusttest.GitHubCert(release, trust.GitHubActionsIssuer), []byte(manifest), trusttest.BundleOptions{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(context.Background(), WithRegistryPath(tt.registry))
			require.NoError(t, err)
			sig := writeTemp(t, t.TempDir(), "cache.sigstore.json", string(tt.bundle))
			d, err := e.Evaluate(context.Background(), Input{
				Repo: "acme/app", Now: afterSigning(),
				Subjects: []SubjectInput{{Path: app}},
				Evidence: []Item{
					{Kind: policy.KindChecksums, Path: sums},
					{Kind: policy.KindCache, Role: "manifest", Path: mPath},
					{Kind: policy.KindCache, Role: "signature", Path: sig},
					{Kind: policy.KindCache, Role: "dir", Path: cdir},
				},
			})
			require.NoError(t, err)
			var got []string
			for _, f := range d.Findings {
				if f.Kind() == policy.KindCache {
					got = append(got, f.Rule)
				}
			}
			if tt.pass {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, []string{"cache.signature"}, got)
			}
		})
	}
}

// TestNoGoDefaults: the drill, determinism and evidence_bundle limits and
// the vulnerabilities thresholds have their defaults in CUE alone. Resolved through the schema, a repo that
// sets none gets CUE's; a section that did not come through the schema
// gets no Go stand-in but a problem, so the release is not allowed.
func TestNoGoDefaults(t *testing.T) {
	ctx := context.Background()
	d := drill.Collect(ctx, buildEnv(t, map[string]any{}), nil).(*drill.Facts)
	assert.Equal(t, []string{}, problemPaths(d.Problems))
	assert.Equal(t, "168h0m0s", d.MaxAge)
	assert.Equal(t, "168h0m0s", d.MaxRPO)
	assert.Equal(t, "10m0s", d.MaxRTO)
	d = drill.Collect(ctx, rawEnv(t, map[string]any{}), nil).(*drill.Facts)
	assert.Equal(t, []string{"registry#drill.max_age", "registry#drill.max_rpo", "registry#drill.max_rto"}, problemPaths(d.Problems))

	m := determinism.Collect(ctx, buildEnv(t, map[string]any{}), nil).(*determinism.Facts)
	assert.Equal(t, int64(86400), m.MinDelaySeconds)
	assert.Equal(t, []string{}, problemPaths(m.Problems))

	manifest := writeTemp(t, t.TempDir(), "evidence-manifest.json", `{}`)
	items := []Item{{Kind: policy.KindEvidenceBundle, Role: "manifest", Path: manifest}}
	eb := evidencebundle.Collect(ctx, buildEnv(t, map[string]any{}), items).(*evidencebundle.Facts)
	assert.Equal(t, "720h0m0s", eb.MaxAge)
	assert.NotContains(t, problemPaths(eb.Problems), "registry#evidence_bundle.max_age")
	eb = evidencebundle.Collect(ctx, rawEnv(t, map[string]any{}), items).(*evidencebundle.Facts)
	assert.Contains(t, problemPaths(eb.Problems), "registry#evidence_bundle.max_age")

	v := vulnerabilities.Collect(ctx, buildEnv(t, map[string]any{}), nil).(*vulnerabilities.Facts)
	assert.Equal(t, []string{}, problemPaths(v.Problems))
	assert.Equal(t, vulnerabilities.ConfigFacts{CVSSThreshold: 7, EPSSThreshold: 0.75, UnderInvestigation: "warn", VEXMaxAge: "8760h", Unscored: "fail"}, v.Config)
	v = vulnerabilities.Collect(ctx, rawEnv(t, map[string]any{}), nil).(*vulnerabilities.Facts)
	assert.Equal(t, []string{"registry#vulnerabilities.cvss_threshold", "registry#vulnerabilities.epss_threshold",
		"registry#vulnerabilities.under_investigation", "registry#vulnerabilities.unscored", "registry#vulnerabilities.vex_max_age"}, problemPaths(v.Problems))
	assert.Equal(t, vulnerabilities.ConfigFacts{}, v.Config, "no Go stand-in for a threshold")
	v = vulnerabilities.Collect(ctx, &Env{Now: time.Now()}, nil).(*vulnerabilities.Facts)
	assert.Len(t, v.Problems, 5, "no registry entry at all: every field is a problem")
}

// TestSectionsTypedAtNew: whichever way the registry comes (CUE, the cache,
// or loaded without the kinds' sections), the engine's has every kind's
// section decoded into its typed config once, so no evaluation decodes one.
func TestSectionsTypedAtNew(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx)
	require.NoError(t, err)
	assert.True(t, e.Registry().HasSections(registrySections()...))

	plain, err := registry.Load(fstest.MapFS{"r.cue": {Data: []byte(`repos: "acme/app": vulnerabilities: cvss_threshold: 5`)}}, "r.cue")
	require.NoError(t, err)
	require.False(t, plain.HasSections(registrySections()...))
	e, err = New(ctx, WithRegistry(plain))
	require.NoError(t, err)
	assert.True(t, e.Registry().HasSections(registrySections()...))

	dir, cache := t.TempDir(), t.TempDir()
	p := writeTemp(t, dir, "r.cue", `repos: "acme/app": vulnerabilities: cvss_threshold: 5`)
	for range 2 { // CUE, then the cache
		e, err = New(ctx, WithRegistryPath(p), WithRegistryCache(cache))
		require.NoError(t, err)
		assert.True(t, e.Registry().HasSections(registrySections()...))
		repo, err := e.Registry().Repo("acme/app")
		require.NoError(t, err)
		var cfg vulnerabilities.Config
		require.NoError(t, repo.Section("vulnerabilities", &cfg))
		require.NotNil(t, cfg.CVSSThreshold)
		assert.Equal(t, 5.0, *cfg.CVSSThreshold)
		require.NotNil(t, cfg.EPSSThreshold)
		assert.Equal(t, 0.75, *cfg.EPSSThreshold, "CUE's default")
	}
	assert.Len(t, registrySections(), 7, "provenance and vsa (trust), vulnerabilities, evidence_bundle, egress, determinism, drill")
}
