package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cicd-hub/hubgate/engine/bounded"
)

// MaxFiles bounds the workflow files read from one directory.
const MaxFiles = 1000

// Source is one workflow file read from disk.
type Source struct {
	// Path is the file's path (the directory joined with its name).
	Path   string
	Data   []byte
	SHA256 string
}

// Skipped is a directory entry that was not read.
type Skipped struct {
	Path   string
	Reason string
}

// ReadDir reads the *.yml and *.yaml files of dir, or of
// dir/.github/workflows when that exists (so a repository root works too),
// in name order. Only regular files directly in the directory are read, each
// through an [os.Root] and at most limit bytes: symlinks, subdirectories and
// oversized files are skipped with a reason.
func ReadDir(dir string, limit int64) (string, []Source, []Skipped, error) {
	if st, err := os.Stat(filepath.Join(dir, ".github", "workflows")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, ".github", "workflows")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return dir, nil, nil, fmt.Errorf("open workflows directory: %w", err)
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return dir, nil, nil, fmt.Errorf("read workflows directory: %w", err)
	}
	var srcs []Source
	var skipped []Skipped
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".yml") && !strings.HasSuffix(n, ".yaml") {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			skipped = append(skipped, Skipped{Path: filepath.Join(dir, n), Reason: "symlink not followed"})
			continue
		}
		if !e.Type().IsRegular() {
			skipped = append(skipped, Skipped{Path: filepath.Join(dir, n), Reason: "not a regular file"})
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > MaxFiles {
		return dir, nil, nil, fmt.Errorf("read workflows directory: %d workflow files exceed the limit of %d", len(names), MaxFiles)
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		b, err := readLimited(root, n, limit)
		if err != nil {
			skipped = append(skipped, Skipped{Path: p, Reason: err.Error()})
			continue
		}
		sum := sha256.Sum256(b)
		srcs = append(srcs, Source{Path: p, Data: b, SHA256: hex.EncodeToString(sum[:])})
	}
	return dir, srcs, skipped, nil
}

func readLimited(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	return bounded.ReadAll(f, limit)
}
