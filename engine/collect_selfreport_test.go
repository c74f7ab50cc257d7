package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/determinism"
	"github.com/cicd-hub/hubgate/engine/evidence/drill"
	"github.com/cicd-hub/hubgate/engine/evidence/egress"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// TestSelfReportedSigning: with <kind>.require_signed, an egress report
// counts only with a bundle beside it, verified offline, from a trusted
// identity. Each case is run through the whole engine so that the facts and
// the hub.egress rule agree.
func TestSelfReportedSigning(t *testing.T) {
	ss := trusttest.New(t)
	dir := t.TempDir()
	rootPath := writeTemp(t, dir, "trusted_root.json", string(ss.RootJSON))
	report := `{"attempts":[{"host":"github.com","port":443,"allowed":true},{"host":"canary.example.org","port":443,"allowed":false}]}`
	own := "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"
	evil := "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.0.0"
	app := writeTemp(t, dir, "app.tar.gz", "app\n")
	sums := writeTemp(t, dir, "SHA256SUMS", "6aa8a0ae7b6e2c6f8dbfc6c3b1a6c3d4d0c5e0d7f1b0e6c8d2a1b0c9d8e7f6a5  app.tar.gz\n")
	tests := []struct {
		name     string
		required bool
		bundle   func(dir string)
		verified bool
		idOK     bool
		rules    []string
	}{
		{name: "signed by the repo's workflow", required: true, verified: true, idOK: true, rules: []string{},
			bundle: func(d string) {
				writeTemp(t, d, "egress-report.json.sigstore.json", string(ss.MessageBundle(t, own, trust.GitHubActionsIssuer, []byte(report), trusttest.BundleOptions{})))
			}},
		{name: "signed as FILE.bundle", required: true, verified: true, idOK: true, rules: []string{},
			bundle: func(d string) {
				writeTemp(t, d, "egress-report.json.bundle", string(ss.MessageBundle(t, own, trust.GitHubActionsIssuer, []byte(report), trusttest.BundleOptions{})))
			}},
		{name: "unsigned", required: true, rules: []string{"egress.signed"}, bundle: func(string) {}},
		{name: "signed by another repository", required: true, verified: true, rules: []string{"egress.signed"},
			bundle: func(d string) {
				writeTemp(t, d, "egress-report.json.sigstore.json", string(ss.MessageBundle(t, evil, trust.GitHubActionsIssuer, []byte(report), trusttest.BundleOptions{})))
			}},
		{name: "signature over other bytes", required: true, rules: []string{"egress.signed"},
			bundle: func(d string) {
				writeTemp(t, d, "egress-report.json.sigstore.json", string(ss.MessageBundle(t, own, trust.GitHubActionsIssuer, []byte(report+" "), trusttest.BundleOptions{})))
			}},
		{name: "not required: unsigned passes", rules: []string{}, bundle: func(string) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			path := writeTemp(t, d, "egress-report.json", report)
			tt.bundle(d)
			reg := writeTemp(t, d, "registry.cue", `repos: "acme/app": {require: ["checksums", "egress"], egress: {allow: ["github.com"], canary: "canary.example.org", require_signed: `+map[bool]string{true: "true", false: "false"}[tt.required]+`}}`+"\n")
			env := cueEnv(t, map[string]any{"egress": map[string]any{"allow": []any{"github.com"}, "canary": "canary.example.org", "require_signed": tt.required}})
			env.TrustedRoot = rootPath
			env.Now = afterSigning()
			out := egress.Collect(context.Background(), env, []Item{{Kind: policy.KindEgress, Path: path}}).(*egress.Facts)
			assert.Equal(t, []string{}, problemPaths(out.Problems))
			if tt.required {
				require.Len(t, out.Signing.Reports, 1)
				s := out.Signing.Reports[0]
				assert.Equal(t, tt.verified, s.Verified, s.Error)
				if tt.verified {
					// The certificate's claims reach the rules, which judge the signer.
					assert.Equal(t, tt.idOK, s.Claims.SourceRepositoryURI == "https://github.com/acme/app", s.Claims.SourceRepositoryURI)
				}
			} else {
				assert.Empty(t, out.Signing.Reports)
			}

			e, err := New(context.Background(), WithRegistryPath(reg))
			require.NoError(t, err)
			dec, err := e.Evaluate(context.Background(), Input{
				Repo: "acme/app", Now: afterSigning(), TrustedRoot: rootPath,
				Subjects: []SubjectInput{{Path: app}},
				Evidence: []Item{{Kind: policy.KindChecksums, Path: sums}, {Kind: policy.KindEgress, Path: path}},
			})
			require.NoError(t, err)
			rules := []string{}
			for _, f := range dec.Findings {
				if f.Kind() == policy.KindEgress {
					rules = append(rules, f.Rule)
				}
			}
			assert.Equal(t, tt.rules, rules)
		})
	}
}

