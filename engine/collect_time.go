package engine

import (
	"time"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// futureTime records a problem when value, an RFC 3339 time read from field
// of the evidence file, is after the evaluation time (--now): evidence
// cannot speak of what has not happened yet. A value that is empty or not an
// RFC 3339 time is left to the kind's own checks. It reports whether value
// was in the future.
func futureTime(f *Facts, file, field, value string, now time.Time) bool {
	if value == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return false
	}
	return futureAt(f, file, field, t, now)
}

// futureAt records a problem when t, read from field of file, is after
// the evaluation time.
func futureAt(f *Facts, file, field string, t, now time.Time) bool {
	if !t.After(now) {
		return false
	}
	f.AddProblem(file, field, 0, "%s is after the evaluation time %s", t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	return true
}

// futureSigningTimes records a problem for each verified signing time of a
// bundle (transparency-log integrated time, RFC 3161 timestamp) that is
// after the evaluation time. sigstore-go checks those times against the
// certificate's validity, not against --now; a signature made after the
// evaluation time cannot be evidence at that time.
func futureSigningTimes(f *Facts, file string, ts []trust.Timestamp, now time.Time) bool {
	future := false
	for _, t := range ts {
		if t.Time.After(now) {
			field := "verificationMaterial.tlogEntries.integratedTime"
			if t.Kind != "tlog" && t.Kind != "" {
				field = "verificationMaterial.timestampVerificationData"
			}
			f.AddProblem(file, field, 0, "signed at %s (%s), after the evaluation time %s", t.Time.UTC().Format(time.RFC3339), t.Kind, now.UTC().Format(time.RFC3339))
			future = true
		}
	}
	return future
}
