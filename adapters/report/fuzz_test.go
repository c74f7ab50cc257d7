package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/cicd-hub/hubgate/policy"
)

// FuzzRenderers feeds untrusted strings (as evidence would) through every
// renderer: none may fail or panic, JSON-based outputs must stay valid, the
// JUnit XML must parse, the github output must contain exactly the
// commands hubgate meant to write, and no raw control or bidi character
// reaches the text, markdown or github output.
func FuzzRenderers(f *testing.F) {
	f.Add("msg", "file.json", "target", "path", 3, uint8(3))
	f.Add("100%\n::error::x\r\n", "a,b:c", "::stop-commands::x", "]]><x>", 0, uint8(2))
	f.Add("<script>|`*_[x](y)", `..\..\x`, "\x00\x1b[2J", "\xff\xfe", -5, uint8(9))
	f.Add("\x1b[2J\x1b[32mALLOWED", "evil\u202etxt.exe", "\u2066x\u2069\u200f", "\u0085\u009b", 1, uint8(1))
	f.Fuzz(func(t *testing.T, msg, evidence, target, path string, line int, outcome uint8) {
		d := &policy.Decision{
			ID: "d", Outcome: policy.Outcome(outcome % 5), Repo: target,
			Subjects: []policy.Subject{{Name: evidence, Digest: policy.Digest{"sha256": path}}},
			Findings: []policy.Finding{
				{Rule: "workflow." + path, Outcome: policy.Outcome(outcome % 5), Severity: policy.Severity(outcome % 6), Message: msg, Evidence: evidence, Path: path, Line: line, Target: target, Remediation: msg},
				{Rule: "sbom.x", Outcome: policy.OutcomeFail, Message: target, Evidence: path, Waiver: &policy.Waiver{Reason: msg, Owner: target}},
			},
		}
		opts := Options{StopToken: "FUZZTOKEN0123456789abcdef"}
		for _, format := range Formats() {
			var buf bytes.Buffer
			err := Render(&buf, format, d, opts)
			if format == "github" && strings.Contains(msg+evidence+target+path, opts.StopToken) {
				continue // refused on purpose
			}
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if format == "text" || format == "markdown" || format == "github" {
				if r, bad := hostileRaw(buf.String()); bad {
					t.Fatalf("%s: raw %U in the output", format, r)
				}
			}
			switch format {
			case "json", "sarif":
				if !json.Valid(buf.Bytes()) {
					t.Fatalf("%s: invalid JSON", format)
				}
			case "junit":
				dec := xml.NewDecoder(&buf)
				for {
					if _, err := dec.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("junit: %v", err)
					}
				}
			case "github":
				stopped := false
				for _, l := range strings.Split(buf.String(), "\n") {
					if stopped {
						stopped = l != "::"+opts.StopToken+"::"
						continue
					}
					if !strings.HasPrefix(l, "::") {
						continue
					}
					end := strings.IndexAny(l[2:], " :")
					if end < 0 {
						t.Fatalf("github: malformed command line %q", l)
					}
					name := l[2 : end+2]
					switch name {
					case "error", "warning", "notice", "group", "endgroup":
					case "stop-commands":
						stopped = true
					default:
						t.Fatalf("github: unexpected command %q in %q", name, l)
					}
				}
			}
		}
		var buf bytes.Buffer
		if err := WriteDecisionLog(&buf, d); err != nil || bytes.Count(buf.Bytes(), []byte("\n")) != 1 || !json.Valid(buf.Bytes()) {
			t.Fatalf("decision log: %v %q", err, buf.String())
		}
	})
}

func BenchmarkRender(b *testing.B) {
	d := &policy.Decision{ID: "d", Outcome: policy.OutcomeFail, Repo: "acme/api"}
	for i := range 1000 {
		d.Findings = append(d.Findings, policy.Finding{Rule: "workflow.r", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh, Message: strings.Repeat("m", 100), Evidence: "w.yml", Line: i + 1, Target: "t"})
	}
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			opts := Options{StopToken: "BENCHTOKEN0123456789"}
			b.ReportAllocs()
			for b.Loop() {
				if err := Render(io.Discard, format, d, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
