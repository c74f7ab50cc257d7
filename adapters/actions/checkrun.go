package actions

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v93/github"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/policy"
)

// Check Run API limits, from GitHub's REST documentation.
const (
	// MaxAnnotationsPerRequest is the most annotations one create or update
	// request may carry.
	MaxAnnotationsPerRequest = 50
	// MaxSummary is the most characters output.summary may hold.
	MaxSummary = 65535
	// maxAnnotationMessage bounds an annotation's message (characters).
	maxAnnotationMessage = 64 << 10
	// maxAnnotationTitle bounds an annotation's title (characters).
	maxAnnotationTitle = 255
)

// DefaultCheckName is the Check Run name when none is given.
const DefaultCheckName = "hubgate"

// CheckRunInput is what a Check Run needs besides the decision.
type CheckRunInput struct {
	// Name is the check's name (DefaultCheckName when empty).
	Name string
	// HeadSHA is the commit the check belongs to (Env.HeadSHA).
	HeadSHA string
	// DetailsURL is the workflow run's URL (Env.RunURL); empty omits it.
	DetailsURL string
	// Workspace, when set, is the checkout folder (GITHUB_WORKSPACE):
	// absolute evidence paths inside it are annotated relative to it.
	Workspace string
	// StartedAt and CompletedAt are the check's timestamps.
	StartedAt, CompletedAt time.Time
}

// CheckRunPlan is every request of one Check Run's lifecycle, built purely.
type CheckRunPlan struct {
	// Create starts the run: status in_progress, no annotations.
	Create github.CreateCheckRunOptions
	// Annotate are the PATCHes that add annotations, at most
	// MaxAnnotationsPerRequest each.
	Annotate []github.UpdateCheckRunOptions
	// Complete ends the run with its conclusion and summary.
	Complete github.UpdateCheckRunOptions
	// Annotations counts the annotations over all batches.
	Annotations int
}

// Conclusion maps a decision to a Check Run conclusion: failure when it is
// not allowed (a fail, an error, or nothing decided), neutral when it is
// allowed with warnings, success when everything passed.
func Conclusion(d *policy.Decision) string {
	switch {
	case !d.Allowed || !d.Outcome.Allowed():
		return "failure"
	case d.Outcome == policy.OutcomeWarn:
		return "neutral"
	default:
		return "success"
	}
}

// AnnotationLevel maps a finding to a Check Run annotation level: failure
// for fail and error, warning for warn, notice for waived findings and notes.
func AnnotationLevel(f policy.Finding) string {
	switch {
	case f.Waiver != nil, f.Outcome == policy.OutcomePass:
		return "notice"
	case f.Outcome == policy.OutcomeWarn:
		return "warning"
	default:
		return "failure"
	}
}

// PlanCheckRun builds the requests that publish d as a Check Run: create
// in_progress, PATCH the annotations in batches, complete with the
// conclusion. It does no I/O.
func PlanCheckRun(d *policy.Decision, rules []policy.RuleInfo, in CheckRunInput) (CheckRunPlan, error) {
	name := in.Name
	if name == "" {
		name = DefaultCheckName
	}
	var md bytes.Buffer
	if err := report.Markdown(&md, d, report.Options{Rules: rules}); err != nil {
		return CheckRunPlan{}, fmt.Errorf("check run summary: %w", err)
	}
	title := fmt.Sprintf("hubgate: %s (%s)", verdict(d), d.Outcome)
	summary := TruncateChars(md.String(), MaxSummary)
	var details, external *string
	if in.DetailsURL != "" {
		details = github.Ptr(in.DetailsURL)
	}
	if d.ID != "" {
		external = github.Ptr(d.ID)
	}
	plan := CheckRunPlan{
		Create: github.CreateCheckRunOptions{
			Name:       name,
			HeadSHA:    in.HeadSHA,
			DetailsURL: details,
			ExternalID: external,
			Status:     github.Ptr("in_progress"),
			StartedAt:  &github.Timestamp{Time: in.StartedAt},
			Output: &github.CheckRunOutput{
				Title:   github.Ptr(title),
				Summary: github.Ptr("hubgate is publishing the decision…"),
			},
		},
	}
	anns := Annotations(d, rules, in.Workspace)
	plan.Annotations = len(anns)
	for i := 0; i < len(anns); i += MaxAnnotationsPerRequest {
		batch := anns[i:min(i+MaxAnnotationsPerRequest, len(anns))]
		plan.Annotate = append(plan.Annotate, github.UpdateCheckRunOptions{
			Name: name,
			Output: &github.CheckRunOutput{
				Title:       github.Ptr(title),
				Summary:     github.Ptr(summary),
				Annotations: batch,
			},
		})
	}
	plan.Complete = github.UpdateCheckRunOptions{
		Name:        name,
		DetailsURL:  details,
		ExternalID:  external,
		Status:      github.Ptr("completed"),
		Conclusion:  github.Ptr(Conclusion(d)),
		CompletedAt: &github.Timestamp{Time: in.CompletedAt},
		Output: &github.CheckRunOutput{
			Title:   github.Ptr(title),
			Summary: github.Ptr(summary),
		},
	}
	return plan, nil
}

