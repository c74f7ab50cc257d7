package evidencebundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/engine/trust"
)

// MaxManifestSize bounds evidence-manifest.json.
const MaxManifestSize = 16 << 20

// maxFiles bounds the files listed in the manifest and found in the
// directory.
const maxFiles = 100000

// ErrManifest is wrapped by every manifest parse error.
var ErrManifest = errors.New("evidence manifest")

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// subjectDigestRE is, per algorithm, the form of a subject digest.
var subjectDigestRE = map[string]*regexp.Regexp{
	"sha256": sha256RE,
	"sha512": regexp.MustCompile(`^[0-9a-f]{128}$`),
}

// Manifest is the hub's evidence-manifest.json.
type Manifest struct {
	Version   string `json:"version"`
	Timestamp string `json:"timestamp"`
	// Subjects are the release's artifacts the evidence speaks for, as
	// in-toto subjects: {"name", "digest": {"sha256": hex}}. The hub's
	// producer (sign_evidence_bundle.sh) did not write them before; a
	// manifest without them parses, and the rules deny it.
	Subjects []ManifestSubject `json:"subjects"`
	Files    []ManifestFile    `json:"files"`
}

// ManifestSubject is one subject the manifest names.
type ManifestSubject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// ManifestFile is one listed file.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   *int64 `json:"size"`
}

// ParseManifest reads evidence-manifest.json strictly: known fields only,
// every file with a path, a lowercase hex sha256 and a size.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrManifest, MaxManifestSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the manifest", ErrManifest)
	}
	if m.Files == nil {
		return nil, fmt.Errorf("%w: files: missing", ErrManifest)
	}
	if len(m.Files) == 0 {
		return nil, fmt.Errorf("%w: files: empty: a manifest must list the evidence it signs", ErrManifest)
	}
	if len(m.Files) > maxFiles {
		return nil, fmt.Errorf("%w: files: more than %d", ErrManifest, maxFiles)
	}
	if len(m.Subjects) > maxFiles {
		return nil, fmt.Errorf("%w: subjects: more than %d", ErrManifest, maxFiles)
	}
	for i, sub := range m.Subjects {
		if len(sub.Digest) == 0 {
			return nil, fmt.Errorf("%w: subjects[%d].digest: missing", ErrManifest, i)
		}
		// Check in a fixed order, so the same manifest gives the same error.
		algs := make([]string, 0, len(sub.Digest))
		for alg := range sub.Digest {
			algs = append(algs, alg)
		}
		sort.Strings(algs)
		for _, alg := range algs {
			re, ok := subjectDigestRE[alg]
			switch {
			case !ok:
				return nil, fmt.Errorf("%w: subjects[%d].digest.%s: unsupported algorithm: want sha256 or sha512", ErrManifest, i, alg)
			case !re.MatchString(sub.Digest[alg]):
				return nil, fmt.Errorf("%w: subjects[%d].digest.%s: %q is not lowercase hex of the right length", ErrManifest, i, alg, sub.Digest[alg])
			}
		}
	}
	for i, f := range m.Files {
		switch {
		case f.Path == "":
			return nil, fmt.Errorf("%w: files[%d].path: missing", ErrManifest, i)
		case !sha256RE.MatchString(f.SHA256):
			return nil, fmt.Errorf("%w: files[%d].sha256: %q is not 64 lowercase hex characters", ErrManifest, i, f.SHA256)
		case f.Size == nil:
			return nil, fmt.Errorf("%w: files[%d].size: missing", ErrManifest, i)
		case *f.Size < 0:
			return nil, fmt.Errorf("%w: files[%d].size: negative", ErrManifest, i)
		}
	}
	return &m, nil
}

// File statuses.
const (
	StatusOK         = "ok"
	StatusMissing    = "missing"
	StatusDigest     = "digest_mismatch"
	StatusSize       = "size_mismatch"
	StatusUnsafePath = "unsafe_path"
	StatusSymlink    = "symlink"
	StatusNotRegular = "not_regular"
	StatusDuplicate  = "duplicate"
	StatusUnreadable = "unreadable"
)

// FileCheck is the check of one listed file against the directory.
type FileCheck struct {
	Index          int    `json:"index"`
	Path           string `json:"path"`
	Status         string `json:"status"`
	ExpectedSHA256 string `json:"expected_sha256"`
	ActualSHA256   string `json:"actual_sha256"`
	ExpectedSize   int64  `json:"expected_size"`
	ActualSize     int64  `json:"actual_size"`
	Detail         string `json:"detail"`
}

