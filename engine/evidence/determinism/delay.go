package determinism

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Delay is how long after the original build the rebuild ran.
type Delay struct {
	// Known is false when neither the time flags nor a report gave it.
	Known   bool    `json:"known"`
	Seconds int64   `json:"seconds"`
	Hours   float64 `json:"hours"`
	// Source is "times" (the two build times) or "report" (delay_hours).
	Source       string `json:"source"`
	OriginalTime string `json:"original_time"`
	RebuildTime  string `json:"rebuild_time"`
}

// ComputeDelay takes the delay from the two build times when both are
// given, otherwise from the report's delay_hours. A rebuild time before the
// original is an error.
func ComputeDelay(original, rebuild time.Time, r *Report) (Delay, error) {
	var d Delay
	if !original.IsZero() {
		d.OriginalTime = original.UTC().Format(time.RFC3339)
	}
	if !rebuild.IsZero() {
		d.RebuildTime = rebuild.UTC().Format(time.RFC3339)
	} else if r != nil && !r.Timestamp.IsZero() {
		d.RebuildTime = r.Timestamp.Format(time.RFC3339)
		rebuild = r.Timestamp
	}
	switch {
	case !original.IsZero() && !rebuild.IsZero():
		if rebuild.Before(original) {
			return d, fmt.Errorf("rebuild time %s is before the original build time %s", d.RebuildTime, d.OriginalTime)
		}
		dur := rebuild.Sub(original)
		d.Known, d.Source = true, "times"
		d.Seconds = int64(dur / time.Second)
		d.Hours = math.Round(dur.Hours()*100) / 100
		return d, nil
	case r != nil && r.DelayHours != nil:
		d.Known, d.Source = true, "report"
		d.Hours = *r.DelayHours
		d.Seconds = int64(*r.DelayHours * 3600)
		return d, nil
	case original.IsZero() != rebuild.IsZero():
		return d, errors.New("only one of the two build times is known")
	}
	return d, nil
}
