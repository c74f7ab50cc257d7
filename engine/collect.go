package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// DefaultMaxFileSize bounds every evidence file the engine reads.
const DefaultMaxFileSize int64 = 256 << 20

// ErrTooLarge is wrapped by [Env.ReadFile] when a file exceeds the limit.
var ErrTooLarge = errors.New("file exceeds the size limit")

// Env is what a collector knows besides its own items. Each collector gets
// its own Env; collectors never share one.
type Env struct {
	Repo     string
	Now      time.Time
	Subjects []policy.Subject
	// Config is the resolved registry entry of Repo.
	Config *registry.Repo
	// TrustedRoot is the path of a sigstore trusted_root.json, or empty.
	TrustedRoot string
	// SubjectFiles are the subjects as given, with their paths, for a
	// collector that must hash with another algorithm (sha512 checksums).
	SubjectFiles []SubjectInput
	// MaxFileSize bounds each file read through ReadFile.
	MaxFileSize int64

	all    []Item
	inputs []policy.Input
}

// ItemsOf returns the items of another kind, for collectors whose facts
// depend on it (vulnerabilities read the VEX statements and the SBOM).
// Reading them again through ReadFile is fine: inputs are recorded once.
func (e *Env) ItemsOf(kind policy.EvidenceKind) []Item {
	var out []Item
	for _, it := range e.all {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
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
// library reads these two fields for every kind.
type Facts struct {
	// Present is true when any evidence of the kind was given.
	Present bool `json:"present"`
	// Problems lists evidence that could not be used.
	Problems []Problem `json:"problems"`
}

// AddProblem records a problem with an evidence file.
func (f *Facts) AddProblem(evidence, path string, line int, format string, args ...any) {
	f.Problems = append(f.Problems, Problem{Evidence: evidence, Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// AddErrors records err as problems with file: one per error when err joins
// several (errors.Join), each naming its field when it carries one (a
// FieldPath method, as engine/evidence packages' field errors have).
func (f *Facts) AddErrors(file string, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var fe interface {
			error
			FieldPath() string
			Unwrap() error
		}
		if errors.As(e, &fe) {
			f.AddProblem(file, fe.FieldPath(), 0, "%v", fe.Unwrap())
			continue
		}
		f.AddProblem(file, "", 0, "%v", e)
	}
}

// ReadFile reads a whole evidence file, at most MaxFileSize bytes, and records
// its sha256 among the decision's inputs.
func (e *Env) ReadFile(kind policy.EvidenceKind, role, path string) ([]byte, error) {
	limit := e.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	for _, it := range e.all {
		if it.Data != nil && it.Path == path && it.Kind == kind && it.Role == role {
			if int64(len(it.Data)) > limit {
				return nil, fmt.Errorf("%s: %w of %d bytes", path, ErrTooLarge, limit)
			}
			sum := sha256.Sum256(it.Data)
			e.RecordInput(kind, role, path, policy.Digest{"sha256": hex.EncodeToString(sum[:])})
			return it.Data, nil
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Size the buffer from Stat, so a large SBOM is not copied while the
	// buffer grows; the limit still holds if the file grows meanwhile.
	size := int64(512)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = min(st.Size()+1, limit+1)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b := buf.Bytes()
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w of %d bytes", path, ErrTooLarge, limit)
	}
	sum := sha256.Sum256(b)
	e.RecordInput(kind, role, path, policy.Digest{"sha256": hex.EncodeToString(sum[:])})
	return b, nil
}

// RecordInput records an input the collector read by other means (a
// directory, a streamed file).
func (e *Env) RecordInput(kind policy.EvidenceKind, role, path string, d policy.Digest) {
	e.inputs = append(e.inputs, policy.Input{Kind: kind, Role: role, Path: path, Digest: d})
}

// collectFunc turns a kind's items into its facts document. It must not
// return an error for bad evidence: that is a [Problem] in the facts. items is
// empty when the kind was not given; the facts then say Present: false.
// Collectors must not panic; the engine recovers one anyway and reports it as a
// problem.
type collectFunc func(ctx context.Context, env *Env, items []Item) any

// collectors is the table of evidence kinds. A new kind adds one line here
// and a collect_<kind>.go file beside this one.
var collectors = map[policy.EvidenceKind]collectFunc{
	policy.KindChecksums:       collectChecksums,
	policy.KindSBOM:            collectSBOM,
	policy.KindVEX:             collectVEX,
	policy.KindVulnerabilities: collectVulnerabilities,
	policy.KindProvenance:      collectProvenance,
	policy.KindSignature:       collectSignature,
	policy.KindReferrers:       collectReferrers,
	policy.KindEvidenceBundle:  collectEvidenceBundle,
	policy.KindEgress:          collectEgress,
	policy.KindDeterminism:     collectDeterminism,
	policy.KindCache:           collectCache,
	policy.KindDrill:           collectDrill,
	policy.KindWorkflow:        collectWorkflow,
}
