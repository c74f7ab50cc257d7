package registry

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Size limits on registry sources.
const (
	maxFileSize  = 16 << 20 // one file
	maxTotalSize = 64 << 20 // all files of one registry
	maxFiles     = 4096
)

// source is one file of a registry.
type source struct {
	name string // as shown in problems
	data []byte
	// format is "cue", "yaml" or "json"; empty means by name's extension.
	format string
}

// formatOf returns s's format.
func (s source) formatOf() string {
	if s.format != "" {
		return s.format
	}
	switch strings.ToLower(path.Ext(s.name)) {
	case ".yaml", ".yml":
		return "yaml"
	case ".json":
		return "json"
	}
	return "cue"
}

// registryExt reports whether name is a file a registry directory
// contributes.
func registryExt(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".cue", ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// readFS reads paths (files or directories) from fsys.
func readFS(fsys fs.FS, paths []string) ([]source, error) {
	var srcs []source
	total := 0
	add := func(name string) error {
		f, err := fsys.Open(name)
		if err != nil {
			return fmt.Errorf("read registry: %w", err)
		}
		defer f.Close()
		b, err := readBounded(f, name)
		if err != nil {
			return err
		}
		total += len(b)
		if total > maxTotalSize {
			return fmt.Errorf("read registry: sources exceed %d bytes", maxTotalSize)
		}
		srcs = append(srcs, source{name: name, data: b})
		return nil
	}
	for _, p := range paths {
		st, err := fs.Stat(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read registry: %w", err)
		}
		if !st.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		ents, err := fs.ReadDir(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read registry: %w", err)
		}
		names, err := dirFiles(p, ents)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if err := add(path.Join(p, n)); err != nil {
				return nil, err
			}
		}
	}
	return srcs, nil
}

// readOS reads the file or directory p from the operating system.
func readOS(p string) ([]source, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read registry: %w", err)
	}
	var files []string
	if st.IsDir() {
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("read registry: %w", err)
		}
		names, err := dirFiles(p, ents)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			files = append(files, filepath.Join(p, n))
		}
	} else {
		files = []string{p}
	}
	var srcs []source
	total := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read registry: %w", err)
		}
		b, err := readBounded(f, name)
		f.Close()
		if err != nil {
			return nil, err
		}
		total += len(b)
		if total > maxTotalSize {
			return nil, fmt.Errorf("read registry: sources exceed %d bytes", maxTotalSize)
		}
		srcs = append(srcs, source{name: name, data: b})
	}
	return srcs, nil
}

// dirFiles returns the registry files of a directory listing, sorted.
func dirFiles(dir string, ents []fs.DirEntry) ([]string, error) {
	var names []string
	for _, e := range ents {
		if e.IsDir() || !registryExt(e.Name()) {
			continue
		}
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read registry: %s: no .cue, .yaml, .yml or .json file", dir)
	}
	if len(names) > maxFiles {
		return nil, fmt.Errorf("read registry: %s: more than %d files", dir, maxFiles)
	}
	slices.Sort(names)
	return names, nil
}

func readBounded(r io.Reader, name string) ([]byte, error) {
	b, err := readBoundedN(r, maxFileSize)
	if err != nil {
		return nil, fmt.Errorf("read registry: %s: %w", name, err)
	}
	return b, nil
}

var errTooLarge = errors.New("file larger than 16 MiB")
