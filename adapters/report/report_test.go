package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

func TestRenderDispatch(t *testing.T) {
	d := loadDecision(t)
	tests := []struct {
		name    string
		format  string
		d       *policy.Decision
		wantErr string
	}{
		{"unknown format", "yaml", d, `unknown output format "yaml"`},
		{"empty format", "", d, "unknown output format"},
		{"nil decision", "json", nil, "no decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Render(&buf, tt.format, tt.d, Options{})
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
	for _, f := range Formats() {
		t.Run("format "+f, func(t *testing.T) {
			out := render(t, f, d, Options{StopToken: testToken})
			require.NotEmpty(t, out)
		})
	}
}

func TestTextGroupedWithRemediation(t *testing.T) {
	d := loadDecision(t)
	out := render(t, "text", d, Options{Rules: loadRules(t)})
	// Grouped by check, in check order; the pass-only check shows only its
	// informational notes, without a fix.
	iSum := strings.Index(out, "== checksums: pass\n\n  INFO checksums.listed (info): app.tar.gz is listed with a matching sha256\n    rule:     Every subject is listed\n    where:    dist/SHA256SUMS:3\n    target:   app.tar.gz\n\n")
	iSBOM := strings.Index(out, "== sbom: error")
	iWF := strings.Index(out, "== workflow: fail")
	require.GreaterOrEqual(t, iSum, 0, out)
	require.Greater(t, iSBOM, iSum)
	require.Greater(t, iWF, iSBOM)
	// The waiver is shown through the day its author wrote.
	assert.Contains(t, out, "waived:   through 2027-01-30 (UTC) by security@acme.example")
	// Remediation: the finding's own, else its rule's.
	assert.Contains(t, out, "fix:      Pin the action: uses: actions/checkout@<sha> # v4")
	assert.Contains(t, out, "fix:      Pin each action to a commit SHA with a version comment.")
	// Control characters cannot break lines or colour the terminal.
	assert.Contains(t, out, `100% evil\n::error file=x::injected\r\n`)
	assert.NotContains(t, out, "\x1b")

	colored := render(t, "text", d, Options{Color: true})
	assert.Contains(t, colored, "\x1b[31mDENIED\x1b[0m")

	d.Findings[1].Message = "bad \x1b[2J clear"
	out = render(t, "text", d, Options{})
	assert.NotContains(t, out, "\x1b")
	assert.Contains(t, out, `bad \x1b[2J clear`)
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := compileSchema(t, fixture(t, "sarif/sarif-schema-2.1.0.json"))
	full := loadDecision(t)
	empty := &policy.Decision{Outcome: policy.OutcomePass, Allowed: true}
	noEvidence := loadDecision(t)
	for i := range noEvidence.Findings {
		noEvidence.Findings[i].Evidence = ""
	}
	absolute := loadDecision(t)
	for i := range absolute.Findings {
		absolute.Findings[i].Evidence = "/work/x y/" + absolute.Findings[i].Evidence
	}
	tests := []struct {
		name string
		d    *policy.Decision
	}{
		{"full", full},
		{"empty", empty},
		{"no evidence files", noEvidence},
		{"absolute paths", absolute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "sarif", tt.d, Options{Rules: loadRules(t)})
			require.NoError(t, validateJSON(t, sch, []byte(out)))
		})
	}
	t.Run("schema rejects a broken log", func(t *testing.T) {
		require.Error(t, validateJSON(t, sch, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`)))
		require.Error(t, validateJSON(t, sch, []byte(`{"version":"2.0.0","runs":[]}`)))
	})
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription struct{ Text string }
					Help             struct{ Markdown string }
					Properties       map[string]any
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }
					Region           *struct{ StartLine int }
				}
			}
			PartialFingerprints map[string]string
			Suppressions        []struct{ Kind, Status, Justification string }
		} `json:"results"`
		Properties map[string]any `json:"properties"`
	} `json:"runs"`
}

func parseSARIF(t *testing.T, s string) sarifDoc {
	t.Helper()
	var doc sarifDoc
	require.NoError(t, json.Unmarshal([]byte(s), &doc))
	require.Len(t, doc.Runs, 1)
	return doc
}

func TestSARIFContent(t *testing.T) {
	d := loadDecision(t)
	d.Findings[3].Evidence = `dist\win\app.intoto.jsonl`
	doc := parseSARIF(t, render(t, "sarif", d, Options{Rules: loadRules(t)}))
	run := doc.Runs[0]
	// The plain pass (checksums.listed) is not a result; six others are.
	require.Len(t, run.Results, 6)
	for _, r := range run.Results {
		require.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
		require.Len(t, r.PartialFingerprints[FingerprintKey], 64)
	}
	byRule := map[string]int{}
	for i, r := range run.Results {
		if _, ok := byRule[r.RuleID]; !ok {
			byRule[r.RuleID] = i
		}
	}
	sbom := run.Results[byRule["sbom.evidence"]]
	assert.Equal(t, "error", sbom.Level)
	assert.Nil(t, sbom.Locations[0].PhysicalLocation.Region, "no line, no region")
	wf := run.Results[byRule["workflow.pinned_actions"]]
	require.NotNil(t, wf.Locations[0].PhysicalLocation.Region)
	assert.Equal(t, 17, wf.Locations[0].PhysicalLocation.Region.StartLine)
	assert.Equal(t, ".github/workflows/release.yml", wf.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	prov := run.Results[byRule["provenance.builder_trusted"]]
	assert.Equal(t, "dist/win/app.intoto.jsonl", prov.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, "warning", run.Results[byRule["egress.blocked_hosts"]].Level)
	waived := run.Results[byRule["vulnerabilities.max_cvss"]]
	require.Len(t, waived.Suppressions, 1)
	assert.Equal(t, "external", waived.Suppressions[0].Kind)
	assert.Contains(t, waived.Suppressions[0].Justification, "not reachable")
	for _, r := range run.Results {
		if r.RuleID != "vulnerabilities.max_cvss" {
			assert.Empty(t, r.Suppressions, r.RuleID)
		}
	}
	var prule = run.Tool.Driver.Rules[prov.RuleIndex]
	assert.Equal(t, "9.5", prule.Properties["security-severity"])
	assert.Equal(t, "The builder is trusted", prule.ShortDescription.Text)
	assert.Contains(t, prule.Help.Markdown, "**Remediation:**")
	assert.Equal(t, false, run.Properties["hubgate/truncated"])
}

func TestFingerprint(t *testing.T) {
	base := policy.Finding{Rule: "workflow.pinned_actions", Evidence: ".github/workflows/a.yml", Target: "x@v1", Path: "jobs.a.steps[0].uses", Message: "m", Line: 3}
	fp := Fingerprint(base)
	tests := []struct {
		name   string
		change func(*policy.Finding)
		same   bool
	}{
		{"message", func(f *policy.Finding) { f.Message = "reworded" }, true},
		{"line", func(f *policy.Finding) { f.Line = 9 }, true},
		{"outcome", func(f *policy.Finding) { f.Outcome = policy.OutcomeWarn }, true},
		{"backslashes", func(f *policy.Finding) { f.Evidence = `.github\workflows\a.yml` }, true},
		{"rule", func(f *policy.Finding) { f.Rule = "workflow.other" }, false},
		{"evidence", func(f *policy.Finding) { f.Evidence = "b.yml" }, false},
		{"target", func(f *policy.Finding) { f.Target = "y@v1" }, false},
		{"path", func(f *policy.Finding) { f.Path = "jobs.b" }, false},
		{"boundary shift", func(f *policy.Finding) { f.Target = "x@v1jobs"; f.Path = ".a.steps[0].uses" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.change(&f)
			if tt.same {
				assert.Equal(t, fp, Fingerprint(f))
			} else {
				assert.NotEqual(t, fp, Fingerprint(f))
			}
		})
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dist/app.json", "dist/app.json"},
		{"./dist/app.json", "dist/app.json"},
		{`dist\app.json`, "dist/app.json"},
		{"dist/a b.json", "dist/a%20b.json"},
		{"/abs/x.json", "file:///abs/x.json"},
		{`C:\w\x.json`, "file:///C:/w/x.json"},
		{"a:b.json", "./a:b.json"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, ArtifactURI(tt.in))
		})
	}
}

func manyFindings(n int, outcome policy.Outcome) *policy.Decision {
	d := &policy.Decision{ID: "d-many", Outcome: outcome, Repo: "acme/api", Time: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	for i := range n {
		d.Findings = append(d.Findings, policy.Finding{
			Rule: fmt.Sprintf("workflow.r%d", i%3), Outcome: outcome, Severity: policy.SeverityHigh,
			Message: fmt.Sprintf("finding %d", i), Evidence: fmt.Sprintf("f%d.yml", i), Line: i%7 + 1,
		})
	}
	return d
}

func TestSARIFTruncatesAtGitHubLimit(t *testing.T) {
	d := manyFindings(MaxSARIFResults+17, policy.OutcomeFail)
	out := render(t, "sarif", d, Options{})
	doc := parseSARIF(t, out)
	run := doc.Runs[0]
	require.Len(t, run.Results, MaxSARIFResults)
	assert.Equal(t, true, run.Properties["hubgate/truncated"])
	assert.EqualValues(t, 17, run.Properties["hubgate/resultsOmitted"])
	// Deterministic: the first results in decision order are kept.
	assert.Equal(t, "finding 0", run.Results[0].Message.Text)
	assert.Equal(t, fmt.Sprintf("finding %d", MaxSARIFResults-1), run.Results[MaxSARIFResults-1].Message.Text)
	require.NoError(t, validateJSON(t, compileSchema(t, fixture(t, "sarif/sarif-schema-2.1.0.json")), []byte(out)))
}

// runnerCommands reads workflow-command output the way the Actions runner
// does: a line starting with "::" is a command unless commands are stopped;
// "::stop-commands::TOKEN" stops them until a line "::TOKEN::". It returns
// the command names with their raw property and data parts.
type command struct{ name, props, data string }

func runnerCommands(t *testing.T, out string) []command {
	t.Helper()
	var cmds []command
	stopped := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if stopped != "" {
			if line == "::"+stopped+"::" {
				stopped = ""
			}
			continue
		}
		if !strings.HasPrefix(line, "::") {
			continue
		}
		rest := line[2:]
		end := strings.Index(rest, "::")
		if end < 0 {
			continue
		}
		head, data := rest[:end], rest[end+2:]
		name, props, _ := strings.Cut(head, " ")
		cmds = append(cmds, command{name: name, props: props, data: data})
		if name == "stop-commands" {
			stopped = data
		}
	}
	require.NoError(t, sc.Err())
	require.Empty(t, stopped, "stop-commands never resumed")
	return cmds
}

func unescapeData(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

func TestGitHubCannotBeInjected(t *testing.T) {
	nasty := "100% evil\n::error file=x::injected\r\n::add-mask::secret, yes: really\n::stop-commands::x\n::endgroup::"
	d := &policy.Decision{ID: "d", Outcome: policy.OutcomeFail, Repo: "acme/api", Findings: []policy.Finding{{
		Rule: "workflow.x", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh,
		Message: nasty, Evidence: "a,b:c\n::warning::x.yml", Line: 4, Target: nasty, Remediation: nasty,
	}}}
	for _, token := range []string{testToken, ""} {
		t.Run("token "+token, func(t *testing.T) {
			out := render(t, "github", d, Options{StopToken: token})
			cmds := runnerCommands(t, out)
			var names []string
			for _, c := range cmds {
				names = append(names, c.name)
			}
			require.Equal(t, []string{"error", "group", "stop-commands", "endgroup"}, names)
			ann := cmds[0]
			// The message reaches the runner as one inert line: the runner's
			// unescaping gives back the sanitised text, newlines as escapes.
			assert.Equal(t, Sanitize(nasty), unescapeData(ann.data))
			assert.NotContains(t, unescapeData(ann.data), "\n")
			// Properties carry no raw separator characters.
			for _, p := range strings.Split(ann.props, ",") {
				k, v, ok := strings.Cut(p, "=")
				require.True(t, ok, p)
				assert.NotContains(t, v, ":", k)
				assert.NotContains(t, v, "\n", k)
			}
			assert.Contains(t, ann.props, `file=a%2Cb%3Ac\n%3A%3Awarning%3A%3Ax.yml`)
			assert.Contains(t, ann.props, "line=4")
			if token == "" {
				tok := cmds[1+1].data
				assert.Regexp(t, `^[0-9a-f]{32}$`, tok)
				out2 := render(t, "github", d, Options{})
				assert.NotContains(t, out2, tok, "a fresh token per call")
			}
		})
	}
}

func TestGitHubLimitsPerLevel(t *testing.T) {
	d := manyFindings(25, policy.OutcomeFail)
	for i := range 3 {
		d.Findings = append(d.Findings, policy.Finding{Rule: "egress.w", Outcome: policy.OutcomeWarn, Message: fmt.Sprint("w", i)})
	}
	out := render(t, "github", d, Options{StopToken: testToken})
	count := map[string]int{}
	for _, c := range runnerCommands(t, out) {
		count[c.name]++
	}
	assert.Equal(t, MaxAnnotationsPerLevel, count["error"])
	assert.Equal(t, 3, count["warning"])
	assert.Contains(t, out, "hubgate: 15 more error finding(s) not annotated")
	assert.NotContains(t, out, "more warning")
}

func TestGitHubTokenChecks(t *testing.T) {
	d := loadDecision(t)
	tests := []struct {
		name, token, msg, wantErr string
	}{
		{"short token", "abc", "", "at least 16"},
		{"token with colon", "abcdefghijklmnop:q", "", "at least 16"},
		{"token in text", testToken, "contains " + testToken, "occurs in the report text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.msg != "" {
				d.Findings[1].Message = tt.msg
			}
			var buf bytes.Buffer
			require.ErrorContains(t, GitHub(&buf, d, Options{StopToken: tt.token}), tt.wantErr)
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"50%", "50%25", "50%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"%0A", "%250A", "%250A"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.data, EscapeData(tt.in))
			assert.Equal(t, tt.prop, EscapeProperty(tt.in))
		})
	}
}

func TestMarkdownEscapes(t *testing.T) {
	d := loadDecision(t)
	d.Findings[2].Waiver.Reason = "a | b <img src=x onerror=alert(1)>\nnew row"
	out := render(t, "markdown", d, Options{Rules: loadRules(t)})
	assert.NotContains(t, out, "<script>")
	assert.NotContains(t, out, "<img")
	assert.Contains(t, out, `a \| b &lt;img src=x onerror=alert(1)&gt;\\nnew row`)
	// Every table row keeps its column count: no cell leaked a pipe.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| `vulnerabilities.max_cvss`") {
			assert.Equal(t, 6, strings.Count(line, "|")-strings.Count(line, `\|`), line)
		}
	}
	// A details section per failing check, none for the passing one.
	assert.Contains(t, out, "### ❌ provenance: fail")
	assert.Contains(t, out, "### ❌ sbom: error")
	assert.NotContains(t, out, "### ✅")
	assert.Contains(t, out, "### Waived")
}

func TestJUnitStructure(t *testing.T) {
	out := render(t, "junit", loadDecision(t), Options{Rules: loadRules(t)})
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failures  []struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
				} `xml:"failure"`
				Errors []struct{} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 6, doc.Tests)
	assert.Equal(t, 3, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	cases := doc.Suites[0].Cases
	require.Len(t, cases, 6)
	fails := map[string]int{}
	for _, c := range cases {
		assert.Equal(t, "hubgate."+c.Name, c.Classname)
		fails[c.Name] = len(c.Failures)
	}
	assert.Equal(t, map[string]int{"checksums": 0, "sbom": 0, "vulnerabilities": 0, "provenance": 1, "egress": 0, "workflow": 2}, fails)
	// The injected message survives as data, on one line: its newlines are
	// shown as escapes (Sanitize), as in every renderer.
	assert.Equal(t, `100% evil\n::error file=x::injected\r\n::add-mask::secret, yes: really`, cases[5].Failures[1].Message)
}

func TestWriteDecisionLog(t *testing.T) {
	d := loadDecision(t)
	var buf bytes.Buffer
	require.NoError(t, WriteDecisionLog(&buf, d))
	require.NoError(t, WriteDecisionLog(&buf, d))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 2, "one line per decision")
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &got))
	assert.Equal(t, "d-0123456789abcdef", got["decision_id"])
	assert.Equal(t, "2026-11-28T00:00:00Z", got["time"])
	assert.Equal(t, "acme/api", got["repo"])
	assert.Equal(t, "error", got["outcome"])
	assert.Equal(t, false, got["allowed"])
	assert.Equal(t, d.Policy.Digest, got["policy_digest"])
	assert.Len(t, got["inputs"], 4)
	assert.Len(t, got["findings"], 7)
	assert.Contains(t, lines[0], `"digest":{"sha256":"2222`)
	// Never the evidence values themselves.
	assert.NotContains(t, lines[0], "pkg:/x")
	assert.NotContains(t, lines[0], `"actual"`)

	long := loadDecision(t)
	long.Findings[0].Message = strings.Repeat("é", 5000)
	buf.Reset()
	require.NoError(t, WriteDecisionLog(&buf, long))
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &got))
	msg := got["findings"].([]any)[0].(map[string]any)["message"].(string)
	assert.LessOrEqual(t, len(msg), maxLogMessage)
	assert.True(t, strings.HasPrefix(msg, "éé"))

	require.Error(t, WriteDecisionLog(&buf, nil))
}

func TestPipelineRunMergesIntoSchema(t *testing.T) {
	sch := compileSchema(t, fixture(t, "report/pipeline_run.v1.2.json"))
	sample, err := os.ReadFile(fixture(t, "report/pipeline_run_sample.ndjson"))
	require.NoError(t, err)
	require.NoError(t, validateJSON(t, sch, bytes.TrimSpace(sample)), "the sample is valid on its own")

	merge := func(t *testing.T, entries []byte) []byte {
		t.Helper()
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sample, &rec))
		var part struct {
			Policies []any `json:"policies"`
		}
		require.NoError(t, json.Unmarshal(entries, &part))
		existing, _ := rec["policies"].([]any)
		rec["policies"] = append(existing, part.Policies...)
		out, err := json.Marshal(rec)
		require.NoError(t, err)
		return out
	}
	tests := []struct {
		name string
		d    *policy.Decision
	}{
		{"denied", loadDecision(t)},
		{"allowed", &policy.Decision{ID: "d-ok", Outcome: policy.OutcomePass, Allowed: true, Time: time.Unix(0, 5)}},
		{"before 1970", &policy.Decision{ID: "d-old", Outcome: policy.OutcomeWarn, Allowed: true, Time: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WritePipelineRun(&buf, tt.d, loadRules(t)))
			require.NoError(t, validateJSON(t, sch, merge(t, buf.Bytes())))
		})
	}
	t.Run("schema rejects a bad entry", func(t *testing.T) {
		bad := merge(t, []byte(`{"policies":[{"id":"x","result":"maybe"}]}`))
		require.Error(t, validateJSON(t, sch, bad))
		bad = merge(t, []byte(`{"policies":[{"id":"x","result":"allow","docs_uri":"not a uri"}]}`))
		require.Error(t, validateJSON(t, sch, bad))
	})
	t.Run("results", func(t *testing.T) {
		es := PolicyEntries(loadDecision(t), loadRules(t))
		got := map[string]string{}
		for _, e := range es {
			got[e.ID] = e.Result
		}
		assert.Equal(t, map[string]string{
			"hubgate": "deny", "checksums.listed": "allow", "sbom.evidence": "deny",
			"vulnerabilities.max_cvss": "allow", "provenance.builder_trusted": "deny",
			"egress.blocked_hosts": "warn", "workflow.pinned_actions": "deny",
		}, got)
		assert.Equal(t, "hubgate", es[0].ID)
		unknown := PolicyEntries(&policy.Decision{Findings: []policy.Finding{{Rule: "x.y", Outcome: policy.OutcomeWarn, Message: "m"}}}, nil)
		require.Len(t, unknown, 2)
		assert.Equal(t, PolicyEntry{ID: "x.y", Result: "warn", Reason: "m"}, unknown[1])
		assert.Equal(t, "deny", unknown[0].Result, "an unknown outcome is never allowed")
	})
}

