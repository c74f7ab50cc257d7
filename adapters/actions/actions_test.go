package actions

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v93/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

const (
	testToken = "ghs_testtoken"
	headSHA   = "0123456789abcdef0123456789abcdef01234567"
	mergeSHA  = "fedcba9876543210fedcba9876543210fedcba98"
)

var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func loadDecision(t *testing.T) *policy.Decision {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "report", "decision.json"))
	require.NoError(t, err)
	var d policy.Decision
	require.NoError(t, json.Unmarshal(b, &d))
	return &d
}

func manyFindings(n int) *policy.Decision {
	d := &policy.Decision{ID: "d-many", Outcome: policy.OutcomeFail, Repo: "acme/api", Time: testNow}
	for i := range n {
		o := policy.OutcomeFail
		if i%5 == 0 {
			o = policy.OutcomeWarn
		}
		d.Findings = append(d.Findings, policy.Finding{
			Rule: fmt.Sprintf("workflow.r%d", i%4), Outcome: o, Severity: policy.SeverityHigh,
			Message: fmt.Sprintf("finding %d", i), Evidence: fmt.Sprintf(".github/workflows/w%d.yml", i), Line: i % 9,
		})
	}
	return d
}

// actionsEnv is a GITHUB_* environment pointing at srv.
func actionsEnv(t *testing.T, srvURL string, extra map[string]string) func(string) string {
	t.Helper()
	m := map[string]string{
		"GITHUB_ACTIONS":    "true",
		"GITHUB_API_URL":    srvURL,
		"GITHUB_SERVER_URL": "https://github.example",
		"GITHUB_REPOSITORY": "acme/api",
		"GITHUB_RUN_ID":     "987",
		"GITHUB_SHA":        mergeSHA,
		"GITHUB_EVENT_NAME": "push",
		"GITHUB_TOKEN":      testToken,
	}
	for k, v := range extra {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func writeEvent(t *testing.T, payload string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(p, []byte(payload), 0o600))
	return p
}

func TestPublishCheckRunLifecycle(t *testing.T) {
	fake, srv := newFakeChecks(t, testToken)
	d := manyFindings(137)
	var log, fallback bytes.Buffer
	res, err := PublishCheckRun(context.Background(), actionsEnv(t, srv.URL, nil), d, nil,
		CheckRunOptions{Name: "supply-chain", Transport: srv.Client().Transport, Log: &log, Fallback: &fallback, Now: func() time.Time { return testNow }})
	require.NoError(t, err)
	require.Empty(t, fake.rejected)
	assert.False(t, res.FellBack)
	assert.Empty(t, fallback.String())
	assert.Equal(t, int64(4242), res.ID)
	assert.Equal(t, 137, res.Annotations)

	require.Len(t, fake.creates, 1, "one create")
	c := fake.creates[0]
	assert.Equal(t, "supply-chain", c["name"])
	assert.Equal(t, mergeSHA, c["head_sha"], "push event: GITHUB_SHA")
	assert.Equal(t, "in_progress", c["status"])
	assert.Equal(t, "https://github.example/acme/api/actions/runs/987", c["details_url"])
	assert.Equal(t, "d-many", c["external_id"])
	assert.NotContains(t, c, "conclusion")

	require.Equal(t, []int{50, 50, 37, 0}, fake.annotationCounts(), "3 annotation PATCHes, then 1 completion")
	for _, p := range fake.patches[:3] {
		assert.NotContains(t, p, "conclusion")
		assert.NotEqual(t, "completed", p["status"])
	}
	done := fake.patches[3]
	assert.Equal(t, "completed", done["status"])
	assert.Equal(t, "failure", done["conclusion"])
	assert.Equal(t, "d-many", done["external_id"])
	assert.Equal(t, "2026-11-28T12:00:00Z", done["completed_at"])
	assert.Contains(t, log.String(), "137 annotations in 3 batches")
}

func TestPublishCheckRunFailureMidwayCompletesAsFailure(t *testing.T) {
	fake, srv := newFakeChecks(t, testToken)
	fake.failPatch = 2
	d := manyFindings(137)
	d.Outcome, d.Allowed = policy.OutcomeWarn, true
	_, err := PublishCheckRun(context.Background(), actionsEnv(t, srv.URL, nil), d, nil, CheckRunOptions{Transport: srv.Client().Transport})
	require.ErrorContains(t, err, "annotations batch 2")
	require.Len(t, fake.creates, 1)
	require.Len(t, fake.patches, 2, "batch 1, then the abort")
	last := fake.patches[1]
	assert.Equal(t, "completed", last["status"])
	assert.Equal(t, "failure", last["conclusion"], "never left in progress, never neutral after a failure")
	assert.Contains(t, last["output"].(map[string]any)["summary"], "could not send annotation batch 2")
}

func TestPublishCheckRunPullRequestHeadSHA(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		payload string
		wantSHA string
		wantErr string
	}{
		{"pull_request uses the head", "pull_request", `{"pull_request":{"head":{"sha":"` + headSHA + `"},"merge_commit_sha":"` + mergeSHA + `"}}`, headSHA, ""},
		{"pull_request_target too", "pull_request_target", `{"pull_request":{"head":{"sha":"` + headSHA + `"}}}`, headSHA, ""},
		{"push uses GITHUB_SHA", "push", `{"after":"` + headSHA + `"}`, mergeSHA, ""},
		{"missing head sha fails closed", "pull_request", `{"pull_request":{"head":{}}}`, "", "pull_request.head.sha"},
		{"bad head sha fails closed", "pull_request", `{"pull_request":{"head":{"sha":"main"}}}`, "", "pull_request.head.sha"},
		{"no pull_request object", "pull_request", `{}`, "", "pull_request: missing"},
		{"unparsable payload", "pull_request", `{`, "", "read event payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := newFakeChecks(t, testToken)
			env := actionsEnv(t, srv.URL, map[string]string{"GITHUB_EVENT_NAME": tt.event, "GITHUB_EVENT_PATH": writeEvent(t, tt.payload)})
			res, err := PublishCheckRun(context.Background(), env, loadDecision(t), nil, CheckRunOptions{Transport: srv.Client().Transport})
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.Empty(t, fake.creates, "nothing is published on the wrong commit")
				return
			}
			require.NoError(t, err)
			require.Len(t, fake.creates, 1)
			assert.Equal(t, tt.wantSHA, fake.creates[0]["head_sha"])
			assert.Equal(t, tt.wantSHA, res.HeadSHA)
			assert.Equal(t, DefaultCheckName, fake.creates[0]["name"])
		})
	}
}