// Signature is the verification of the bundle over the manifest.
type Signature struct {
	Present  bool   `json:"present"`
	File     string `json:"file"`
	Verified bool   `json:"verified"`
	Reason   string `json:"reason"`
	// Signer is the verified signer: a key, or the certificate's issuer,
	// SAN and Fulcio extensions.
	trust.Signer
	TlogIndex int64     `json:"tlog_index"`
	TlogTime  time.Time `json:"tlog_time,omitzero"`
	// Timestamps are the verified signing times.
	Timestamps []trust.Timestamp `json:"timestamps"`
	// ExpiredTrust lists ended validity windows of the trusted root that
	// vouch for the signature; filled by the caller.
	ExpiredTrust []string `json:"expired_trust"`
}

// ParseTimestamp reads the manifest's timestamp: an RFC 3339 date-time
// with a zone ("2026-11-27T00:00:00Z").
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t, nil
}

// Result is what the evidence bundle holds.
type Result struct {
	Version   string `json:"version"`
	Timestamp string `json:"timestamp"`
	// TimestampValid is true when Timestamp parses ([ParseTimestamp]);
	// TimestampNs is then its Unix time in nanoseconds, else 0.
	TimestampValid bool  `json:"timestamp_valid"`
	TimestampNs    int64 `json:"timestamp_ns"`
	// Subjects are the manifest's subjects, as listed ([] when none).
	Subjects  []ManifestSubject `json:"subjects"`
	Signature Signature         `json:"signature"`
	Files     []FileCheck       `json:"files"`
	// Unlisted are the directory's files (and symlinks, and special files)
	// the manifest does not list, as slash paths, sorted.
	Unlisted []string `json:"unlisted"`
}

// VerifySignature verifies a sigstore bundle over the manifest's bytes.
// bundleJSON nil means no bundle was found.
func VerifySignature(manifest, bundleJSON []byte, bundleName string, opts trust.Options) Signature {
	s := Signature{File: bundleName, TlogIndex: -1, Timestamps: []trust.Timestamp{}, ExpiredTrust: []string{}}
	if bundleJSON == nil {
		s.Reason = "no sigstore bundle over the manifest"
		return s
	}
	s.Present = true
	o := opts
	o.Artifact = bytes.NewReader(manifest)
	o.Digest = nil
	v, err := trust.VerifyBundle(bundleJSON, o)
	if err != nil {
		s.Reason = err.Error()
		return s
	}
	s.Verified = true
	s.Signer = v.Signer
	s.TlogIndex, s.TlogTime, s.Timestamps = v.TlogIndex, v.TlogTime, v.Timestamps
	return s
}

