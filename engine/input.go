package engine

import (
	"time"

	"github.com/cicd-hub/hubgate/policy"
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

// SubjectInput is one artifact: a file to hash, or a name with a digest the
// caller already knows.
type SubjectInput struct {
	// Name is the name checksum lists know the artifact by. For a file it
	// defaults to the file's base name.
	Name string
	// Path is a file to hash by streaming. Empty when Digest is given.
	Path string
	// Digest is a known digest ("sha256" → hex). Ignored when Path is set.
	Digest policy.Digest
}

// Item is one piece of evidence. Most kinds take a single file per item; kinds
// made of several parts (determinism, cache, drill, evidence_bundle) tell the
// parts apart by Role.
type Item struct {
	Kind policy.EvidenceKind
	// Role names the part: "" for a kind's ordinary file, or one of the roles
	// the kind documents ("manifest", "signature", "dir", "original",
	// "rebuild", "report", "previous", "original-time", "rebuild-time").
	Role string
	// Path is a file or directory on disk. When Data is set, Path only names
	// where the bytes came from (an OCI reference, say) and is not opened.
	Path string
	// Data is the file's content when it was not read from disk: evidence an
	// adapter fetched (adapters/oci). The engine never opens a socket; it
	// bounds and records Data as it does a file's bytes.
	Data []byte
	// Value is a literal, for roles that are not files (the RFC 3339 times
	// of determinism builds).
	Value string
}