func TestPublishCheckRunForbiddenFallsBack(t *testing.T) {
	fake, srv := newFakeChecks(t, testToken)
	fake.forbidden = true
	var log, fallback bytes.Buffer
	d := loadDecision(t)
	res, err := PublishCheckRun(context.Background(), actionsEnv(t, srv.URL, nil), d, nil,
		CheckRunOptions{Transport: srv.Client().Transport, Log: &log, Fallback: &fallback, StopToken: "STOPTOKEN0123456789"})
	require.NoError(t, err)
	assert.True(t, res.FellBack)
	assert.Empty(t, fake.creates)
	assert.Empty(t, fake.patches, "no update after a refused create")
	assert.Contains(t, log.String(), "403")
	assert.Contains(t, log.String(), "falling back to workflow-command annotations")
	out := fallback.String()
	assert.Contains(t, out, "::error file=.github/workflows/release.yml,line=17,")
	assert.Contains(t, out, "::stop-commands::STOPTOKEN0123456789\n")
	assert.Contains(t, out, "\n::STOPTOKEN0123456789::\n")
}

func TestPublishCheckRunAsGitHubApp(t *testing.T) {
	fake, srv := newFakeChecks(t, testToken)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	require.NoError(t, os.WriteFile(keyFile, pemKey, 0o600))
	for _, tt := range []struct {
		name string
		key  map[string]string
	}{
		{"key in env", map[string]string{"HUBGATE_APP_PRIVATE_KEY": string(pemKey)}},
		{"key file", map[string]string{"HUBGATE_APP_PRIVATE_KEY_FILE": keyFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			extra := map[string]string{
				"GITHUB_TOKEN":                "",
				"GITHUB_API_URL":              srv.URL + "/api/v3",
				"HUBGATE_APP_ID":              "12",
				"HUBGATE_APP_INSTALLATION_ID": "34",
			}
			for k, v := range tt.key {
				extra[k] = v
			}
			before := len(fake.creates)
			_, err := PublishCheckRun(context.Background(), actionsEnv(t, srv.URL, extra), loadDecision(t), nil, CheckRunOptions{Transport: srv.Client().Transport})
			require.NoError(t, err)
			require.Empty(t, fake.rejected)
			assert.Len(t, fake.creates, before+1)
		})
	}
	assert.Equal(t, 2, fake.appTokens, "one installation token per client")
}

