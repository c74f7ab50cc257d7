package engine

import (
	"time"
)

// Input is one release to judge.
type Input struct {
	// Repo is "owner/name" as the registry names it.
	Repo string
	// Now is the evaluation time. Rules never read the wall clock; the same
	// inputs and Now give the same decision. The zero value is an error.
	Now time.Time
	// Subjects are the artifacts the release ships.
	Subjects []SubjectInput
	// Evidence lists the evidence files, in the order given.
	Evidence []Item
	// TrustedRoot is the path of a sigstore trusted_root.json; empty means
	// the registry's or the embedded default.
	TrustedRoot string
}