func TestUseColor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	var buf bytes.Buffer
	f, err := os.CreateTemp(t.TempDir(), "out")
	require.NoError(t, err)
	defer f.Close()
	tests := []struct {
		name string
		w    io.Writer
		env  map[string]string
	}{
		{"buffer", &buf, nil},
		{"regular file", f, nil},
		{"NO_COLOR", f, map[string]string{"NO_COLOR": "1"}},
		{"dumb terminal", f, map[string]string{"TERM": "dumb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.False(t, UseColor(tt.w, env(tt.env)))
		})
	}

	// On a real terminal, colour is on unless NO_COLOR or TERM=dumb say no.
	tty := openPTY(t)
	assert.True(t, UseColor(tty, env(nil)), "a terminal gets colour")
	assert.False(t, UseColor(tty, env(map[string]string{"NO_COLOR": "1"})), "NO_COLOR wins on a terminal")
	assert.False(t, UseColor(tty, env(map[string]string{"TERM": "dumb"})))
}

// openPTY opens a pseudo-terminal and returns its terminal side, skipping
// the test where the system has none.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pty number: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

func TestRoot(t *testing.T) {
	tests := []struct{ root, in, want string }{
		{"", "/w/a.yml", "/w/a.yml"},
		{"/w", "/w/a.yml", "a.yml"},
		{"/w/", "/w/dir/a.yml", "dir/a.yml"},
		{"/w", "/wx/a.yml", "/wx/a.yml"},
		{"/w", "rel/a.yml", "rel/a.yml"},
		{"/w", "/w", "/w"},
		{`C:\w`, `C:\w\d\a.yml`, "d/a.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.root+" "+tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Rel(tt.root, tt.in))
		})
	}
	d := loadDecision(t)
	rel := parseSARIF(t, render(t, "sarif", d, Options{}))
	for i := range d.Findings {
		d.Findings[i].Evidence = "/home/runner/work/api/api/" + d.Findings[i].Evidence
	}
	abs := parseSARIF(t, render(t, "sarif", d, Options{Root: "/home/runner/work/api/api"}))
	require.Equal(t, len(rel.Runs[0].Results), len(abs.Runs[0].Results))
	for i := range rel.Runs[0].Results {
		assert.Equal(t, rel.Runs[0].Results[i].Locations, abs.Runs[0].Results[i].Locations)
		assert.Equal(t, rel.Runs[0].Results[i].PartialFingerprints, abs.Runs[0].Results[i].PartialFingerprints, "fingerprints do not depend on the workspace")
	}
	gh := render(t, "github", d, Options{Root: "/home/runner/work/api/api", StopToken: testToken})
	assert.Contains(t, gh, "::error file=.github/workflows/release.yml,line=17,")
}

