package evidence

import (
	"strconv"

	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	"github.com/cicd-hub/hubgate/policy"
)

// DefaultMaxFileSize bounds every evidence file when the caller sets no
// limit.
const DefaultMaxFileSize int64 = 256 << 20

// ErrTooLarge is wrapped by [Env.ReadFile] when a file exceeds the limit.
var ErrTooLarge = errors.New("file exceeds the size limit")

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
	// Problem, when set, says why an adapter could not hand over the
	// item's bytes (a fetched blob whose digest did not match): reading the
	// item fails with this message, so its kind reports an error finding
	// naming Path, and the bytes are never used.
	Problem string
	// Value is a literal, for roles that are not files (the RFC 3339 times
	// of determinism builds).
	Value string
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

// Problem is evidence that could not be read, parsed or verified. The engine
// reports each one as an error finding of rule "<kind>.evidence" through the
// kind's Rego package (see rego/lib.rego), so it names the file and the
// field, and the other checks still run.
type Problem struct {
	Evidence string `json:"evidence"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Message  string `json:"message"`
}

// Facts is embedded (inline) in every kind's facts document. The Rego
// library reads these two fields for every kind; the engine reads them
// through [Document].
type Facts struct {
	// Present is true when any evidence of the kind was given.
	Present bool `json:"present"`
	// Problems lists evidence that could not be used.
	Problems []Problem `json:"problems"`
}

// New returns the Facts of a kind given items: present when there are any,
// with an empty problem list.
func New(items []Item) Facts {
	return Facts{Present: len(items) > 0, Problems: []Problem{}}
}

// Base returns f itself: every facts document that embeds Facts is a
// [Document].
func (f *Facts) Base() *Facts { return f }

// AddProblem records a problem with an evidence file.
func (f *Facts) AddProblem(evidence, path string, line int, format string, args ...any) {
	f.Problems = append(f.Problems, Problem{Evidence: evidence, Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// AddErrors records err as problems with file: one per error when err joins
// several (errors.Join), each naming its field, line and column when it
// carries them ([parse.Error]).
func (f *Facts) AddErrors(file string, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		f.Problems = append(f.Problems, ProblemOf(file, e))
	}
}

// ProblemOf turns an error about file into a Problem with its position
// when the error has one ([parse.Error]: field path, line, column).
func ProblemOf(file string, err error) Problem {
	p := Problem{Evidence: file, Message: err.Error()}
	var se *parse.Error
	if errors.As(err, &se) {
		p.Path, p.Line = se.Path, se.Line
		p.Message = se.Err.Error()
		if se.Col > 0 {
			p.Message = "column " + strconv.Itoa(se.Col) + ": " + p.Message
		}
	}
	return p
}

// Document is a kind's facts: a struct (pointer) that embeds [Facts] and
// whose JSON form (json tags) is input.<kind> in Rego.
type Document interface {
	Base() *Facts
}

// InputBinder is a Document that wants to see, once every collector has
// run, the evidence files the other kinds read (the evidence_bundle kind
// checks each against its signed manifest).
type InputBinder interface {
	Document
	BindInputs(inputs []policy.Input)
}

// Collector turns a kind's items into its facts. It must not return an
// error for bad evidence: that is a [Problem] in the facts. items is empty
// when the kind was not given; the facts then say Present: false.
// Collectors must not panic; the engine recovers one anyway and reports it
// as a problem.
type Collector func(ctx context.Context, env *Env, items []Item) Document

// FutureTime records a problem when value, an RFC 3339 time read from field
// of the evidence file, is after the evaluation time (--now): evidence
// cannot speak of what has not happened yet. A value that is empty or not an
// RFC 3339 time is left to the kind's own checks. It reports whether value
// was in the future.
func (f *Facts) FutureTime(file, field, value string, now time.Time) bool {
	if value == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return false
	}
	return f.FutureAt(file, field, t, now)
}

// FutureAt records a problem when t, read from field of file, is after
// the evaluation time.
func (f *Facts) FutureAt(file, field string, t, now time.Time) bool {
	if !t.After(now) {
		return false
	}
	f.AddProblem(file, field, 0, "%s is after the evaluation time %s", t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	return true
}
