package gcpercent

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestRaisedUnlessSet: without GOGC the target is Percent from the first
// package initialised; with GOGC set, the environment's stays.
func TestRaisedUnlessSet(t *testing.T) {
	cur := debug.SetGCPercent(Default)
	defer debug.SetGCPercent(cur)
	if v, set := os.LookupEnv("GOGC"); set {
		if Raised {
			t.Fatalf("GOGC=%s set, but the target was raised", v)
		}
		return
	}
	if !Raised || cur != Percent {
		t.Fatalf("Raised=%v, target %d; want true, %d", Raised, cur, Percent)
	}
}
