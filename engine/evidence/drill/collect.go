package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/selfreport"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// drillConfig is the registry's drill section.
type drillConfig struct {
	MaxAge        json.RawMessage `json:"max_age"`
	MaxRPO        json.RawMessage `json:"max_rpo"`
	MaxRTO        json.RawMessage `json:"max_rto"`
	RequireSigned bool            `json:"require_signed"`
}

// Section is the registry's drill section, decoded once at load into its
// typed config.
var Section = registry.SectionOf[drillConfig]("drill")

// Facts is input.drill.
type Facts struct {
	evidence.Facts
	Manifest string  `json:"manifest"`
	Backup   *Backup `json:"backup"`
	// CapturedAt is the backup's capture time; RPOMinutes is its age at
	// the evaluation time (input.now), in minutes.
	CapturedAt string  `json:"captured_at"`
	RPOMinutes float64 `json:"rpo_minutes"`
	// MaxRPOMinutes and MaxRTOSeconds are the registry's drill.max_rpo and
	// drill.max_rto, never the manifest's.
	MaxRPOMinutes float64 `json:"max_rpo_minutes"`
	MaxRTOSeconds float64 `json:"max_rto_seconds"`
	MaxRPO        string  `json:"max_rpo"`
	MaxRTO        string  `json:"max_rto"`
	// ClaimedLimits are the manifest's own policies, as written, for
	// information only: rules never use them.
	ClaimedLimits map[string]string  `json:"claimed_limits"`
	Reports       []drillReport      `json:"reports"`
	MaxAgeSeconds int64              `json:"max_age_seconds"`
	MaxAge        string             `json:"max_age"`
	Signing       selfreport.Signing `json:"signing"`
}

// drillReport is one dr-report.json.
type drillReport struct {
	File       string  `json:"file"`
	RunID      string  `json:"run_id"`
	EndedAt    string  `json:"ended_at"`
	AgeSeconds int64   `json:"age_seconds"`
	RTOSeconds float64 `json:"rto_seconds"`
	// Successful is the report's own status (true when it has none).
	Successful bool `json:"successful"`
	// SameBackup is true when the drill restored the manifest's backup
	// (its backup_captured_at equals the manifest's captured_at).
	SameBackup bool `json:"same_backup"`

	captured time.Time
}

