package egress

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

// maxFutureProblems bounds the future-time problems reported per file; the
// last one says how many more there were.
const maxFutureProblems = 10

// FutureTimes returns a problem for each time in r after now: the report's
// timestamp and every attempt's time (RFC 3339 in a report, a Unix time in
// a Squid log). Evidence from the future is not evidence about a build that
// has happened. A report timestamp that is not RFC 3339 is a problem too;
// attempt times that cannot be read are left alone (they decide nothing).
func FutureTimes(r *Report, now time.Time) []Problem {
	var out []Problem
	nowS := now.UTC().Format(time.RFC3339)
	if r.Timestamp != "" {
		t, err := time.Parse(time.RFC3339, r.Timestamp)
		switch {
		case err != nil:
			out = append(out, Problem{Path: "timestamp", Message: fmt.Sprintf("want an RFC 3339 time, got %q", parse.Clip(r.Timestamp, parse.MaxQuoted))})
		case t.After(now):
			out = append(out, Problem{Path: "timestamp", Message: fmt.Sprintf("%s is after the evaluation time %s", r.Timestamp, nowS)})
		}
	}
	more := 0
	for _, a := range r.Attempts {
		t, ok := attemptTime(a.Time)
		if !ok || !t.After(now) {
			continue
		}
		if len(out) >= maxFutureProblems {
			more++
			continue
		}
		p := Problem{Line: a.Line, Message: fmt.Sprintf("attempt time %s is after the evaluation time %s", parse.Clip(a.Time, parse.MaxQuoted), nowS)}
		if a.Index >= 0 {
			p.Path = "attempts[" + strconv.Itoa(a.Index) + "].time"
		}
		out = append(out, p)
	}
	if more > 0 {
		out = append(out, Problem{Message: fmt.Sprintf("%d more attempts are after the evaluation time %s", more, nowS)})
	}
	return out
}

// attemptTime reads an RFC 3339 time or a Unix time in seconds (Squid's
// "1700000000.123").
func attemptTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