func verdict(d *policy.Decision) string {
	if d.Allowed {
		return "allowed"
	}
	return "denied"
}

// Annotations turns every reported finding (all but plain passes) into a
// Check Run annotation on its evidence file (the first subject, or
// "hubgate", when it has none), at its line or line 1, relative to workspace
// when it is an absolute path inside it. Columns are never set on a
// multi-line annotation.
func Annotations(d *policy.Decision, rules []policy.RuleInfo, workspace string) []*github.CheckRunAnnotation {
	titles := map[string]string{}
	for _, r := range rules {
		if _, ok := titles[r.ID]; !ok {
			titles[r.ID] = r.Title
		}
	}
	fallback := "hubgate"
	if len(d.Subjects) > 0 && d.Subjects[0].Name != "" {
		fallback = d.Subjects[0].Name
	}
	var out []*github.CheckRunAnnotation
	for _, f := range d.Findings {
		if f.Outcome == policy.OutcomePass && f.Waiver == nil {
			continue
		}
		path := strings.TrimPrefix(strings.ReplaceAll(report.Rel(workspace, f.Evidence), `\`, "/"), "./")
		if path == "" {
			path = fallback
		}
		line := max(f.Line, 1)
		title := f.Rule
		if t := titles[f.Rule]; t != "" {
			title += ": " + t
		}
		msg := f.Message
		if msg == "" {
			msg = f.Rule
		}
		if f.Waiver != nil {
			msg = "waived " + report.WaiverThrough(f.Waiver) + " by " + f.Waiver.Owner + ": " + msg
		}
		var raw []string
		if f.Path != "" {
			raw = append(raw, "path: "+f.Path)
		}
		if f.Target != "" {
			raw = append(raw, "target: "+f.Target)
		}
		if f.Expected != "" || f.Actual != "" {
			raw = append(raw, "expected: "+f.Expected, "actual: "+f.Actual)
		}
		if f.Remediation != "" {
			raw = append(raw, "fix: "+f.Remediation)
		}
		a := &github.CheckRunAnnotation{
			Path:            github.Ptr(path),
			StartLine:       github.Ptr(line),
			EndLine:         github.Ptr(line),
			AnnotationLevel: github.Ptr(AnnotationLevel(f)),
			Message:         github.Ptr(TruncateChars(report.Sanitize(msg), maxAnnotationMessage)),
			Title:           github.Ptr(TruncateChars(report.Sanitize(title), maxAnnotationTitle)),
		}
		for i := range raw {
			raw[i] = report.Sanitize(raw[i]) // each field on its own line
		}
		if len(raw) > 0 {
			a.RawDetails = github.Ptr(TruncateChars(strings.Join(raw, "\n"), maxAnnotationMessage))
		}
		out = append(out, a)
	}
	return out
}

// TruncateChars returns s when it has at most limit characters; otherwise
// it cuts s and ends it with a line saying how many characters were cut,
// the whole at most limit characters.
func TruncateChars(s string, limit int) string {
	n := utf8.RuneCountInString(s)
	if n <= limit {
		return s
	}
	line := func(cut int) string {
		return fmt.Sprintf("\n\n**hubgate truncated this text: %d of %d characters were cut.**\n", cut, n)
	}
	// The note's length depends on the count it prints; size it for the
	// largest count it could print.
	room := limit - utf8.RuneCountInString(line(n))
	if room < 0 {
		room = 0
	}
	kept, i := 0, 0
	for i < len(s) && kept < room {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		kept++
	}
	keep := s[:i]
	if j := strings.LastIndexByte(keep, '\n'); j > 0 && j > len(keep)/2 {
		keep = keep[:j+1]
	}
	return keep + line(n-utf8.RuneCountInString(keep))
}