func TestPublishCheckRunErrors(t *testing.T) {
	_, srv := newFakeChecks(t, testToken)
	tests := []struct {
		name    string
		extra   map[string]string
		wantErr string
	}{
		{"no repository", map[string]string{"GITHUB_REPOSITORY": ""}, "GITHUB_REPOSITORY"},
		{"bad repository", map[string]string{"GITHUB_REPOSITORY": "a/b/c"}, "GITHUB_REPOSITORY"},
		{"no sha", map[string]string{"GITHUB_SHA": ""}, "GITHUB_SHA"},
		{"no credentials", map[string]string{"GITHUB_TOKEN": ""}, "no credentials"},
		{"wrong token", map[string]string{"GITHUB_TOKEN": "nope"}, "401"},
		{"half an app", map[string]string{"HUBGATE_APP_ID": "12"}, "HUBGATE_APP_INSTALLATION_ID"},
		{"app without key", map[string]string{"HUBGATE_APP_ID": "12", "HUBGATE_APP_INSTALLATION_ID": "34"}, "HUBGATE_APP_PRIVATE_KEY"},
		{"app with a bad key", map[string]string{"HUBGATE_APP_ID": "12", "HUBGATE_APP_INSTALLATION_ID": "34", "HUBGATE_APP_PRIVATE_KEY": "not pem"}, "github app"},
		{"pull_request without payload", map[string]string{"GITHUB_EVENT_NAME": "pull_request"}, "GITHUB_EVENT_PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PublishCheckRun(context.Background(), actionsEnv(t, srv.URL, tt.extra), loadDecision(t), nil, CheckRunOptions{Transport: srv.Client().Transport})
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
	_, err := PublishCheckRun(context.Background(), actionsEnv(t, srv.URL, nil), nil, nil, CheckRunOptions{})
	require.ErrorContains(t, err, "no decision")
}

// The fake server rejects what GitHub rejects, so the tests above would
// catch a reporter that breaks the rules.
func TestFakeChecksEnforcesTheAPI(t *testing.T) {
	fake, srv := newFakeChecks(t, testToken)
	client, err := NewClient(Env{APIURL: srv.URL, Token: testToken}, srv.Client().Transport)
	require.NoError(t, err)
	ctx := context.Background()
	ann := func(level string, start, end int, col bool) *github.CheckRunAnnotation {
		a := &github.CheckRunAnnotation{Path: github.Ptr("a.yml"), StartLine: github.Ptr(start), EndLine: github.Ptr(end), AnnotationLevel: github.Ptr(level), Message: github.Ptr("m")}
		if col {
			a.StartColumn, a.EndColumn = github.Ptr(1), github.Ptr(2)
		}
		return a
	}
	out := func(summary string, anns ...*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.Ptr("t"), Summary: github.Ptr(summary), Annotations: anns}
	}
	many := make([]*github.CheckRunAnnotation, 51)
	for i := range many {
		many[i] = ann("notice", 1, 1, false)
	}
	tests := []struct {
		name string
		opts github.CreateCheckRunOptions
		want string
	}{
		{"no name", github.CreateCheckRunOptions{HeadSHA: headSHA}, "name is required"},
		{"no head_sha", github.CreateCheckRunOptions{Name: "x"}, "head_sha is required"},
		{"completed without conclusion", github.CreateCheckRunOptions{Name: "x", HeadSHA: headSHA, Status: github.Ptr("completed")}, "conclusion is required"},
		{"51 annotations", github.CreateCheckRunOptions{Name: "x", HeadSHA: headSHA, Output: out("s", many...)}, "more than 50"},
		{"bad level", github.CreateCheckRunOptions{Name: "x", HeadSHA: headSHA, Output: out("s", ann("error", 1, 1, false))}, "annotation_level"},
		{"columns on multi-line", github.CreateCheckRunOptions{Name: "x", HeadSHA: headSHA, Output: out("s", ann("notice", 1, 3, true))}, "columns"},
		{"summary too long", github.CreateCheckRunOptions{Name: "x", HeadSHA: headSHA, Output: out(strings.Repeat("é", MaxSummary+1))}, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := client.Checks.CreateCheckRun(ctx, "acme", "api", tt.opts)
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, 422, resp.StatusCode)
			assert.Contains(t, fake.rejected[len(fake.rejected)-1], tt.want)
		})
	}
	t.Run("single-line columns and a full summary pass", func(t *testing.T) {
		_, _, err := client.Checks.CreateCheckRun(ctx, "acme", "api", github.CreateCheckRunOptions{Name: "x", HeadSHA: headSHA, Output: out(strings.Repeat("é", MaxSummary), ann("failure", 2, 2, true))})
		require.NoError(t, err)
	})
}

