package drill

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/engine/evidence/parse"
	"github.com/cicd-hub/hubgate/policy"
)

// Manifest is the hub's DR manifest.json.
type Manifest struct {
	Backup struct {
		Path string `json:"path"`
		// SHA256 is "sha256:<hex>" or a bare hex digest.
		SHA256     string `json:"sha256"`
		CapturedAt string `json:"captured_at"`
	} `json:"backup"`
	// Policies are the limits the manifest claims for itself. They are
	// recorded as written and never used: a release that could raise its
	// own RPO/RTO limits would pass any backup. The limits come from the
	// registry (drill.max_rpo, drill.max_rto).
	Policies struct {
		MaxRPOMinutes json.RawMessage `json:"max_rpo_minutes"`
		MaxRTOSeconds json.RawMessage `json:"max_rto_seconds"`
	} `json:"policies"`

	// Digest is the backup's expected sha256 hex, lower case.
	Digest string `json:"-"`
	// Captured is backup.captured_at parsed.
	Captured time.Time `json:"-"`
}

// ParseManifest reads manifest.json. Every field the gate needs is
// required: a missing path, digest or time is an error naming the field.
// The manifest's policies are not needed (see [Manifest.Policies]).
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse dr manifest: %w", err)
	}
	var errs []error
	if m.Backup.Path == "" {
		errs = append(errs, parse.Errorf("backup.path", "missing"))
	}
	d := strings.ToLower(strings.TrimPrefix(m.Backup.SHA256, "sha256:"))
	if policy.CheckDigest("sha256", d) != nil {
		errs = append(errs, parse.Errorf("backup.sha256", "want sha256:<64 hex>, got %q", parse.Clip(m.Backup.SHA256, parse.MaxQuoted)))
	}
	m.Digest = d
	t, err := time.Parse(time.RFC3339, m.Backup.CapturedAt)
	if err != nil {
		errs = append(errs, parse.Errorf("backup.captured_at", "want an RFC 3339 time, got %q", parse.Clip(m.Backup.CapturedAt, parse.MaxQuoted)))
	}
	m.Captured = t.UTC()
	if len(errs) > 0 {
		return &m, errors.Join(errs...)
	}
	return &m, nil
}

// Report is one drill's dr-report.json.
type Report struct {
	Schema           string `json:"schema"`
	RunID            string `json:"run_id"`
	StartedAt        string `json:"started_at"`
	EndedAt          string `json:"ended_at"`
	BackupCapturedAt string `json:"backup_captured_at"`
	// Status is optional; when given, anything but a success word marks the
	// drill as failed.
	Status  string `json:"status"`
	Metrics struct {
		RTOSeconds *float64 `json:"rto_seconds"`
		RPOMinutes *float64 `json:"rpo_minutes"`
	} `json:"metrics"`

	// Started, Ended and Captured are the times parsed (Captured is zero
	// when backup_captured_at is absent or not RFC 3339).
	Started, Ended, Captured time.Time `json:"-"`
}

// ParseReport reads dr-report.json. ended_at and metrics.rto_seconds are
// required.
func ParseReport(b []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("parse dr report: %w", err)
	}
	var errs []error
	var err error
	if r.Ended, err = time.Parse(time.RFC3339Nano, r.EndedAt); err != nil {
		errs = append(errs, parse.Errorf("ended_at", "want an RFC 3339 time, got %q", parse.Clip(r.EndedAt, parse.MaxQuoted)))
	}
	if r.StartedAt != "" {
		if r.Started, err = time.Parse(time.RFC3339Nano, r.StartedAt); err != nil {
			errs = append(errs, parse.Errorf("started_at", "want an RFC 3339 time, got %q", parse.Clip(r.StartedAt, parse.MaxQuoted)))
		} else if r.Ended.Before(r.Started) && !r.Ended.IsZero() {
			errs = append(errs, parse.Errorf("ended_at", "%s is before started_at %s", r.EndedAt, r.StartedAt))
		}
	}
	if v := r.Metrics.RTOSeconds; v == nil || !finite(*v) || *v < 0 {
		errs = append(errs, parse.Errorf("metrics.rto_seconds", "missing or not a non-negative number"))
	}
	if c, err := time.Parse(time.RFC3339Nano, r.BackupCapturedAt); err == nil {
		r.Captured = c.UTC()
	}
	r.Ended, r.Started = r.Ended.UTC(), r.Started.UTC()
	if len(errs) > 0 {
		return &r, errors.Join(errs...)
	}
	return &r, nil
}

// Successful reports whether the report's own status (if any) says the
// drill succeeded.
func (r *Report) Successful() bool {
	switch strings.ToLower(r.Status) {
	case "", "success", "succeeded", "passed", "pass", "ok":
		return true
	}
	return false
}

// Backup is what hashing the backup found.
type Backup struct {
	// Path is the backup's path as resolved (the manifest's directory joined
	// with backup.path).
	Path     string `json:"path"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Size     int64  `json:"size"`
	Match    bool   `json:"match"`
}

// ErrEscape is wrapped when backup.path leaves the manifest's directory.
var ErrEscape = errors.New("backup.path leaves the manifest's directory")

// HashBackup hashes the backup named by m, relative to dir (the manifest's
// directory), through an [os.Root] so it cannot escape dir.
func HashBackup(dir string, m *Manifest) (Backup, error) {
	b := Backup{Path: filepath.Join(dir, filepath.FromSlash(m.Backup.Path)), Expected: m.Digest}
	if !filepath.IsLocal(filepath.FromSlash(m.Backup.Path)) {
		return b, fmt.Errorf("%w: %q", ErrEscape, m.Backup.Path)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return b, fmt.Errorf("open manifest directory: %w", err)
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(m.Backup.Path))
	if err != nil {
		// os.Root also refuses symlinks that lead out of dir.
		return b, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return b, fmt.Errorf("stat backup: %w", err)
	}
	if !st.Mode().IsRegular() {
		return b, fmt.Errorf("backup %s is not a regular file", m.Backup.Path)
	}
	d, n, err := checksum.Hash(f, checksum.SHA256)
	if err != nil {
		return b, fmt.Errorf("read backup: %w", err)
	}
	b.Size = n
	b.Actual = d[checksum.SHA256]
	b.Match = b.Actual == b.Expected
	return b, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
