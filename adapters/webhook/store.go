package webhook

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/bounded"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

// ErrNoSummary is wrapped when the store holds no summary for a digest.
var ErrNoSummary = errors.New("no verification summary")

// Store finds the VSA bundle of an image digest.
type Store interface {
	// Get returns the bundle bytes of digest ("sha256:<hex>"), or an error
	// wrapping [ErrNoSummary].
	Get(ctx context.Context, digest string) ([]byte, error)
}

// ImageStore is a [Store] that finds summaries by image name and digest
// (an OCI registry, among the image's referrers). [VSAVerifier] prefers it
// to Get when the store implements it.
type ImageStore interface {
	// Summaries returns the candidate bundles of image ("ghcr.io/acme/app")
	// at digest, or an error: wrapping [ErrNoSummary] when there are none,
	// [ErrRegistryUnreachable] when the registry could not be reached.
	Summaries(ctx context.Context, image, digest string) ([][]byte, error)
}

// DirStore is a directory of "<sha256-hex>.vsa.json" files, each a sigstore
// bundle for the image digest "sha256:<hex>". The zero value with Dir set
// reads the file on every call; [NewDirStore] adds a bounded cache of file
// contents that is checked against the file's size, modification time and
// inode with one stat per call, so a replaced file is read again.
type DirStore struct {
	Dir   string
	files *lru.Cache[string, storedFile]
}

type storedFile struct {
	stamp fileID
	data  []byte
}

type fileID struct {
	mod  time.Time
	size int64
	ino  uint64
}

func idOf(fi fs.FileInfo) fileID {
	id := fileID{mod: fi.ModTime(), size: fi.Size()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ino = uint64(st.Ino)
	}
	return id
}

// NewDirStore returns a store of dir that keeps up to n files in memory; n
// of 0 keeps none.
func NewDirStore(dir string, n int) (*DirStore, error) {
	s := &DirStore{Dir: dir}
	if n > 0 {
		c, err := lru.New[string, storedFile](n)
		if err != nil {
			return nil, fmt.Errorf("vsa store: %w", err)
		}
		s.files = c
	}
	return s, nil
}

// Get implements [Store].
func (s DirStore) Get(_ context.Context, digest string) ([]byte, error) {
	if _, err := vsa.ParseDigest(digest); err != nil {
		return nil, err // also keeps the name free of path separators
	}
	name := filepath.Join(s.Dir, digest[len("sha256:"):]+".vsa.json")
	if s.files != nil {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w for %s", ErrNoSummary, digest)
		}
		if err != nil {
			return nil, fmt.Errorf("read summary: %w", err)
		}
		if f, ok := s.files.Get(name); ok && f.stamp == idOf(fi) {
			return f.data, nil
		}
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for %s", ErrNoSummary, digest)
	}
	if err != nil {
		return nil, fmt.Errorf("read summary: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read summary: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read summary %s: not a regular file", filepath.Base(name))
	}
	b, err := bounded.ReadAll(f, vsa.MaxBundleSize)
	if err != nil {
		return nil, fmt.Errorf("read summary %s: %w", filepath.Base(name), err)
	}
	if s.files != nil {
		// Stamp with the stat of the open file: a write after it changes
		// the stamp and is read again next time.
		s.files.Add(name, storedFile{stamp: idOf(fi), data: b})
	}
	return b, nil
}

// DefaultCacheSize is the default number of verified summaries kept.
const DefaultCacheSize = 4096

type cacheKey struct {
	digest string
	keyID  string
	bundle [sha256.Size]byte
}

// VSAVerifier answers the admission.vsa rule's facts ([admission.VSAChecker])
// from a [Store] and one trusted key: it finds the summaries of an image
// digest and verifies each one's signature and subject. It judges no
// claim; the rule does (hub.lib.vsa_problems). It is safe for concurrent
// use.
type VSAVerifier struct {
	store Store
	key   *vsa.PublicKey
	cache *lru.Cache[cacheKey, vsa.Summary]
}

// VerifierOption configures a [VSAVerifier].
type VerifierOption func(*VSAVerifier) error

// WithCacheSize keeps at most n verified summaries; 0 disables the cache.
func WithCacheSize(n int) VerifierOption {
	return func(v *VSAVerifier) error {
		if n < 0 {
			return fmt.Errorf("cache size %d: must not be negative", n)
		}
		if n == 0 {
			v.cache = nil
			return nil
		}
		c, err := lru.New[cacheKey, vsa.Summary](n)
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		v.cache = c
		return nil
	}
}

// NewVSAVerifier returns a verifier of the summaries in store, signed by
// key. The cache holds [DefaultCacheSize] entries unless an option says
// otherwise.
func NewVSAVerifier(store Store, key *vsa.PublicKey, opts ...VerifierOption) (*VSAVerifier, error) {
	if store == nil {
		return nil, errors.New("vsa verifier: nil store")
	}
	if key == nil {
		return nil, errors.New("vsa verifier: nil key")
	}
	v := &VSAVerifier{store: store, key: key}
	if err := WithCacheSize(DefaultCacheSize)(v); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(v); err != nil {
			return nil, fmt.Errorf("vsa verifier: %w", err)
		}
	}
	return v, nil
}

// VerifyVSA implements [admission.VSAChecker]: every summary the store
// holds for digest, each verified against the key and digest, in the
// store's order. A store error (none found, unreachable) is the result's
// error.
func (v *VSAVerifier) VerifyVSA(ctx context.Context, digest string, req admission.Requirement) admission.VSAResult {
	var bs [][]byte
	if is, ok := v.store.(ImageStore); ok {
		// A registry store may hold several summaries of one image (one
		// per evaluation): the rule admits it when one passes.
		found, err := is.Summaries(ctx, req.Image, digest)
		if err != nil {
			return admission.VSAResult{Error: err.Error(), Summaries: []admission.VSASummary{}}
		}
		bs = found
	} else {
		b, err := v.store.Get(ctx, digest)
		if err != nil {
			return admission.VSAResult{Error: err.Error(), Summaries: []admission.VSASummary{}}
		}
		bs = [][]byte{b}
	}
	if len(bs) == 0 {
		return admission.VSAResult{Error: fmt.Sprintf("%s for %s", ErrNoSummary, digest), Summaries: []admission.VSASummary{}}
	}
	out := admission.VSAResult{Summaries: make([]admission.VSASummary, 0, len(bs))}
	for _, b := range bs {
		s, err := v.verify(b, digest)
		if err != nil {
			out.Summaries = append(out.Summaries, admission.UnverifiedFacts(err))
			continue
		}
		out.Summaries = append(out.Summaries, admission.SummaryFacts(s))
	}
	return out
}

// verify verifies one bundle b of digest against the verifier's key,
// through the cache: its result depends only on the key, the digest and
// the bundle bytes.
func (v *VSAVerifier) verify(b []byte, digest string) (vsa.Summary, error) {
	if v.cache == nil {
		return vsa.VerifyBundle(b, v.key, digest)
	}
	k := cacheKey{digest: digest, keyID: v.key.ID(), bundle: sha256.Sum256(b)}
	if s, hit := v.cache.Get(k); hit {
		return s, nil
	}
	s, err := vsa.VerifyBundle(b, v.key, digest)
	if err != nil {
		return vsa.Summary{}, err
	}
	v.cache.Add(k, s)
	return s, nil
}