// Collect reads the DR manifest, hashes its backup and reads the drill
// reports. Ages are measured against env.Now.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	out := &Facts{Facts: evidence.New(items), Reports: []drillReport{}}
	var cfg drillConfig
	if env.Config != nil {
		if err := env.Config.Section("drill", &cfg); err != nil {
			out.AddProblem("registry", "drill", 0, "%v", err)
		}
	}
	maxAge, err := parseDuration(cfg.MaxAge)
	if err != nil {
		out.AddProblem("registry", "drill.max_age", 0, "%v", err)
	}
	out.MaxAgeSeconds, out.MaxAge = int64(maxAge/time.Second), maxAge.String()
	maxRPO, err := parseDuration(cfg.MaxRPO)
	if err != nil {
		out.AddProblem("registry", "drill.max_rpo", 0, "%v", err)
	}
	maxRTO, err := parseDuration(cfg.MaxRTO)
	if err != nil {
		out.AddProblem("registry", "drill.max_rto", 0, "%v", err)
	}
	out.MaxRPOMinutes, out.MaxRPO = maxRPO.Minutes(), maxRPO.String()
	out.MaxRTOSeconds, out.MaxRTO = maxRTO.Seconds(), maxRTO.String()
	out.ClaimedLimits = map[string]string{}
	out.Signing = selfreport.New(cfg.RequireSigned)
	var signed []selfreport.File
	if len(items) == 0 {
		return out
	}
	var m *Manifest
	manifests := 0
	for _, it := range items {
		if ctx.Err() != nil {
			out.AddProblem(it.Path, "", 0, "drill: %v", ctx.Err())
			return out
		}
		b, err := env.ReadFile(policy.KindDrill, it.Role, it.Path)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "read drill %s: %v", it.Role, err)
			continue
		}
		signed = append(signed, selfreport.File{Path: it.Path, Data: b})
		switch it.Role {
		case "manifest", "":
			manifests++
			if manifests > 1 {
				out.AddProblem(it.Path, "", 0, "more than one DR manifest given")
				continue
			}
			out.Manifest = it.Path
			mm, err := ParseManifest(b)
			if err != nil {
				out.Facts.AddErrors(it.Path, err)
				if mm == nil {
					continue
				}
			}
			m = mm
			out.CapturedAt = mm.Backup.CapturedAt
			if v := mm.Policies.MaxRPOMinutes; len(v) > 0 {
				out.ClaimedLimits["max_rpo_minutes"] = clipRaw(v)
			}
			if v := mm.Policies.MaxRTOSeconds; len(v) > 0 {
				out.ClaimedLimits["max_rto_seconds"] = clipRaw(v)
			}
			if !mm.Captured.IsZero() {
				if mm.Captured.After(env.Now) {
					out.AddProblem(it.Path, "backup.captured_at", 0, "%s is after the evaluation time %s", mm.Backup.CapturedAt, env.Now.UTC().Format(time.RFC3339))
				}
				out.RPOMinutes = math.Round(env.Now.Sub(mm.Captured).Minutes()*100) / 100
			}
			if mm.Backup.Path != "" && len(mm.Digest) == 64 {
				bk, err := HashBackup(filepath.Dir(it.Path), mm)
				if err != nil {
					out.AddProblem(it.Path, "backup.path", 0, "%v", err)
				} else {
					out.Backup = &bk
					env.RecordInput(policy.KindDrill, "backup", bk.Path, policy.Digest{"sha256": bk.Actual})
				}
			}
		case "report":
			r, err := ParseReport(b)
			if err != nil {
				out.Facts.AddErrors(it.Path, err)
				continue
			}
			if r.Ended.After(env.Now) {
				out.AddProblem(it.Path, "ended_at", 0, "%s is after the evaluation time %s", r.EndedAt, env.Now.UTC().Format(time.RFC3339))
				continue
			}
			out.Reports = append(out.Reports, drillReport{
				File: it.Path, RunID: r.RunID, EndedAt: r.Ended.Format(time.RFC3339Nano),
				AgeSeconds: int64(env.Now.Sub(r.Ended) / time.Second), RTOSeconds: *r.Metrics.RTOSeconds,
				Successful: r.Successful(), captured: r.Captured,
			})
		default:
			out.AddProblem(it.Path, "", 0, "unknown drill role %q", it.Role)
		}
	}
	if m == nil {
		out.AddProblem("drill", "", 0, "no readable DR manifest was given (--drill)")
	}
	for i := range out.Reports {
		r := &out.Reports[i]
		r.SameBackup = m != nil && !m.Captured.IsZero() && r.captured.Equal(m.Captured)
	}
	out.Signing.Verify(env, policy.KindDrill, signed, &out.Facts)
	return out
}

// clipRaw renders a claimed JSON value as short text.
func clipRaw(m json.RawMessage) string {
	s := string(m)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// parseDuration reads a registry duration: a Go duration string, or a
// number of seconds. The defaults are cue/section_drill.cue's alone; a
// section that did not come through the schema and sets none is an error
// (and the zero limit fails every drill).
func parseDuration(raw json.RawMessage) (time.Duration, error) {
	const def = 0
	if len(raw) == 0 || string(raw) == "null" {
		return def, fmt.Errorf("the registry sets none (its default is in cue/section_drill.cue)")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return def, fmt.Errorf("want a duration such as \"168h\", got %q", s)
		}
		return d, nil
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil || secs < 0 || secs > 1e12 {
		return def, fmt.Errorf("want a duration such as \"168h\", got %s", raw)
	}
	return time.Duration(secs * float64(time.Second)), nil
}
