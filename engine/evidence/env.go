package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cicd-hub/hubgate/engine/bounded"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// Env is what a collector knows besides its own items. Each collector gets
// its own Env (its recorded inputs are its own); the [Cache] behind it is
// shared by every collector of one evaluation.
type Env struct {
	Repo     string
	Now      time.Time
	Subjects []policy.Subject
	// Config is the resolved registry entry of Repo.
	Config *registry.Repo
	// Trust is the repo's trust material, loaded once by the engine; nil
	// means [Env.TrustOptions] loads it once per evaluation.
	Trust *Trust
	// TrustedRoot is the path of a sigstore trusted_root.json that
	// overrides the registry's for this evaluation, or empty.
	TrustedRoot string
	// SubjectFiles are the subjects as given, with their paths, for a
	// collector that must hash with another algorithm (sha512 checksums).
	SubjectFiles []SubjectInput
	// MaxFileSize bounds each file read through ReadFile.
	MaxFileSize int64
	// Evidence is every item of the evaluation, of every kind.
	Evidence []Item
	// Cache is shared by the collectors of one evaluation; nil means
	// nothing is shared (each ReadFile opens the file).
	Cache *Cache

	inputs []policy.Input
}

// Limit is MaxFileSize, or [DefaultMaxFileSize] when it is not set.
func (e *Env) Limit() int64 {
	if e.MaxFileSize <= 0 {
		return DefaultMaxFileSize
	}
	return e.MaxFileSize
}

// ItemsOf returns the items of another kind, for collectors whose facts
// depend on it (vulnerabilities read the VEX statements and the SBOM).
// Reading them again through ReadFile is fine: inputs are recorded once.
func (e *Env) ItemsOf(kind policy.EvidenceKind) []Item {
	var out []Item
	for _, it := range e.Evidence {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// Inputs are the inputs this Env recorded, in the order read.
func (e *Env) Inputs() []policy.Input { return e.inputs }

// fileRead is one file's bytes, or why they could not be had.
type fileRead struct {
	data []byte
	sum  string
	err  error
}

// ReadFile reads a whole evidence file, at most MaxFileSize bytes, and records
// its sha256 among the decision's inputs. Within one evaluation a path is
// read once, whichever kinds ask for it.
func (e *Env) ReadFile(kind policy.EvidenceKind, role, path string) ([]byte, error) {
	_, r := e.readFile(kind, role, path)
	if r.err != nil {
		return nil, r.err
	}
	e.RecordInput(kind, role, path, policy.Digest{"sha256": r.sum})
	return r.data, nil
}

// Parsed reads path as [Env.ReadFile] does and returns parse of its bytes,
// computed once per evaluation for each file and namespace ns: the kinds
// that need one SBOM share one parse. parse must not keep or modify the
// bytes, and its result must be read only by its callers. The error is
// the read's; parse errors are part of the value.
func (e *Env) Parsed(kind policy.EvidenceKind, role, path, ns string, parse func([]byte) any) (any, error) {
	key, r := e.readFile(kind, role, path)
	if r.err != nil {
		return nil, r.err
	}
	e.RecordInput(kind, role, path, policy.Digest{"sha256": r.sum})
	return e.Cache.Do(ns+"\x00"+key, func() any { return parse(r.data) }), nil
}

func (e *Env) readFile(kind policy.EvidenceKind, role, path string) (string, *fileRead) {
	limit := e.Limit()
	for _, it := range e.Evidence {
		if it.Problem != "" && it.Path == path && it.Kind == kind && it.Role == role {
			return "problem\x00" + path, &fileRead{err: errors.New(it.Problem)}
		}
		if it.Data != nil && it.Path == path && it.Kind == kind && it.Role == role {
			key := fmt.Sprintf("data\x00%d\x00%s\x00%s\x00%s", limit, kind, role, path)
			return key, e.Cache.Do(key, func() any {
				return hashed(it.Data, path, limit)
			}).(*fileRead)
		}
	}
	key := fmt.Sprintf("file\x00%d\x00%s", limit, path)
	return key, e.Cache.Do(key, func() any {
		return e.read(path, limit)
	}).(*fileRead)
}

func hashed(b []byte, path string, limit int64) *fileRead {
	if int64(len(b)) > limit {
		return &fileRead{err: fmt.Errorf("%s: %w of %d bytes", path, ErrTooLarge, limit)}
	}
	sum := sha256.Sum256(b)
	return &fileRead{data: b, sum: hex.EncodeToString(sum[:])}
}

func (e *Env) read(path string, limit int64) *fileRead {
	b, err := ReadBounded(e.Cache.open, path, limit)
	if err != nil {
		return &fileRead{err: err}
	}
	return hashed(b, path, limit)
}

// ReadBounded reads the whole file at path through open (nil means
// [DefaultOpener]), at most limit bytes: a longer file is an error
// wrapping [ErrTooLarge]. It is the one bounded reader of evidence files.
func ReadBounded(open Opener, path string, limit int64) ([]byte, error) {
	if open == nil {
		open = DefaultOpener
	}
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := bounded.ReadAll(f, limit)
	if errors.Is(err, bounded.ErrTooLarge) {
		return nil, fmt.Errorf("%s: %w of %d bytes", path, ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// RecordInput records an input the collector read by other means (a
// directory, a streamed file).
func (e *Env) RecordInput(kind policy.EvidenceKind, role, path string, d policy.Digest) {
	e.inputs = append(e.inputs, policy.Input{Kind: kind, Role: role, Path: path, Digest: d})
}

// SubjectPath returns the file of the i-th subject, or "" when it was given
// by digest only.
func (e *Env) SubjectPath(i int, name string) string {
	if len(e.SubjectFiles) == len(e.Subjects) {
		return e.SubjectFiles[i].Path
	}
	for _, sf := range e.SubjectFiles {
		if sf.Path != "" && (sf.Name == name || sf.Name == "" && filepath.Base(sf.Path) == name) {
			return sf.Path
		}
	}
	return ""
}

// Opener opens a file for reading; [os.Open] unless a test counts opens.
type Opener func(name string) (fs.File, error)

// DefaultOpener opens files on the operating system's file system.
func DefaultOpener(name string) (fs.File, error) { return os.Open(name) }
