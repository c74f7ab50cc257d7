package determinism

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/engine/evidence/selfreport"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// determinismConfig is the registry's determinism section.
type determinismConfig struct {
	// MinDelay is a Go duration ("24h"), or a number of seconds.
	MinDelay        json.RawMessage `json:"min_delay"`
	Ignore          []string        `json:"ignore"`
	RequirePrevious bool            `json:"require_previous"`
	RequireSigned   bool            `json:"require_signed"`
}

// Section is the registry's determinism section, decoded once at load into its
// typed config.
var Section = registry.SectionOf[determinismConfig]("determinism")

// Facts is input.determinism.
type Facts struct {
	evidence.Facts
	Original string `json:"original"`
	Rebuild  string `json:"rebuild"`
	// Compared is true when both lists were read.
	Compared bool `json:"compared"`
	Comparison
	Delay           Delay  `json:"delay"`
	MinDelaySeconds int64  `json:"min_delay_seconds"`
	MinDelay        string `json:"min_delay"`
	// ClaimedDeterministic is the report's own verdict, for information
	// only: rules never use it.
	ClaimedDeterministic *bool `json:"claimed_deterministic"`
	// Explanations are diffoscope outputs, keyed by nothing: each names its
	// sources.
	Explanations    []determinismExplanation `json:"explanations"`
	RequirePrevious bool                     `json:"require_previous"`
	Previous        *Previous                `json:"previous"`
	PreviousFile    string                   `json:"previous_file"`
	// Subjects binds each subject of the release to both lists: each must
	// name it with the subject's own digest.
	Subjects []Binding `json:"subjects"`
	// Roots are the top directories removed from the original's and the
	// rebuild's names to align them ("" when none); SelfEntries the lists'
	// entries for the list files themselves, left out (see
	// [Align]).
	Roots       [2]string          `json:"roots"`
	SelfEntries []string           `json:"self_entries"`
	Signing     selfreport.Signing `json:"signing"`
}

type determinismExplanation struct {
	File string `json:"file"`
	Explanation
}

