package report

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cicd-hub/hubgate/policy"
)

// MaxAnnotationsPerLevel is how many workflow-command annotations of one
// level (error, warning, notice) GitHub shows per step; the github renderer
// writes at most this many per level and counts the rest.
const MaxAnnotationsPerLevel = 10

// GitHub writes d as GitHub Actions workflow commands:
//
//   - one ::error (fail, error), ::warning (warn) or ::notice (waived)
//     annotation per reported finding, with file, line and title
//     properties, at most [MaxAnnotationsPerLevel] per level, then a plain
//     line counting the findings left out;
//   - the text report inside a group, wrapped in ::stop-commands::TOKEN …
//     ::TOKEN:: so that nothing in it (messages, paths, remediations come
//     from evidence) is read as a workflow command.
//
// Annotation data and properties are first made inert with [Sanitize]
// (control characters, ANSI escape sequences and bidi controls from file
// names never reach the log viewer raw), then escaped as the runner
// documents (data: % CR LF; properties also : and ,), so a finding cannot
// start a command of its own. TOKEN is opts.StopToken, or 16 random bytes in hex.
func GitHub(w io.Writer, d *policy.Decision, opts Options) error {
	token := opts.StopToken
	if token == "" {
		var err error
		if token, err = NewStopToken(); err != nil {
			return err
		}
	}
	if !validToken(token) {
		return errors.New("github: stop-commands token must be at least 16 letters or digits")
	}
	var body bytes.Buffer
	if err := Text(&body, d, Options{Rules: opts.Rules}); err != nil {
		return err
	}
	if bytes.Contains(body.Bytes(), []byte(token)) {
		// Only a fixed, leaked token can get here; refuse rather than let the
		// text end the stop-commands block early.
		return errors.New("github: stop-commands token occurs in the report text")
	}

	bw := bufio.NewWriter(w)
	cat := newCatalogue(opts.Rules)
	count := map[string]int{}
	for _, f := range d.Findings {
		if !reported(f) {
			continue
		}
		level := commandLevel(f)
		count[level]++
		if count[level] > MaxAnnotationsPerLevel {
			continue
		}
		f.Evidence = Rel(opts.Root, f.Evidence)
		bw.WriteString(Annotation(level, f, cat.title(f)))
		bw.WriteByte('\n')
	}
	for _, level := range []string{"error", "warning", "notice"} {
		if n := count[level] - MaxAnnotationsPerLevel; n > 0 {
			fmt.Fprintf(bw, "hubgate: %d more %s finding(s) not annotated (GitHub shows %d per level); see the report below\n", n, level, MaxAnnotationsPerLevel)
		}
	}
	verdict := "denied"
	if d.Allowed {
		verdict = "allowed"
	}
	fmt.Fprintf(bw, "::group::hubgate %s (%s)\n", verdict, d.Outcome)
	fmt.Fprintf(bw, "::stop-commands::%s\n", token)
	bw.Write(body.Bytes())
	if body.Len() > 0 && body.Bytes()[body.Len()-1] != '\n' {
		bw.WriteByte('\n')
	}
	fmt.Fprintf(bw, "::%s::\n", token)
	fmt.Fprintf(bw, "::endgroup::\n")
	return bw.Flush()
}

// NewStopToken returns a fresh stop-commands token: 16 bytes from
// crypto/rand, in hex.
func NewStopToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("stop-commands token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func validToken(t string) bool {
	if len(t) < 16 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func commandLevel(f policy.Finding) string {
	switch {
	case f.Waiver != nil:
		return "notice"
	case f.Outcome == policy.OutcomeWarn:
		return "warning"
	case f.Outcome == policy.OutcomePass:
		return "notice"
	default:
		return "error"
	}
}

// Annotation returns one workflow command line (without the newline) for f
// at level ("error", "warning" or "notice"), with file and line properties
// when the finding has them and title set to "<rule>: <title>". Every value
// is passed through [Sanitize] before it is escaped.
func Annotation(level string, f policy.Finding, title string) string {
	var props []string
	if f.Evidence != "" {
		props = append(props, "file="+EscapeProperty(Sanitize(strings.ReplaceAll(f.Evidence, `\`, "/"))))
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line))
		}
	}
	t := f.Rule
	if title != "" && title != f.Rule {
		t += ": " + title
	}
	props = append(props, "title="+EscapeProperty(Sanitize(t)))
	msg := f.Message
	if f.Waiver != nil {
		msg = "waived: " + msg + " (" + f.Waiver.Reason + ")"
	}
	return "::" + level + " " + strings.Join(props, ",") + "::" + EscapeData(Sanitize(msg))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// EscapeData escapes a workflow command's message as the Actions runner
// expects: % → %25, CR → %0D, LF → %0A.
func EscapeData(s string) string { return dataEscaper.Replace(s) }

// EscapeProperty escapes a workflow command property value: as [EscapeData],
// plus : → %3A and , → %2C.
func EscapeProperty(s string) string { return propertyEscaper.Replace(s) }
