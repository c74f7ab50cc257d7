package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/zeebo/blake3"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

// MaxEntries bounds the entries of a manifest and the files walked.
const MaxEntries = 1_000_000

// Algorithms a manifest may use.
const (
	BLAKE3 = "blake3"
	SHA256 = "sha256"
)

// Entry is one listed file.
type Entry struct {
	Path   string
	Size   int64
	Digest string
	// Index is the entry's position in "entries".
	Index int
}

// Manifest is the hub's cache-manifest.json.
type Manifest struct {
	Version   int
	CacheDir  string
	Algorithm string
	Entries   []Entry
}

type rawManifest struct {
	Version    json.RawMessage              `json:"version"`
	CacheDir   string                       `json:"cache_dir"`
	EntryCount *int                         `json:"entry_count"`
	Algorithm  string                       `json:"algorithm"`
	Entries    []map[string]json.RawMessage `json:"entries"`
}

// ParseManifest reads cache-manifest.json. Bad entries are errors naming
// entries[i] and are left out; the manifest is returned with the good ones,
// so the caller can report all of them and still compare.
func ParseManifest(b []byte) (*Manifest, error) {
	var raw rawManifest
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse cache manifest: %w", err)
	}
	m := &Manifest{CacheDir: raw.CacheDir, Algorithm: raw.Algorithm}
	var errs []error
	if v, err := strconv.Atoi(strings.Trim(string(raw.Version), `"`)); err == nil {
		m.Version = v
	} else {
		errs = append(errs, parse.Errorf("version", "missing or not a number"))
	}
	hexLen := 0
	switch raw.Algorithm {
	case BLAKE3, SHA256:
		hexLen = 64
	default:
		return nil, parse.Errorf("algorithm", "want blake3 or sha256, got %q", parse.Clip(raw.Algorithm, parse.MaxQuoted))
	}
	if raw.Entries == nil {
		return nil, parse.Errorf("entries", "missing")
	}
	if len(raw.Entries) > MaxEntries {
		return nil, parse.Errorf("entries", "%d entries exceed the limit of %d", len(raw.Entries), MaxEntries)
	}
	seen := map[string]int{}
	for i, e := range raw.Entries {
		f := "entries[" + strconv.Itoa(i) + "]"
		var p, d string
		var size *int64
		if err := json.Unmarshal(e["path"], &p); err != nil || p == "" {
			errs = append(errs, parse.Errorf(f+".path", "missing or not a string"))
			continue
		}
		clean, ok := cleanPath(p)
		if !ok {
			errs = append(errs, parse.Errorf(f+".path", "%q is not a relative path inside the cache", parse.Clip(p, parse.MaxQuoted)))
			continue
		}
		if j, dup := seen[clean]; dup {
			errs = append(errs, parse.Errorf(f+".path", "%q is listed again (first at entries[%d])", parse.Clip(p, parse.MaxQuoted), j))
			continue
		}
		seen[clean] = i
		if err := json.Unmarshal(e[raw.Algorithm], &d); err != nil || len(d) != hexLen || !isHex(d) {
			errs = append(errs, parse.Errorf(f+"."+raw.Algorithm, "want %d lower-case hex digits", hexLen))
			continue
		}
		if s, ok := e["size"]; ok {
			var n int64
			if err := json.Unmarshal(s, &n); err != nil || n < 0 {
				errs = append(errs, parse.Errorf(f+".size", "not a non-negative integer"))
				continue
			}
			size = &n
		}
		ent := Entry{Path: clean, Digest: d, Index: i, Size: -1}
		if size != nil {
			ent.Size = *size
		}
		m.Entries = append(m.Entries, ent)
	}
	if raw.EntryCount != nil && *raw.EntryCount != len(raw.Entries) {
		errs = append(errs, parse.Errorf("entry_count", "says %d, entries lists %d", *raw.EntryCount, len(raw.Entries)))
	}
	slices.SortFunc(m.Entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	return m, errors.Join(errs...)
}