// Collect compares the original build's checksum list with the
// rebuild's and measures the delay between them.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	out := &Facts{
		Facts:        evidence.New(items),
		Comparison:   Comparison{Differs: []Diff{}, Missing: []Missing{}, Ignored: []string{}, Issues: []Issue{}},
		Explanations: []determinismExplanation{},
		Subjects:     []Binding{},
		SelfEntries:  []string{},
	}
	var cfg determinismConfig
	if env.Config != nil {
		if err := env.Config.Section("determinism", &cfg); err != nil {
			out.AddProblem("registry", "determinism", 0, "%v", err)
		}
	}
	minDelay, err := parseMinDelay(cfg.MinDelay)
	if err != nil {
		out.AddProblem("registry", "determinism.min_delay", 0, "%v", err)
	}
	out.MinDelaySeconds, out.MinDelay = int64(minDelay/time.Second), minDelay.String()
	out.RequirePrevious = cfg.RequirePrevious
	out.Signing = selfreport.New(cfg.RequireSigned)
	ignore := Globs(cfg.Ignore)
	if err := ignore.Validate(); err != nil {
		out.AddProblem("registry", "determinism.ignore", 0, "%v", err)
	}
	if len(items) == 0 {
		return out
	}

	var lists [2]*checksum.List
	var report *Report
	var tOrig, tRebuild time.Time
	var signed []selfreport.File
	now := env.Now.UTC().Format(time.RFC3339)
	for _, it := range items {
		if ctx.Err() != nil {
			out.AddProblem(it.Path, "", 0, "determinism: %v", ctx.Err())
			return out
		}
		switch it.Role {
		case "original-time", "rebuild-time":
			t, err := time.Parse(time.RFC3339, it.Value)
			if err != nil {
				out.AddProblem("--determinism-"+it.Role, "", 0, "want an RFC 3339 time: %v", err)
				continue
			}
			if t.After(env.Now) {
				out.AddProblem("--determinism-"+it.Role, "", 0, "%s is after the evaluation time %s", t.UTC().Format(time.RFC3339), now)
				continue
			}
			if it.Role == "original-time" {
				tOrig = t
			} else {
				tRebuild = t
			}
			continue
		}
		b, err := env.ReadFile(policy.KindDeterminism, it.Role, it.Path)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "read determinism %s: %v", it.Role, err)
			continue
		}
		if it.Role != "diffoscope" {
			signed = append(signed, selfreport.File{Path: it.Path, Data: b})
		}
		switch it.Role {
		case "original", "rebuild":
			l := checksum.ParseBytes(b)
			i := 0
			if it.Role == "rebuild" {
				i = 1
				out.Rebuild = it.Path
			} else {
				out.Original = it.Path
			}
			if lists[i] != nil {
				out.AddProblem(it.Path, "", 0, "more than one %s checksum list", it.Role)
				continue
			}
			if len(l.Entries) == 0 {
				out.AddProblem(it.Path, "", 0, "the %s checksum list has no entries", it.Role)
			}
			lists[i] = l
		case "report":
			r, err := ParseReport(b)
			if err != nil {
				out.Facts.AddErrors(it.Path, err)
				continue
			}
			if r.Timestamp.After(env.Now) {
				out.AddProblem(it.Path, "timestamp", 0, "%s is after the evaluation time %s", r.Timestamp.Format(time.RFC3339), now)
				continue
			}
			report = r
			out.ClaimedDeterministic = r.Deterministic
		case "diffoscope":
			e, err := ParseDiffoscope(b)
			if err != nil {
				out.AddProblem(it.Path, "", 0, "%v", err)
				continue
			}
			out.Explanations = append(out.Explanations, determinismExplanation{File: it.Path, Explanation: *e})
		case "previous":
			p, err := ParsePrevious(b)
			out.PreviousFile = it.Path
			if err != nil {
				out.AddProblem(it.Path, "", 0, "%v", err)
				continue
			}
			if p.Time.After(env.Now) {
				out.AddProblem(it.Path, "time", 0, "%s is after the evaluation time %s", p.Time.Format(time.RFC3339), now)
				continue
			}
			out.Previous = p
		default:
			out.AddProblem(it.Path, "", 0, "unknown determinism role %q", it.Role)
		}
	}
	switch {
	case lists[0] != nil && lists[1] != nil:
		out.Compared = true
		a, b, roots, self := Align(lists[0], lists[1], out.Original, out.Rebuild)
		out.Roots = roots
		if self != nil {
			out.SelfEntries = self
		}
		out.Comparison = Compare(a, b, ignore)
		out.Subjects = Bind(a, b, env.Subjects)
		for _, is := range out.Issues {
			file := out.Original
			if is.Side == SideRebuild {
				file = out.Rebuild
			}
			msg := is.Message
			if is.Path != "" {
				msg = is.Path + ": " + msg
			}
			out.AddProblem(file, "", is.Line, "%s", msg)
		}
	default:
		var missing []string
		if lists[0] == nil {
			missing = append(missing, "--determinism-original")
		}
		if lists[1] == nil {
			missing = append(missing, "--determinism-rebuild")
		}
		out.AddProblem("determinism", "", 0, "both checksum lists are needed to compare the builds; missing %s", strings.Join(missing, " and "))
	}
	d, err := ComputeDelay(tOrig, tRebuild, report)
	if err != nil {
		out.AddProblem("determinism", "delay", 0, "%v", err)
	}
	out.Delay = d
	out.Signing.Verify(env, policy.KindDeterminism, signed, &out.Facts)
	return out
}

// parseMinDelay reads determinism.min_delay. The default is
// cue/section_determinism.cue's alone; a section that did not come
// through the schema and sets none is an error.
func parseMinDelay(raw json.RawMessage) (time.Duration, error) {
	const defaultMinDelay = 0
	if len(raw) == 0 || string(raw) == "null" {
		return defaultMinDelay, fmt.Errorf("the registry sets none (its default is in cue/section_determinism.cue)")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return defaultMinDelay, fmt.Errorf("want a duration such as \"24h\", got %q", s)
		}
		return d, nil
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil || secs < 0 || secs > 1e12 {
		return defaultMinDelay, fmt.Errorf("want a duration such as \"24h\", got %s", raw)
	}
	return time.Duration(secs * float64(time.Second)), nil
}