// A release's text report lists a user kind whose rules found nothing as
// passing, but never the kinds that do not judge a release (admission,
// job, verify vsa), whatever the catalogue holds.
func TestTextLeavesNonReleaseKindsOut(t *testing.T) {
	d := &policy.Decision{Repo: "acme/app", Allowed: true, Outcome: policy.OutcomePass,
		Checks: []policy.Check{{Kind: policy.KindChecksums, Outcome: policy.OutcomePass}}}
	rules := []policy.RuleInfo{
		{ID: "checksums.digest_match", Kind: policy.KindChecksums, Source: "rego/checksums.rego:1"},
		{ID: "job.enabled", Kind: policy.KindJob, Source: "rego/job.rego:28"},
		{ID: "vsa_verify.summary", Kind: policy.KindVSAVerify, Source: "rego/vsa_verify.rego:40"},
		{ID: "admission.vsa", Kind: policy.KindAdmission, Source: "rego/admission.rego:150"},
		{ID: "licenses.allowed", Kind: "licenses", Source: "policy/licenses.rego:3"},
	}
	var b strings.Builder
	require.NoError(t, Text(&b, d, Options{Rules: rules}))
	out := b.String()
	assert.Contains(t, out, "licenses ")
	for _, k := range []string{"job ", "vsa_verify", "admission"} {
		assert.NotContains(t, out, "\n"+k, out)
	}
}