// CheckDir checks every listed file against dir: present, a regular file
// reached without symlinks, inside dir, with the listed sha256 and size.
// It then lists the directory's files the manifest does not, ignoring the
// slash paths in ignore (the manifest and its bundle when they live in
// dir). Listed paths must be local (filepath.IsLocal: no "..", not
// absolute) and are opened through os.Root, so nothing outside dir is
// read.
func CheckDir(m *Manifest, dir string, ignore []string) (files []FileCheck, unlisted []string, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence dir: %w", err)
	}
	defer root.Close()
	files = make([]FileCheck, 0, len(m.Files))
	listed := map[string]bool{}
	for i, f := range m.Files {
		fc := FileCheck{Index: i, Path: f.Path, ExpectedSHA256: f.SHA256, ExpectedSize: *f.Size}
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(f.Path)))
		switch {
		case strings.Contains(f.Path, `\`) || !filepath.IsLocal(filepath.FromSlash(f.Path)) || clean == ".":
			fc.Status = StatusUnsafePath
			fc.Detail = "not a relative path inside the directory"
		case listed[clean]:
			fc.Status = StatusDuplicate
			fc.Detail = "listed more than once"
		default:
			listed[clean] = true
			checkFile(root, clean, &fc)
		}
		files = append(files, fc)
	}
	for _, p := range ignore {
		listed[p] = true
	}
	unlisted = []string{}
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		n++
		if n > maxFiles {
			return fmt.Errorf("more than %d files", maxFiles)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !listed[rel] {
			unlisted = append(unlisted, rel)
		}
		return nil
	})
	if err != nil {
		return files, unlisted, fmt.Errorf("evidence dir: %w", err)
	}
	sort.Strings(unlisted)
	return files, unlisted, nil
}

func checkFile(root *os.Root, rel string, fc *FileCheck) {
	// Refuse a symlink at any component: os.Root would follow one that
	// stays inside the directory, and the manifest must name real files.
	parts := strings.Split(rel, "/")
	for i := range parts {
		p := filepath.FromSlash(strings.Join(parts[:i+1], "/"))
		fi, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			fc.Status = StatusMissing
			return
		}
		if err != nil {
			fc.Status = StatusUnreadable
			fc.Detail = err.Error()
			return
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			fc.Status = StatusSymlink
			fc.Detail = strings.Join(parts[:i+1], "/") + " is a symbolic link"
			return
		}
		if i == len(parts)-1 && !fi.Mode().IsRegular() {
			fc.Status = StatusNotRegular
			fc.Detail = "not a regular file"
			return
		}
	}
	fh, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		fc.Status = StatusUnreadable
		fc.Detail = err.Error()
		return
	}
	defer fh.Close()
	d, n, err := checksum.Hash(fh, checksum.SHA256)
	if err != nil {
		fc.Status = StatusUnreadable
		fc.Detail = err.Error()
		return
	}
	fc.ActualSHA256 = d[checksum.SHA256]
	fc.ActualSize = n
	switch {
	case fc.ActualSHA256 != fc.ExpectedSHA256:
		fc.Status = StatusDigest
	case n != fc.ExpectedSize:
		fc.Status = StatusSize
	default:
		fc.Status = StatusOK
	}
}

// Binding statuses: how an evidence file eval read relates to the manifest.
const (
	// BindOK: the file is listed, and the bytes read have its sha256.
	BindOK = "ok"
	// BindOutside: the file is not inside the evidence directory.
	BindOutside = "outside_dir"
	// BindUnlisted: the file is inside the directory but not listed.
	BindUnlisted = "unlisted"
	// BindDigest: the file is listed with another sha256.
	BindDigest = "digest_mismatch"
)

// Binding is one evidence file that eval read (for any kind), checked
// against the manifest: it must be one of the listed files, and the bytes
// read must have the listed sha256.
type Binding struct {
	// Kind and Role say which evidence the file was read as.
	Kind string `json:"kind"`
	Role string `json:"role"`
	// File is the path as given to eval.
	File string `json:"file"`
	// Path is File relative to the evidence directory, a slash path; ""
	// when it lies outside.
	Path string `json:"path"`
	// Index is the files[] index of the entry listing Path, -1 if none.
	Index          int    `json:"index"`
	Status         string `json:"status"`
	ExpectedSHA256 string `json:"expected_sha256"`
	ActualSHA256   string `json:"actual_sha256"`
}

// Binder checks evidence files against one manifest and its evidence
// directory; build it once with [NewBinder], then call [Binder.Bind] per file.
type Binder struct {
	m      *Manifest
	dir    string // absolute; "" when it could not be made absolute
	byPath map[string]int
}

// NewBinder indexes the manifest's listed paths (clean slash paths) by their
// first files[] index. Listed paths that CheckDir refuses as unsafe never
// match; a duplicate entry matches its first listing.
func NewBinder(m *Manifest, dir string) *Binder {
	b := &Binder{m: m, byPath: make(map[string]int, len(m.Files))}
	if ad, err := filepath.Abs(dir); err == nil {
		b.dir = ad
	}
	for i, f := range m.Files {
		if strings.Contains(f.Path, `\`) || !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			continue
		}
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(f.Path)))
		if _, dup := b.byPath[clean]; !dup {
			b.byPath[clean] = i
		}
	}
	return b
}

// Bind checks one evidence file that was read, with the sha256 of the bytes
// read: it must lie inside the evidence directory (compared as absolute,
// cleaned paths), be listed, and have the listed sha256.
func (bd *Binder) Bind(file, sha256 string) Binding {
	b := Binding{File: file, Index: -1, ActualSHA256: sha256, Status: BindOutside}
	af, err := filepath.Abs(file)
	if err != nil || bd.dir == "" {
		return b
	}
	rel, err := filepath.Rel(bd.dir, af)
	if err != nil || !filepath.IsLocal(rel) || rel == "." {
		return b
	}
	b.Path = filepath.ToSlash(rel)
	i, ok := bd.byPath[b.Path]
	if !ok {
		b.Status = BindUnlisted
		return b
	}
	b.Index, b.ExpectedSHA256 = i, bd.m.Files[i].SHA256
	if b.ExpectedSHA256 == sha256 {
		b.Status = BindOK
	} else {
		b.Status = BindDigest
	}
	return b
}

// BundleNames are the names a manifest's sigstore bundle is looked for
// under, beside the manifest: MANIFEST.sigstore.json, then MANIFEST.bundle.
func BundleNames(manifestPath string) []string {
	return []string{manifestPath + ".sigstore.json", manifestPath + ".bundle"}
}

// IgnorePaths returns, as slash paths relative to dir, those of paths that
// lie inside dir.
func IgnorePaths(dir string, paths ...string) []string {
	var out []string
	ad, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		ap, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(ad, ap)
		if err == nil && filepath.IsLocal(rel) {
			out = append(out, filepath.ToSlash(rel))
		}
	}
	return slices.Compact(out)
}
