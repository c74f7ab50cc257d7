package engine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// release is a small release on disk: subjects and their SHA256SUMS.
type release struct {
	dir       string
	subjects  []string
	checksums string
}

func writeFile(t testing.TB, path, data string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// newRelease writes n subjects and a SHA256SUMS listing them.
func newRelease(t testing.TB, n int) release {
	t.Helper()
	dir := t.TempDir()
	var sums strings.Builder
	r := release{dir: dir}
	for i := range n {
		name := fmt.Sprintf("app-%d.bin", i)
		data := fmt.Sprintf("artifact %d\n", i)
		r.subjects = append(r.subjects, writeFile(t, filepath.Join(dir, name), data))
		fmt.Fprintf(&sums, "%s  %s\n", sha(data), name)
	}
	r.checksums = writeFile(t, filepath.Join(dir, "SHA256SUMS"), sums.String())
	return r
}

func (r release) input() engine.Input {
	in := engine.Input{Repo: "acme/app", Now: now}
	for _, s := range r.subjects {
		in.Subjects = append(in.Subjects, engine.SubjectInput{Path: s})
	}
	in.Evidence = []engine.Item{{Kind: policy.KindChecksums, Path: r.checksums}}
	return in
}

func newEngine(t testing.TB, registryCUE string, opts ...engine.Option) *engine.Engine {
	t.Helper()
	p := writeFile(t, filepath.Join(t.TempDir(), "registry.cue"), registryCUE)
	e, err := engine.New(context.Background(), append([]engine.Option{engine.WithRegistryPath(p)}, opts...)...)
	require.NoError(t, err)
	return e
}

const minimalRegistry = `repos: "acme/app": {require: ["checksums"]}`

func rules(d *policy.Decision) []string {
	var out []string
	for _, f := range d.Findings {
		if f.Effective().Blocks() || f.Effective() == policy.OutcomeWarn {
			out = append(out, f.Rule+" "+f.Target)
		}
	}
	return out
}

func TestEvaluatePassAndTamper(t *testing.T) {
	e := newEngine(t, minimalRegistry)
	r := newRelease(t, 3)
	d, err := e.Evaluate(context.Background(), r.input())
	require.NoError(t, err)
	assert.Equal(t, policy.OutcomePass, d.Outcome, "findings: %v", rules(d))
	assert.True(t, d.Allowed)
	require.Len(t, d.Subjects, 3)
	assert.Equal(t, sha("artifact 0\n"), d.Subjects[0].Digest["sha256"])
	require.Len(t, d.Checks, 1)
	assert.Equal(t, policy.KindChecksums, d.Checks[0].Kind)
	require.Len(t, d.Inputs, 1)
	assert.Equal(t, r.checksums, d.Inputs[0].Path)

	// One byte changes: denied, and the finding names the file and subject.
	writeFile(t, r.subjects[1], "artifact 1\r")
	d, err = e.Evaluate(context.Background(), r.input())
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.Equal(t, policy.OutcomeFail, d.Outcome)
	var hit *policy.Finding
	for i, f := range d.Findings {
		if strings.HasPrefix(f.Rule, "checksums.") && f.Outcome == policy.OutcomeFail {
			hit = &d.Findings[i]
		}
	}
	require.NotNil(t, hit, "no failing checksums finding in %v", rules(d))
	assert.Equal(t, "app-1.bin", hit.Target)
	assert.Equal(t, r.checksums, hit.Evidence)
	assert.Equal(t, sha("artifact 1\n"), strings.TrimPrefix(hit.Expected, "sha256:"))
	assert.Equal(t, sha("artifact 1\r"), strings.TrimPrefix(hit.Actual, "sha256:"))
}

func TestRequiredEvidenceMissing(t *testing.T) {
	e := newEngine(t, minimalRegistry)
	in := newRelease(t, 1).input()
	in.Evidence = nil
	d, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.Contains(t, rules(d), "checksums.present checksums")
}

func TestNothingVerifiedIsNeverAllowed(t *testing.T) {
	e := newEngine(t, `repos: "acme/app": {}
org: require: []`)
	d, err := e.Evaluate(context.Background(), engine.Input{Repo: "acme/app", Now: now})
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.Equal(t, policy.OutcomeError, d.Outcome)
	assert.Contains(t, rules(d), "decision.no_evidence acme/app")
}

func TestUnknownRepoAndBadInput(t *testing.T) {
	e := newEngine(t, minimalRegistry)
	_, err := e.Evaluate(context.Background(), engine.Input{Repo: "acme/nope", Now: now})
	assert.ErrorIs(t, err, registry.ErrUnknownRepo)
	_, err = e.Evaluate(context.Background(), engine.Input{Repo: "acme/app"})
	assert.ErrorIs(t, err, engine.ErrInput, "a zero time must not default to the wall clock")
	_, err = e.Evaluate(context.Background(), engine.Input{Repo: "acme/app", Now: now,
		Subjects: []engine.SubjectInput{{Path: filepath.Join(t.TempDir(), "missing.bin")}}})
	assert.ErrorIs(t, err, engine.ErrInput)
	_, err = e.Evaluate(context.Background(), engine.Input{Repo: "acme/app", Now: now,
		Subjects: []engine.SubjectInput{{Name: "a", Digest: policy.Digest{"sha256": "abc"}}}})
	assert.ErrorIs(t, err, engine.ErrInput, "a short digest must be rejected")
}

func TestWaivers(t *testing.T) {
	reg := `repos: "acme/app": {
	require: ["checksums"]
	waivers: [{rule: "checksums.listed", target: "app-1.bin", reason: "INC-42: signed out of band", owner: "sec@acme.test", expires: "2026-12-01"}]
}`
	e := newEngine(t, reg)
	r := newRelease(t, 3)
	// Drop app-1.bin and app-2.bin from the list: the waiver covers only app-1.bin.
	lines := strings.SplitAfter(string(must(os.ReadFile(r.checksums))), "\n")
	writeFile(t, r.checksums, lines[0])

	d, err := e.Evaluate(context.Background(), r.input())
	require.NoError(t, err)
	assert.False(t, d.Allowed, "app-2.bin is not waived")
	var waived, open []string
	for _, f := range d.Findings {
		if f.Rule != "checksums.listed" {
			continue
		}
		if f.Waiver != nil {
			waived = append(waived, f.Target)
			assert.Equal(t, "sec@acme.test", f.Waiver.Owner)
		} else {
			open = append(open, f.Target)
		}
	}
	assert.Equal(t, []string{"app-1.bin"}, waived)
	assert.Equal(t, []string{"app-2.bin"}, open)

	// With app-2.bin listed again, the waiver lets the release through.
	writeFile(t, r.checksums, lines[0]+lines[2])
	d, err = e.Evaluate(context.Background(), r.input())
	require.NoError(t, err)
	assert.True(t, d.Allowed, "findings: %v", rules(d))
	assert.Equal(t, policy.OutcomePass, d.Outcome)

	// A date waiver holds through its whole day, and ends at the next midnight.
	in := r.input()
	in.Now = time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC)
	d, err = e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	assert.True(t, d.Allowed)
	in.Now = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	d, err = e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	assert.False(t, d.Allowed, "the waiver expired; the release is denied again")
	assert.Contains(t, rules(d), "checksums.listed app-1.bin")
	assert.Contains(t, rules(d), "waiver.expired checksums.listed app-1.bin")
}

