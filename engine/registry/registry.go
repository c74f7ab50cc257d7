package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/cicd-hub/hubgate/policy"
)

// ErrUnknownRepo is returned by [Registry.Repo] for a repo the registry does
// not list.
var ErrUnknownRepo = errors.New("unknown repo")

// ErrInvalid is wrapped by every error of a registry that does not load
// because its content is wrong (as opposed to a file that cannot be read).
var ErrInvalid = errors.New("invalid registry")

// Registry is a loaded, validated registry. It is immutable and safe for
// concurrent use.
type Registry struct {
	repos  map[string]*Repo
	names  []string
	digest string
	// sections holds the resolved top-level sections that are not about
	// one repo (admission), as JSON.
	sections map[string]json.RawMessage
}

// topSections are the top-level registry sections [Registry.Section] serves.
var topSections = []string{"admission"}

// Section decodes the resolved top-level section name (defaults filled in)
// into v. Only sections about the whole hub are top-level: "admission".
func (r *Registry) Section(name string, v any) error {
	b, ok := r.sections[name]
	if !ok {
		return fmt.Errorf("registry: no top-level section %q (have %v)", name, topSections)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("registry section %s: %w", name, err)
	}
	return nil
}

// Repo is the resolved registry entry of one repository: org defaults, then
// its team, then its own settings.
type Repo struct {
	Name    string                `json:"name"`
	Team    string                `json:"team,omitempty"`
	Require []policy.EvidenceKind `json:"require"`
	Waivers []policy.Waiver       `json:"-"`
	// Data is the whole resolved entry as JSON values (maps, slices, strings,
	// float64, bool). Rego sees it as data.hub.repo. It shares the parts a
	// repo does not set with its parent's entry and other repos: read it,
	// never modify it.
	Data map[string]any `json:"-"`
	// typed holds the sections declared at load ([WithSections]), each
	// decoded once into its typed config.
	typed map[string]typedSection
}

// Load loads the user's registry files (CUE, YAML in the hub's
// repositories.yaml shape or in the registry's own shape, or JSON) from fsys
// at paths, unified with the embedded schema and org defaults. A path names a
// file or a directory; a directory contributes its .cue, .yaml, .yml and
// .json files, sorted by name, not recursively. With no paths it loads the
// embedded default registry ([LoadDefault]). A bad registry returns an
// [*Error] listing every problem with its file:line:col.
func Load(fsys fs.FS, paths ...string) (*Registry, error) {
	if len(paths) == 0 {
		return LoadDefault()
	}
	srcs, err := readFS(fsys, paths)
	if err != nil {
		return nil, err
	}
	return build(srcs, false, loadConfig{})
}

// LoadPath loads the registry at path on the operating system's file system:
// a file, or a directory of .cue, .yaml, .yml and .json files (sorted, not
// recursive). Problems name files as path does. With [WithCache], an
// unchanged registry loads from the cache without CUE.
func LoadPath(path string, opts ...LoadOption) (*Registry, error) {
	srcs, err := readOS(path)
	if err != nil {
		return nil, err
	}
	return build(srcs, false, loadOptions(opts))
}

func loadOptions(opts []LoadOption) loadConfig {
	var c loadConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// LoadDefault loads the embedded default registry: the schema, the org
// defaults and the hub's own repositories (cue/hub_repos.cue).
func LoadDefault(opts ...LoadOption) (*Registry, error) {
	return build(nil, true, loadOptions(opts))
}

// Repo returns the resolved entry of name ("owner/name"), or an error
// wrapping [ErrUnknownRepo].
func (r *Registry) Repo(name string) (*Repo, error) {
	if rp, ok := r.repos[name]; ok {
		return rp, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownRepo, name)
}

// Names returns the repos the registry lists, sorted. The slice is a copy.
func (r *Registry) Names() []string { return append([]string(nil), r.names...) }

// Digest is "sha256:<hex>" over the registry's sources, schema included.
func (r *Registry) Digest() string { return r.digest }

// Problem is one thing wrong with a registry, at a position in one of its
// files.
type Problem struct {
	// File is the file's name as given to Load or LoadPath ("cue/..." for
	// the embedded schema); empty when CUE gave no position.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	// Path is the field path inside the registry, such as
	// repos."acme/app".limits.build_timeout.
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// String renders p as "file:line:col: path: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		fmt.Fprintf(&b, "%s:%d:%d: ", p.File, p.Line, p.Col)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is a registry that does not load: every problem found, ordered by
// file and position. It wraps [ErrInvalid].
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	lines = append(lines, fmt.Sprintf("invalid registry: %d problem(s)", len(e.Problems)))
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns [ErrInvalid].
func (e *Error) Unwrap() error { return ErrInvalid }
