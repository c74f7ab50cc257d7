// Package gcpercent raises the collector's target (GOGC) before the other
// packages' initialisation runs: it imports only runtime/debug and syscall, so it is
// initialised among the first, and the megabytes the dependencies allocate
// at start-up (JSON schemas, regexps) are not collected while they are
// built. GOGC set in the environment wins.
package gcpercent

import (
	"runtime/debug"
	"syscall"
)

// Percent is the one-shot target; Default is Go's own.
const (
	Percent = 400
	Default = 100
)

// Raised says this package changed the target (GOGC was not set).
var Raised bool

func init() {
	// syscall, not os: os is initialised later, among many.
	if _, set := syscall.Getenv("GOGC"); set {
		return
	}
	debug.SetGCPercent(Percent)
	Raised = true
}