// TestDrillLimitsFromRegistry: a manifest that raises its own RPO/RTO
// limits does not change the limits judged; the registry's do.
func TestDrillLimitsFromRegistry(t *testing.T) {
	manifest := filepath.Join("..", "fixtures", "drill", "data", "dr", "manifest.json")
	dir := t.TempDir()
	raised := writeTemp(t, dir, "dr/manifest.json", `{"backup":{"path":"backup.json","sha256":"sha256:bee16000b8ce8e911f1b57fe05861cdc8338e6fd4c1e8f7be576459dc44f2dc4","captured_at":"2025-01-15T12:00:00Z"},"policies":{"max_rpo_minutes":99999999,"max_rto_seconds":99999999}}`)
	writeTemp(t, dir, "dr/backup.json", "x")
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		path    string
		data    map[string]any
		rpo     float64
		rto     float64
		claimed string
	}{
		{name: "hub manifest, defaults", path: manifest, data: map[string]any{}, rpo: 10080, rto: 600, claimed: "10080"},
		{name: "raised manifest limits, defaults", path: raised, data: map[string]any{}, rpo: 10080, rto: 600, claimed: "99999999"},
		{name: "registry limits", path: raised, data: map[string]any{"drill": map[string]any{"max_rpo": "1h", "max_rto": "30s"}}, rpo: 60, rto: 30, claimed: "99999999"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := buildEnv(t, tt.data)
			env.Now = now
			out := drill.Collect(context.Background(), env, []Item{{Kind: policy.KindDrill, Role: "manifest", Path: tt.path}}).(*drill.Facts)
			assert.InDelta(t, tt.rpo, out.MaxRPOMinutes, 0)
			assert.InDelta(t, tt.rto, out.MaxRTOSeconds, 0)
			assert.Equal(t, tt.claimed, out.ClaimedLimits["max_rpo_minutes"])
			assert.Greater(t, out.RPOMinutes, out.MaxRPOMinutes)
		})
	}
}

// TestDeterminismHubWorkflow reads the hub workflow's exact output shape
// (delay_hours as a string, prefixed and self-listing lists) and binds the
// subject; then the closest negatives: a future build time, a future report,
// a list lacking the subject.
func TestDeterminismHubWorkflow(t *testing.T) {
	fx := filepath.Join("..", "fixtures", "determinism", "hub-workflow")
	orig, rebuilt, rep := filepath.Join(fx, "original-checksums.txt"), filepath.Join(fx, "rebuilt-checksums.txt"), filepath.Join(fx, "report.json")
	dir := t.TempDir()
	other := writeTemp(t, dir, "rebuilt-checksums.txt", strings.Repeat("a", 64)+"  artifacts/other.tar.gz\n")
	subj := []policy.Subject{{Name: "app.tar.gz", Digest: policy.Digest{"sha256": "5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73"}}}
	it := func(role, path, value string) Item {
		return Item{Kind: policy.KindDeterminism, Role: role, Path: path, Value: value}
	}
	tests := []struct {
		name     string
		items    []Item
		now      time.Time
		problems []string
		bound    bool
		equal    int
	}{
		{name: "hub workflow shape", items: []Item{it("original", orig, ""), it("rebuild", rebuilt, ""), it("report", rep, "")},
			now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), problems: []string{}, bound: true, equal: 1},
		{name: "report after --now", items: []Item{it("original", orig, ""), it("rebuild", rebuilt, ""), it("report", rep, "")},
			now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), problems: []string{rep + "#timestamp"}, bound: true, equal: 1},
		{name: "rebuild time after --now", items: []Item{it("original", orig, ""), it("rebuild", rebuilt, ""), it("original-time", "", "2026-11-26T00:00:00Z"), it("rebuild-time", "", "2026-11-29T00:00:00Z")},
			now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), problems: []string{"--determinism-rebuild-time#", "determinism#delay"}, bound: true, equal: 1},
		{name: "rebuild list lacks the subject", items: []Item{it("original", orig, ""), it("rebuild", other, ""), it("report", rep, "")},
			now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), problems: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := buildEnv(t, map[string]any{})
			env.Now, env.Subjects = tt.now, subj
			out := determinism.Collect(context.Background(), env, tt.items).(*determinism.Facts)
			assert.Equal(t, tt.problems, problemPaths(out.Problems))
			require.Len(t, out.Subjects, 1)
			assert.True(t, out.Subjects[0].Original.Match)
			assert.Equal(t, tt.bound, out.Subjects[0].Rebuild.Match)
			assert.Equal(t, tt.equal, out.Equal)
		})
	}
}

// TestSelfReportedKeyed: a bundle signed with a registry key counts; one
// signed with another key does not.
func TestSelfReportedKeyed(t *testing.T) {
	k, other := trusttest.NewKey(t, "ecdsa"), trusttest.NewKey(t, "ecdsa")
	report := []byte(`{"run_id":"dr-1","ended_at":"2026-11-27T00:00:00Z","metrics":{"rto_seconds":1}}`)
	for _, tt := range []struct {
		name     string
		signer   *trusttest.Key
		verified bool
	}{
		{name: "registry key", signer: k, verified: true},
		{name: "another key", signer: other},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			path := writeTemp(t, d, "dr-report.json", string(report))
			writeTemp(t, d, "dr-report.json.sigstore.json", string(tt.signer.MessageBundle(t, report)))
			env := buildEnv(t, map[string]any{"drill": map[string]any{"require_signed": true}, "provenance": map[string]any{"keys": []any{string(k.PEM(t))}}})
			out := drill.Collect(context.Background(), env, []Item{{Kind: policy.KindDrill, Role: "report", Path: path}}).(*drill.Facts)
			require.Len(t, out.Signing.Reports, 1)
			s := out.Signing.Reports[0]
			assert.Equal(t, tt.verified, s.Verified, s.Error)
			assert.Equal(t, tt.verified, s.Keyed)
		})
	}
}