func TestDeterministicJSON(t *testing.T) {
	e := newEngine(t, minimalRegistry)
	r := newRelease(t, 20)
	writeFile(t, r.subjects[3], "tampered")
	var outs [][]byte
	for range 3 {
		d, err := e.Evaluate(context.Background(), r.input())
		require.NoError(t, err)
		b, err := json.Marshal(d)
		require.NoError(t, err)
		outs = append(outs, b)
	}
	assert.Equal(t, string(outs[0]), string(outs[1]))
	assert.Equal(t, string(outs[0]), string(outs[2]))
	// A different time is a different decision.
	in := r.input()
	in.Now = now.Add(time.Second)
	d, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	b, _ := json.Marshal(d)
	assert.NotEqual(t, string(outs[0]), string(b))
}

// TestConcurrentEvaluate runs many evaluations at once on one engine; run it
// with -race. Each result must equal the sequential one.
func TestConcurrentEvaluate(t *testing.T) {
	e := newEngine(t, minimalRegistry)
	good := newRelease(t, 5)
	bad := newRelease(t, 5)
	writeFile(t, bad.subjects[2], "tampered")
	want := map[bool]string{}
	for _, ok := range []bool{true, false} {
		r := map[bool]release{true: good, false: bad}[ok]
		d, err := e.Evaluate(context.Background(), r.input())
		require.NoError(t, err)
		require.Equal(t, ok, d.Allowed)
		b, _ := json.Marshal(d)
		want[ok] = string(b)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok := i%2 == 0
			r := map[bool]release{true: good, false: bad}[ok]
			d, err := e.Evaluate(context.Background(), r.input())
			if err != nil {
				errs <- err
				return
			}
			b, _ := json.Marshal(d)
			if string(b) != want[ok] {
				errs <- fmt.Errorf("goroutine %d: decision differs from the sequential one", i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestUserPolicy(t *testing.T) {
	tests := []struct {
		name    string
		rego    string
		wantErr []string // substrings of New's error; empty means it loads
	}{
		{
			name: "http.send is not available",
			rego: `package hub.custom

# METADATA
# title: Phone home
# custom:
#   severity: low
phone contains f if {
	resp := http.send({"method": "GET", "url": "https://example.com"})
	f := {"message": resp.body}
}
`,
			wantErr: []string{"policy/custom.rego:8:", "http.send"},
		},
		{
			name: "time.now_ns is not available",
			rego: `package hub.custom

# METADATA
# title: Clock
# custom:
#   severity: low
clock contains f if {
	time.now_ns() > 0
	f := {"message": "x"}
}
`,
			wantErr: []string{"policy/custom.rego:8:", "time.now_ns"},
		},
		{
			name: "net.lookup_ip_addr is not available",
			rego: `package hub.custom

# METADATA
# title: DNS
# custom:
#   severity: low
dns contains f if {
	net.lookup_ip_addr("example.com")
	f := {"message": "x"}
}
`,
			wantErr: []string{"policy/custom.rego:8:", "net.lookup_ip_addr"},
		},
		{
			name: "a rule must be a partial set",
			rego: `package hub.custom

# METADATA
# title: Complete
# custom:
#   severity: low
complete := {"message": "x"}
`,
			wantErr: []string{"custom.complete", "not a partial set"},
		},
		{
			name: "severity must be known",
			rego: `package hub.custom

# METADATA
# title: Bad severity
# custom:
#   severity: severe
bad contains f if { f := {"message": "x"} }
`,
			wantErr: []string{"custom.bad", "severity"},
		},
		{
			name: "a good rule loads",
			rego: `package hub.custom

# METADATA
# title: Subjects are tarballs
# custom:
#   severity: medium
#   outcome: warn
#   remediation: Ship tarballs.
tarball contains f if {
	some s in input.subjects
	not endswith(s.name, ".tar.gz")
	f := {"message": sprintf("%s is not a tarball", [s.name]), "target": s.name}
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "policy")
			writeFile(t, filepath.Join(dir, "custom.rego"), tt.rego)
			t.Chdir(filepath.Dir(dir))
			reg := writeFile(t, filepath.Join(t.TempDir(), "r.cue"), minimalRegistry)
			e, err := engine.New(context.Background(), engine.WithRegistryPath(reg), engine.WithPolicyDir("policy"))
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				assert.True(t, errors.Is(err, engine.ErrPolicy), "error %v must wrap ErrPolicy", err)
				for _, s := range tt.wantErr {
					assert.Contains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			d, err := e.Evaluate(context.Background(), newRelease(t, 1).input())
			require.NoError(t, err)
			assert.Equal(t, policy.OutcomeWarn, d.Outcome, "a warn-only rule allows with a warning")
			assert.True(t, d.Allowed)
			assert.Contains(t, rules(d), "custom.tarball app-0.bin")
			var info *policy.RuleInfo
			for _, r := range e.Rules() {
				if r.ID == "custom.tarball" {
					info = &r
				}
			}
			require.NotNil(t, info)
			assert.Equal(t, "Ship tarballs.", info.Remediation)
			assert.Equal(t, "policy/custom.rego:9", info.Source)
		})
	}
}

func TestRuleCatalogue(t *testing.T) {
	e := newEngine(t, minimalRegistry)
	seen := map[string]bool{}
	for _, r := range e.Rules() {
		assert.False(t, seen[r.ID], "duplicate rule id %s", r.ID)
		seen[r.ID] = true
		kind, name, ok := strings.Cut(r.ID, ".")
		assert.True(t, ok && name != "", "rule id %q is not kind.name", r.ID)
		assert.Equal(t, kind, string(r.Kind))
		assert.NotEmpty(t, r.Title, r.ID)
		assert.NotEqual(t, policy.SeverityUnknown, r.Severity, r.ID)
		assert.NotEmpty(t, r.Source, r.ID)
	}
	for _, id := range []string{"checksums.present", "checksums.evidence", "checksums.listed", "checksums.digest_match", "waiver.expired"} {
		assert.True(t, seen[id], "rule %s missing from the catalogue", id)
	}
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, e.PolicyDigest())
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkEvaluate measures a prepared engine judging one release; compare
// subjects=1000 with subjects=10000 for linear growth.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("subjects=%d", n), func(b *testing.B) {
			p := writeFile(b, filepath.Join(b.TempDir(), "r.cue"), minimalRegistry)
			e, err := engine.New(context.Background(), engine.WithRegistryPath(p))
			require.NoError(b, err)
			// Subjects by digest: this measures the engine, not SHA-256
			// (BenchmarkHash in engine/evidence/checksum does).
			var sums bytes.Buffer
			in := engine.Input{Repo: "acme/app", Now: now}
			for i := range n {
				name := fmt.Sprintf("app-%d.bin", i)
				d := sha(name)
				fmt.Fprintf(&sums, "%s  %s\n", d, name)
				in.Subjects = append(in.Subjects, engine.SubjectInput{Name: name, Digest: policy.Digest{"sha256": d}})
			}
			in.Evidence = []engine.Item{{Kind: policy.KindChecksums, Path: writeFile(b, filepath.Join(b.TempDir(), "SHA256SUMS"), sums.String())}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				d, err := e.Evaluate(context.Background(), in)
				if err != nil || !d.Allowed {
					b.Fatalf("err=%v allowed=%v", err, d != nil && d.Allowed)
				}
			}
		})
	}
}

// TestUnreportedProblemsBlock: with a pack that does not report evidence
// problems (here, user rules without the built-in pack), unusable evidence
// still blocks the release.
func TestUnreportedProblemsBlock(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "policy", "x.rego"), `package hub.custom

# METADATA
# title: Nothing to say
# custom:
#   severity: info
#   outcome: pass
quiet contains f if {
	false
	f := {"message": "never"}
}
`)
	reg := writeFile(t, filepath.Join(dir, "r.cue"), minimalRegistry)
	r := newRelease(t, 2)
	for _, tt := range []struct {
		name    string
		limit   int64
		allowed bool
	}{
		{"evidence over the size limit", 10, false},
		{"usable evidence", engine.DefaultMaxFileSize, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := engine.New(context.Background(), engine.WithRegistryPath(reg),
				engine.WithoutBuiltinPolicyUnsafe(), engine.WithPolicyDir(filepath.Join(dir, "policy")),
				engine.WithMaxFileSize(tt.limit))
			require.NoError(t, err)
			d, err := e.Evaluate(context.Background(), r.input())
			require.NoError(t, err)
			assert.Equal(t, tt.allowed, d.Allowed, "findings: %v", rules(d))
			if !tt.allowed {
				assert.Equal(t, policy.OutcomeError, d.Outcome)
				assert.Contains(t, rules(d), "decision.unreported_problems checksums")
			}
		})
	}
}

func TestPolicyFileSizeLimit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "policy")
	big := "package hub.big\n\n# " + strings.Repeat("x", engine.MaxPolicyFileSize) + "\n"
	writeFile(t, filepath.Join(dir, "big.rego"), big)
	reg := writeFile(t, filepath.Join(t.TempDir(), "r.cue"), minimalRegistry)
	_, err := engine.New(context.Background(), engine.WithRegistryPath(reg), engine.WithPolicyDir(dir))
	require.ErrorIs(t, err, engine.ErrPolicy)
	assert.Contains(t, err.Error(), "big.rego")
	assert.Contains(t, err.Error(), "limit")
}
