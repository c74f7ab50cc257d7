package registry

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cicd-hub/hubgate/engine/bounded"
)

// The resolved-registry cache: a process that loads the same registry as
// the last one (the same sources, byte for byte, read by the same hubgate
// binary) skips CUE. The key is the SHA-256 of the cache format, the
// binary's identity (path, size, modification time, module versions) and
// the registry digest, which covers every source's base name and content
// and the embedded schema. A changed file changes the digest, so it is never
// served stale; a rebuilt hubgate (whose decoding may differ) changes the
// key. Every entry carries the SHA-256 of its payload; an entry that is
// missing, truncated, corrupt or about another key is ignored and CUE runs
// as if there were no cache, then rewrites it.
//
// The cache folder is the user's own (like their registry files, it is not
// attacker-controlled); evidence never reaches it.

// cacheFormat versions the entry layout.
const cacheFormat = "hubgate-registry-cache/1"

// maxCacheEntries bounds the folder: writing an entry removes the oldest
// beyond this many.
const maxCacheEntries = 64

// maxCacheEntrySize bounds an entry read back.
const maxCacheEntrySize = 64 << 20

// LoadOption configures [LoadPath] and [LoadDefault].
type LoadOption func(*loadConfig)

type loadConfig struct {
	cacheDir string
	sections []Section
}

// WithCache keeps the resolved registry in dir (created when needed), keyed
// by the digest of its sources and the binary, and loads it from there
// without CUE when nothing changed. An empty dir disables the cache. A
// cache that cannot be read or written is ignored: the registry then loads
// through CUE, as without the option.
func WithCache(dir string) LoadOption {
	return func(c *loadConfig) { c.cacheDir = dir }
}

// DefaultCacheDir is ${XDG_CACHE_HOME:-$HOME/.cache}/hubgate/registry, or ""
// when there is no user cache folder.
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil || d == "" {
		return ""
	}
	return filepath.Join(d, "hubgate", "registry")
}

// cueBuilds counts registry builds through CUE (tests prove a cache hit
// skips CUE).
var cueBuilds atomic.Int64

// binaryIdentity names the running binary: a rebuilt hubgate gets another
// key, so an entry written by older decoding code is never read.
var binaryIdentity = sync.OnceValue(func() string {
	var b strings.Builder
	b.WriteString(cacheFormat)
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, "\nexe %s %d %d", exe, st.Size(), st.ModTime().UnixNano())
		} else {
			fmt.Fprintf(&b, "\nexe %s ?", exe)
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&b, "\nmain %s %s", bi.Main.Path, bi.Main.Version)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				fmt.Fprintf(&b, "\n%s=%s", s.Key, s.Value)
			}
		}
		for _, d := range bi.Deps {
			fmt.Fprintf(&b, "\ndep %s %s %s", d.Path, d.Version, d.Sum)
		}
	}
	return b.String()
})

// cacheKey is the hex SHA-256 of the binary's identity, the registry digest
// and each source's format (a source read as YAML and one read as CUE with
// the same name and bytes resolve differently).
func cacheKey(digest string, srcs []source, withHubRepos bool) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\ndigest %s\nhub %v\n", binaryIdentity(), digest, withHubRepos)
	for _, s := range srcs {
		fmt.Fprintf(h, "format %d %s %s\n", len(s.name), filepath.Base(s.name), s.formatOf())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cacheHeader is an entry's first line.
type cacheHeader struct {
	Format string `json:"format"`
	Key    string `json:"key"`
	Sum    string `json:"sum"` // hex SHA-256 of the payload (the rest of the file)
}

// cachePayload is the resolved registry.
type cachePayload struct {
	Digest   string                     `json:"digest"`
	Repos    map[string]map[string]any  `json:"repos"`
	Sections map[string]json.RawMessage `json:"sections"`
}

// cachedLoad reads the entry of key from dir, or returns nil.
func cachedLoad(dir, key, digest string, sections []Section) *Registry {
	if dir == "" {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, key+".json"))
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := readBoundedN(f, maxCacheEntrySize)
	if err != nil {
		return nil
	}
	line, payload, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return nil
	}
	var h cacheHeader
	if json.Unmarshal(line, &h) != nil || h.Format != cacheFormat || h.Key != key {
		return nil
	}
	sum := sha256.Sum256(payload)
	if hex.EncodeToString(sum[:]) != h.Sum {
		return nil
	}
	var p cachePayload
	if json.Unmarshal(payload, &p) != nil || p.Digest != digest || p.Repos == nil {
		return nil
	}
	reg := &Registry{repos: make(map[string]*Repo, len(p.Repos)), sections: p.Sections, digest: digest}
	if reg.sections == nil {
		reg.sections = map[string]json.RawMessage{}
	}
	for _, name := range topSections {
		if _, ok := reg.sections[name]; !ok {
			return nil
		}
	}
	for name, data := range p.Repos {
		if data == nil {
			return nil
		}
		rp, problems := decodeRepo(name, data)
		if len(problems) > 0 {
			return nil // it was valid when written: the entry is not what we wrote
		}
		// The cache holds the resolved entries as JSON: the typed configs
		// decode from it, once, here.
		for _, s := range sections {
			if rp.typed == nil {
				rp.typed = make(map[string]typedSection, len(sections))
			}
			rp.typed[s.name] = decodeJSONSection(s, data)
		}
		reg.repos[name] = rp
		reg.names = append(reg.names, name)
	}
	slices.Sort(reg.names)
	return reg
}

// cacheStore writes reg as the entry of key, atomically; errors are ignored
// (the next load runs CUE again).
func cacheStore(dir, key string, reg *Registry) {
	if dir == "" {
		return
	}
	p := cachePayload{Digest: reg.digest, Repos: make(map[string]map[string]any, len(reg.repos)), Sections: reg.sections}
	for name, rp := range reg.repos {
		p.Repos[name] = rp.Data
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return
	}
	sum := sha256.Sum256(payload)
	line, err := json.Marshal(cacheHeader{Format: cacheFormat, Key: key, Sum: hex.EncodeToString(sum[:])})
	if err != nil {
		return
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(append(append(line, '\n'), payload...))
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(dir, key+".json")) != nil {
		os.Remove(tmp.Name())
		return
	}
	pruneCache(dir)
}

// pruneCache removes the oldest entries beyond maxCacheEntries.
func pruneCache(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) <= maxCacheEntries {
		return
	}
	type entry struct {
		name string
		mod  int64
	}
	var es []entry
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if info, err := e.Info(); err == nil {
			es = append(es, entry{e.Name(), info.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(b.mod, a.mod) })
	for _, e := range es[min(len(es), maxCacheEntries):] {
		os.Remove(filepath.Join(dir, e.name))
	}
}

// readBoundedN reads at most n bytes of r; more is [errTooLarge].
func readBoundedN(r io.Reader, n int64) ([]byte, error) {
	b, err := bounded.ReadAll(r, n)
	if errors.Is(err, bounded.ErrTooLarge) {
		return nil, errTooLarge
	}
	return b, err
}
