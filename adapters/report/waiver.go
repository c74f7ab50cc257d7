package report

import (
	"time"

	"github.com/cicd-hub/hubgate/policy"
)

// WaiverThrough says until when a waiver applies, as its author wrote it: a
// waiver with expires: "2026-12-15" applies through the end of that day
// (Waiver.Expires is the first instant it no longer applies, 2026-12-16T00:00Z)
// and is shown "through 2026-12-15 (UTC)". An expiry that is not a UTC
// midnight is shown as the instant: "until 2026-12-15T12:00:00Z".
func WaiverThrough(w *policy.Waiver) string {
	if w == nil {
		return ""
	}
	e := w.Expires.UTC()
	if e.Hour() == 0 && e.Minute() == 0 && e.Second() == 0 && e.Nanosecond() == 0 {
		return "through " + e.AddDate(0, 0, -1).Format(time.DateOnly) + " (UTC)"
	}
	return "until " + e.Format(time.RFC3339)
}
