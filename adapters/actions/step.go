package actions

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/policy"
)

// MaxStepSummary is the most bytes hubgate appends to $GITHUB_STEP_SUMMARY:
// GitHub rejects a step summary of 1 MiB or more, so stay a little under.
const MaxStepSummary = 1<<20 - 1<<10

// Step writes the GitHub Actions step files for d, as `hubgate eval` does
// under --github or GITHUB_ACTIONS=true:
//
//   - $GITHUB_STEP_SUMMARY: the Markdown report, appended, truncated with a
//     note to at most [MaxStepSummary] bytes;
//   - $GITHUB_OUTPUT: outcome, allowed and decision-path, each in the heredoc
//     form name<<DELIMITER with a fresh random delimiter.
//
// decisionPath is where the caller wrote the decision JSON; when it is
// empty, Step writes the decision to $RUNNER_TEMP (or the system temporary
// folder) as hubgate-decision-<id>.json and reports that path. A file
// variable that is not set is skipped; Step returns the path it reported.
func Step(getenv func(string) string, d *policy.Decision, rules []policy.RuleInfo, decisionPath string) (string, error) {
	if d == nil {
		return "", errors.New("actions step: no decision")
	}
	env := EnvFrom(getenv)
	if decisionPath == "" {
		p, err := writeDecision(env.RunnerTemp, d)
		if err != nil {
			return "", err
		}
		decisionPath = p
	}
	if env.StepSummary != "" {
		var md bytes.Buffer
		if err := report.Markdown(&md, d, report.Options{Rules: rules}); err != nil {
			return "", fmt.Errorf("step summary: %w", err)
		}
		if err := appendFile(env.StepSummary, TruncateSummary(md.String(), MaxStepSummary)); err != nil {
			return "", fmt.Errorf("step summary: %w", err)
		}
	}
	if env.Output != "" {
		out, err := Outputs([][2]string{
			{"outcome", d.Outcome.String()},
			{"allowed", strconv.FormatBool(d.Allowed)},
			{"decision-path", decisionPath},
		})
		if err != nil {
			return "", err
		}
		if err := appendFile(env.Output, out); err != nil {
			return "", fmt.Errorf("step outputs: %w", err)
		}
	}
	return decisionPath, nil
}

func writeDecision(dir string, d *policy.Decision) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	name := "hubgate-decision.json"
	if d.ID != "" && !strings.ContainsAny(d.ID, `/\`) && d.ID != ".." {
		name = "hubgate-decision-" + d.ID + ".json"
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, d); err != nil {
		return "", fmt.Errorf("write decision: %w", err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write decision: %w", err)
	}
	return p, nil
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// TruncateSummary returns md when it fits in limit bytes; otherwise it cuts
// md at the last line break that leaves room, and appends a note saying how
// many bytes of how many were cut. The result is at most limit bytes.
func TruncateSummary(md string, limit int) string {
	if len(md) <= limit {
		return md
	}
	note := func(cut int) string {
		return fmt.Sprintf("\n> [!WARNING]\n> hubgate truncated this summary: %d of %d bytes were cut to stay under GitHub's limit. The full report is in the job log and the decision JSON.\n", cut, len(md))
	}
	// One byte spare for a newline that ends a cut line.
	room := max(limit-len(note(len(md)))-1, 0)
	keep := md[:room]
	if i := strings.LastIndexByte(keep, '\n'); i >= 0 {
		keep = keep[:i+1]
	} else {
		keep = cutUTF8(keep, len(keep))
		if keep != "" {
			keep += "\n"
		}
	}
	return keep + note(len(md)-min(len(keep), len(md)))
}

// cutUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Outputs formats step outputs for $GITHUB_OUTPUT in the heredoc form:
//
//	name<<ghadelimiter_<random>
//	value
//	ghadelimiter_<random>
//
// The delimiter is 16 random bytes, and it is an error (never a silent
// pass) if a value contains it or a name is not a plain identifier.
func Outputs(kv [][2]string) (string, error) {
	var b strings.Builder
	for _, p := range kv {
		name, value := p[0], p[1]
		if !validOutputName(name) {
			return "", fmt.Errorf("step outputs: %q is not a valid output name", name)
		}
		delim, err := newDelimiter()
		if err != nil {
			return "", err
		}
		if strings.Contains(value, delim) || strings.Contains(name, delim) {
			return "", fmt.Errorf("step outputs: %s: value contains the delimiter", name)
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", name, delim, value, delim)
	}
	return b.String(), nil
}

func newDelimiter() (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("step outputs: delimiter: %w", err)
	}
	return "ghadelimiter_" + hex.EncodeToString(r[:]), nil
}

func validOutputName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