func TestPlanCheckRun(t *testing.T) {
	tests := []struct {
		name        string
		d           *policy.Decision
		conclusion  string
		annotations int
		batches     int
	}{
		{"fixture denied", loadDecision(t), "failure", 6, 1},
		{"warnings only", &policy.Decision{Outcome: policy.OutcomeWarn, Allowed: true, Findings: []policy.Finding{{Rule: "egress.x", Outcome: policy.OutcomeWarn}}}, "neutral", 1, 1},
		{"all pass", &policy.Decision{Outcome: policy.OutcomePass, Allowed: true, Findings: []policy.Finding{{Rule: "checksums.x", Outcome: policy.OutcomePass}}}, "success", 0, 0},
		{"unknown is never success", &policy.Decision{Outcome: policy.OutcomeUnknown, Allowed: true}, "failure", 0, 0},
		{"exactly 50", manyFindings(50), "failure", 50, 1},
		{"51", manyFindings(51), "failure", 51, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanCheckRun(tt.d, nil, CheckRunInput{HeadSHA: headSHA, StartedAt: testNow, CompletedAt: testNow})
			require.NoError(t, err)
			assert.Equal(t, tt.conclusion, plan.Complete.GetConclusion())
			assert.Equal(t, tt.annotations, plan.Annotations)
			assert.Len(t, plan.Annotate, tt.batches)
			assert.Equal(t, "in_progress", plan.Create.GetStatus())
			assert.Nil(t, plan.Create.Conclusion)
			for _, b := range plan.Annotate {
				assert.LessOrEqual(t, len(b.Output.Annotations), MaxAnnotationsPerRequest)
				for _, a := range b.Output.Annotations {
					assert.Contains(t, []string{"notice", "warning", "failure"}, a.GetAnnotationLevel())
					assert.GreaterOrEqual(t, a.GetStartLine(), 1)
					assert.Nil(t, a.StartColumn)
				}
			}
		})
	}
	t.Run("levels", func(t *testing.T) {
		plan, err := PlanCheckRun(loadDecision(t), nil, CheckRunInput{HeadSHA: headSHA})
		require.NoError(t, err)
		var levels []string
		for _, a := range plan.Annotate[0].Output.Annotations {
			levels = append(levels, a.GetAnnotationLevel())
		}
		assert.Equal(t, []string{"failure", "notice", "failure", "warning", "failure", "failure"}, levels)
		assert.Equal(t, 17, plan.Annotate[0].Output.Annotations[4].GetStartLine())
		assert.Contains(t, plan.Annotate[0].Output.Annotations[1].GetMessage(), "waived through 2027-01-30 (UTC)")
	})
	t.Run("workspace-relative paths", func(t *testing.T) {
		d := loadDecision(t)
		for i := range d.Findings {
			d.Findings[i].Evidence = "/home/runner/work/api/api/" + d.Findings[i].Evidence
		}
		plan, err := PlanCheckRun(d, nil, CheckRunInput{HeadSHA: headSHA, Workspace: "/home/runner/work/api/api"})
		require.NoError(t, err)
		assert.Equal(t, ".github/workflows/release.yml", plan.Annotate[0].Output.Annotations[4].GetPath())
		plan, err = PlanCheckRun(d, nil, CheckRunInput{HeadSHA: headSHA})
		require.NoError(t, err)
		assert.Equal(t, "/home/runner/work/api/api/.github/workflows/release.yml", plan.Annotate[0].Output.Annotations[4].GetPath())
	})
}