// cleanPath returns p as a clean slash path inside the cache, or false.
func cleanPath(p string) (string, bool) {
	if strings.ContainsRune(p, '\\') || strings.ContainsRune(p, 0) {
		return "", false
	}
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	c := path.Clean(p)
	if c != p || !fs.ValidPath(c) || c == "." {
		return "", false
	}
	return c, true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Mismatch is a listed file whose bytes or size differ, or that is not a
// regular file.
type Mismatch struct {
	Path     string `json:"path"`
	Index    int    `json:"index"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// ExpectedSize is -1 when the manifest gives none.
	ExpectedSize int64  `json:"expected_size"`
	ActualSize   int64  `json:"actual_size"`
	Reason       string `json:"reason"`
}

// Missing is a listed file absent from the directory.
type Missing struct {
	Path  string `json:"path"`
	Index int    `json:"index"`
}

// Unlisted is a file in the directory the manifest does not list.
type Unlisted struct {
	Path string `json:"path"`
	// Kind is "file", "symlink" or "other".
	Kind string `json:"kind"`
	Size int64  `json:"size"`
}

// Result is the comparison of a manifest with a directory. Slices are
// ordered by path.
type Result struct {
	Listed     int        `json:"listed"`
	Observed   int        `json:"observed"`
	Verified   int        `json:"verified"`
	Missing    []Missing  `json:"missing"`
	Mismatched []Mismatch `json:"mismatched"`
	Unlisted   []Unlisted `json:"unlisted"`
}

type observed struct {
	kind string
	size int64
}

// Check compares m with the directory dir. Symlinks are never followed: a
// listed symlink is a mismatch, an unlisted one is unlisted. An error means
// dir itself could not be walked.
func Check(dir string, m *Manifest) (Result, error) {
	res := Result{Missing: []Missing{}, Mismatched: []Mismatch{}, Unlisted: []Unlisted{}, Listed: len(m.Entries)}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return res, fmt.Errorf("open cache directory: %w", err)
	}
	defer root.Close()
	files := map[string]observed{}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if len(files) >= MaxEntries {
			return fmt.Errorf("more than %d files", MaxEntries)
		}
		o := observed{kind: "other"}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			o.kind = "symlink"
		case t.IsRegular():
			o.kind = "file"
			if info, err := d.Info(); err == nil {
				o.size = info.Size()
			}
		}
		files[p] = o
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("walk cache directory: %w", err)
	}
	res.Observed = len(files)
	buf := make([]byte, 1<<20)
	for _, e := range m.Entries {
		o, ok := files[e.Path]
		if !ok {
			res.Missing = append(res.Missing, Missing{Path: e.Path, Index: e.Index})
			continue
		}
		delete(files, e.Path)
		mm := Mismatch{Path: e.Path, Index: e.Index, Expected: e.Digest, ExpectedSize: e.Size, ActualSize: o.size}
		if o.kind != "file" {
			mm.Reason = o.kind + " is not a regular file"
			res.Mismatched = append(res.Mismatched, mm)
			continue
		}
		sum, n, err := hashFile(root, e.Path, m.Algorithm, buf)
		if err != nil {
			mm.Reason = err.Error()
			res.Mismatched = append(res.Mismatched, mm)
			continue
		}
		mm.Actual, mm.ActualSize = sum, n
		switch {
		case sum != e.Digest:
			mm.Reason = m.Algorithm + " digest differs"
		case e.Size >= 0 && n != e.Size:
			mm.Reason = "size differs"
		default:
			res.Verified++
			continue
		}
		res.Mismatched = append(res.Mismatched, mm)
	}
	for p, o := range files {
		res.Unlisted = append(res.Unlisted, Unlisted{Path: p, Kind: o.kind, Size: o.size})
	}
	slices.SortFunc(res.Unlisted, func(a, b Unlisted) int { return strings.Compare(a.Path, b.Path) })
	return res, nil
}

func hashFile(root *os.Root, p, alg string, buf []byte) (string, int64, error) {
	f, err := root.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var h hash.Hash
	if alg == BLAKE3 {
		h = blake3.New()
	} else {
		h = sha256.New()
	}
	n, err := io.CopyBuffer(h, f, buf)
	if err != nil {
		return "", n, fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
