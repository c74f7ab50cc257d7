package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/vsa"
)

// runEnv runs hubgate in process with the given environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code = a.run(args)
	return code, out.String(), errb.String()
}

const evalNow = "2026-11-28T00:00:00Z"

// release copies a fixture release (fixtures/releases/NAME) into a temporary
// directory and returns the eval arguments for it.
func release(t *testing.T, name string) []string {
	t.Helper()
	src := filepath.Join("..", "..", "fixtures", "releases", name)
	dir := t.TempDir()
	for _, f := range []string{"app.tar.gz", "SHA256SUMS"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	return []string{"eval", "--repo", "jguida941/ci-cd-hub", "--now", evalNow,
		"--subject", filepath.Join(dir, "app.tar.gz"), "--checksums", filepath.Join(dir, "SHA256SUMS")}
}

func TestEvalSignsVSA(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, "keygen", "--out", filepath.Join(dir, "k"))
	require.Equal(t, 0, code, errs)
	pubPEM, err := os.ReadFile(filepath.Join(dir, "k.pub"))
	require.NoError(t, err)
	pub, err := vsa.LoadPublicKey(pubPEM)
	require.NoError(t, err)
	now, _ := time.Parse(time.RFC3339, evalNow)

	for _, tt := range []struct {
		release string
		code    int
		result  string
	}{
		{"pass", 0, vsa.ResultPassed},
		{"tampered", 1, vsa.ResultFailed},
	} {
		t.Run(tt.release, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "app.vsa.json")
			var d struct {
				Subjects []struct {
					Digest map[string]string `json:"digest"`
				} `json:"subjects"`
			}
			args := append(release(t, tt.release), "--vsa-out", out, "--sign-key", filepath.Join(dir, "k.key"), "-o", "json")
			code, stdout, errs := run(t, args...)
			require.Equal(t, tt.code, code, errs)
			require.NoError(t, json.Unmarshal([]byte(stdout), &d))
			b, err := os.ReadFile(out)
			require.NoError(t, err, "a denied release gets a FAILED summary too")
			s, err := vsa.VerifyBundle(b, pub, "sha256:"+d.Subjects[0].Digest["sha256"])
			require.NoError(t, err)
			assert.Equal(t, tt.result, s.Result, "a denied release's summary says FAILED")
			assert.True(t, now.Equal(s.TimeVerified))
			// The summary is for this digest only.
			_, err = vsa.VerifyBundle(b, pub, "sha256:"+strings.Repeat("0", 64))
			assert.Error(t, err)
		})
	}

	code, _, errs = run(t, append(release(t, "pass"), "--vsa-out", filepath.Join(dir, "x.json"))...)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--vsa-out and --sign-key go together")
}

func TestEvalDecisionLogAndPipelineRun(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "decisions.ndjson")
	pr := filepath.Join(dir, "pipeline-run.json")
	for _, name := range []string{"pass", "tampered"} {
		code, _, errs := run(t, append(release(t, name), "--decision-log", log, "--pipeline-run", pr, "-o", "json="+filepath.Join(dir, name+".json"))...)
		require.Contains(t, []int{0, 1}, code, errs)
	}
	f, err := os.Open(log)
	require.NoError(t, err)
	defer f.Close()
	var outcomes []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			ID      string `json:"decision_id"`
			Outcome string `json:"outcome"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), "each line is one JSON object")
		assert.Len(t, line.ID, 32)
		outcomes = append(outcomes, line.Outcome)
	}
	assert.Equal(t, []string{"pass", "fail"}, outcomes, "the log is appended to, one line per decision")

	var run struct {
		Policies []struct {
			ID     string `json:"id"`
			Result string `json:"result"`
		} `json:"policies"`
	}
	b, err := os.ReadFile(pr)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &run))
	results := map[string]string{}
	for _, p := range run.Policies {
		results[p.ID] = p.Result
	}
	assert.Equal(t, "deny", results["hubgate"], "the last decision (tampered) is what the file holds")
	assert.Equal(t, "deny", results["checksums.digest_match"])
}

func TestEvalGitHubStep(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"RUNNER_TEMP":         dir,
	}
	code, _, errs := runEnv(t, env, release(t, "tampered")...)
	require.Equal(t, 1, code, errs)
	out, err := os.ReadFile(env["GITHUB_OUTPUT"])
	require.NoError(t, err)
	assert.Regexp(t, `(?s)outcome<<(\S+)\nfail\n\S+\n`, string(out))
	assert.Regexp(t, `(?s)allowed<<(\S+)\nfalse\n\S+\n`, string(out))
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	require.NoError(t, err)
	assert.Contains(t, string(summary), "checksums.digest_match")

	// --github outside Actions writes nothing, and says so.
	code, _, errs = runEnv(t, nil, append(release(t, "pass"), "--github")...)
	assert.Equal(t, 0, code)
	assert.Contains(t, errs, "wrote no step summary")
}

func TestEvalUsageErrors(t *testing.T) {
	base := release(t, "pass")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no repo", []string{"eval", "--now", evalNow}, "--repo"},
		{"bad now", append(append([]string{}, base...), "--now", "yesterday"), "RFC 3339"},
		{"two formats on stdout", append(append([]string{}, base...), "-o", "json", "-o", "text"), "only one format"},
		{"unknown format", append(append([]string{}, base...), "-o", "yaml"), "unknown format"},
		{"bad subject digest", append(append([]string{}, base...), "--subject-digest", "x=sha256:abc"), "64"},
		{"missing evidence file", append(append([]string{}, base...), "--sbom", "/nonexistent/sbom.json"), "--sbom"},
		{"bad build time", append(append([]string{}, base...), "--determinism-original-time", "noon"), "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, tt.want)
		})
	}
}