func TestSummaryTruncation(t *testing.T) {
	d := manyFindings(4000)
	for i := range d.Findings {
		d.Findings[i].Message = strings.Repeat("ü", 200) + fmt.Sprint(i)
	}
	plan, err := PlanCheckRun(d, nil, CheckRunInput{HeadSHA: headSHA})
	require.NoError(t, err)
	s := plan.Complete.Output.GetSummary()
	n := utf8.RuneCountInString(s)
	assert.LessOrEqual(t, n, MaxSummary)
	assert.Greater(t, n, MaxSummary-1000, "keeps as much as fits")
	assert.True(t, utf8.ValidString(s))
	assert.Regexp(t, `hubgate truncated this text: \d+ of \d+ characters were cut\.`, s)

	short := TruncateChars("short", MaxSummary)
	assert.Equal(t, "short", short)
}

func TestNewClientURLs(t *testing.T) {
	tests := []struct {
		api, want string
	}{
		{"", "https://api.github.com/"},
		{"https://api.github.com", "https://api.github.com/"},
		{"https://ghes.example/api/v3", "https://ghes.example/api/v3/"},
		{"https://api.acme.ghe.com", "https://api.acme.ghe.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			c, err := NewClient(Env{APIURL: tt.api, Token: "t"}, http.DefaultTransport)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

// parseOutputs reads $GITHUB_OUTPUT the way the runner does.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, delim, ok := strings.Cut(line, "<<")
		require.True(t, ok, "line %q is not a heredoc", line)
		var val []string
		closed := false
		for sc.Scan() {
			if sc.Text() == delim {
				closed = true
				break
			}
			val = append(val, sc.Text())
		}
		require.True(t, closed, "heredoc %s not closed", name)
		_, dup := out[name]
		require.False(t, dup, "output %s set twice", name)
		out[name] = strings.Join(val, "\n")
	}
	require.NoError(t, sc.Err())
	return out
}

func TestStep(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	output := filepath.Join(dir, "output")
	require.NoError(t, os.WriteFile(summary, []byte("earlier step\n"), 0o644))
	env := map[string]string{"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output, "RUNNER_TEMP": dir}
	d := loadDecision(t)
	path, err := Step(func(k string) string { return env[k] }, d, nil, "")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "hubgate-decision-d-0123456789abcdef.json"), path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var back policy.Decision
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, d.ID, back.ID)

	sum, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(sum), "earlier step\n## ❌ hubgate: denied"), "appended")

	raw, err := os.ReadFile(output)
	require.NoError(t, err)
	assert.Regexp(t, `^outcome<<ghadelimiter_[0-9a-f]{32}\n`, string(raw))
	assert.Equal(t, map[string]string{"outcome": "error", "allowed": "false", "decision-path": path}, parseOutputs(t, string(raw)))

	t.Run("given decision path, no files set", func(t *testing.T) {
		p, err := Step(func(string) string { return "" }, d, nil, "/x/decision.json")
		require.NoError(t, err)
		assert.Equal(t, "/x/decision.json", p)
	})
	t.Run("a value cannot forge another output", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "output")
		evil := "/tmp/x\nallowed<<EOF\ntrue\nEOF"
		_, err := Step(func(k string) string { return map[string]string{"GITHUB_OUTPUT": out}[k] }, d, nil, evil)
		require.NoError(t, err)
		raw, err := os.ReadFile(out)
		require.NoError(t, err)
		got := parseOutputs(t, string(raw))
		assert.Equal(t, "false", got["allowed"])
		assert.Equal(t, evil, got["decision-path"])
	})
	t.Run("errors", func(t *testing.T) {
		_, err := Step(func(string) string { return "" }, nil, nil, "")
		require.ErrorContains(t, err, "no decision")
		_, err = Step(func(k string) string {
			return map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "missing", "out")}[k]
		}, d, nil, "p")
		require.ErrorContains(t, err, "step outputs")
		_, err = Outputs([][2]string{{"bad name", "v"}})
		require.ErrorContains(t, err, "not a valid output name")
	})
}

func TestStepSummaryLimit(t *testing.T) {
	// A decision whose Markdown report is over 3 MiB.
	d := manyFindings(6000)
	for i := range d.Findings {
		d.Findings[i].Message = strings.Repeat("x", 500) + fmt.Sprint(i)
	}
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	_, err := Step(func(k string) string { return map[string]string{"GITHUB_STEP_SUMMARY": summary}[k] }, d, nil, "p")
	require.NoError(t, err)
	b, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Less(t, len(b), 1<<20)
	assert.LessOrEqual(t, len(b), MaxStepSummary)
	assert.Greater(t, len(b), MaxStepSummary-2048, "keeps as much as fits")
	assert.Regexp(t, `hubgate truncated this summary: \d+ of \d+ bytes were cut`, string(b))

	t.Run("pure truncation of 3 MiB", func(t *testing.T) {
		md := strings.Repeat("| row | ü |\n", 3<<20/13+1)
		require.Greater(t, len(md), 3<<20)
		got := TruncateSummary(md, MaxStepSummary)
		assert.LessOrEqual(t, len(got), MaxStepSummary)
		assert.True(t, utf8.ValidString(got))
		i := strings.Index(got, "\n> [!WARNING]")
		require.Positive(t, i)
		assert.True(t, strings.HasSuffix(got[:i], "| row | ü |\n"), "cut at a line break")
		assert.Contains(t, got, fmt.Sprintf("of %d bytes were cut", len(md)))
		assert.Equal(t, "small\n", TruncateSummary("small\n", MaxStepSummary))
	})
}

// TestAnnotationsSanitiseHostileNames: a Check Run annotation shows no raw
// ANSI or bidi control from an evidence file name.
func TestAnnotationsSanitiseHostileNames(t *testing.T) {
	d := &policy.Decision{ID: "d", Outcome: policy.OutcomeFail, Findings: []policy.Finding{{
		Rule: "evidence_bundle.unlisted", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh,
		Message: "\x1b[2J\x1b[32mALLOWED is not listed", Evidence: "evil\u202etxt.exe",
		Target: "evil\u202etxt.exe", Actual: "\x1b[32mALLOWED",
	}}}
	as := Annotations(d, nil, "")
	require.Len(t, as, 1)
	assert.Equal(t, `\x1b[2J\x1b[32mALLOWED is not listed`, as[0].GetMessage())
	assert.Equal(t, "target: evil\\u202etxt.exe\nexpected: \nactual: \\x1b[32mALLOWED", as[0].GetRawDetails())
}
