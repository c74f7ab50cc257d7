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

// VSAVerifier answers the admission.vsa rule ([admission.VSAChecker]) from
// a [Store], one trusted key and a [vsa.Policy]. It is safe for concurrent
// use.
type VSAVerifier struct {
	store  Store
	key    *vsa.PublicKey
	policy vsa.Policy
	now    func() time.Time
	cache  *lru.Cache[cacheKey, vsa.Summary]
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

// WithVerifierClock sets the clock the age checks use (default time.Now).
func WithVerifierClock(now func() time.Time) VerifierOption {
	return func(v *VSAVerifier) error {
		if now == nil {
			return errors.New("clock: nil")
		}
		v.now = now
		return nil
	}
}

// NewVSAVerifier returns a verifier of the summaries in store, signed by key,
// that must satisfy p. The cache holds [DefaultCacheSize] entries unless an
// option says otherwise.
func NewVSAVerifier(store Store, key *vsa.PublicKey, p vsa.Policy, opts ...VerifierOption) (*VSAVerifier, error) {
	if store == nil {
		return nil, errors.New("vsa verifier: nil store")
	}
	if key == nil {
		return nil, errors.New("vsa verifier: nil key")
	}
	if p.MaxAge <= 0 {
		return nil, errors.New("vsa verifier: max age must be positive")
	}
	v := &VSAVerifier{store: store, key: key, policy: p, now: time.Now}
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

// CheckVSA implements [admission.VSAChecker]: the summary of digest must
// verify and pass the verifier's [vsa.Policy], be for one of req.Repos,
// name one of req.PolicyDigests when set, and meet req.RequiredLevels.
// When req.Unchanged (an UPDATE that keeps the image its container had),
// the policy's max age is not applied; a summary from the future is still
// refused.
func (v *VSAVerifier) CheckVSA(ctx context.Context, digest string, req admission.Requirement) error {
	if len(req.Repos) == 0 {
		// Fail closed: an empty list would accept a summary for any repo.
		return fmt.Errorf("%w: no repo is accepted for this image (admission.images[%q] lists none)", vsa.ErrRepo, req.Prefix)
	}
	if is, ok := v.store.(ImageStore); ok {
		// A registry store may hold several summaries of one image (one
		// per evaluation): one that passes admits it.
		bs, err := is.Summaries(ctx, req.Image, digest)
		if err != nil {
			return err
		}
		var first error
		for _, b := range bs {
			err := v.check(b, digest, req)
			if err == nil {
				return nil
			}
			if first == nil {
				first = err
			}
		}
		if first == nil {
			first = fmt.Errorf("%w for %s", ErrNoSummary, digest)
		}
		return first
	}
	b, err := v.store.Get(ctx, digest)
	if err != nil {
		return err
	}
	return v.check(b, digest, req)
}

// check verifies one bundle b of digest against the verifier's key and
// policy and req.
func (v *VSAVerifier) check(b []byte, digest string, req admission.Requirement) error {
	var (
		s   vsa.Summary
		hit bool
		k   cacheKey
		err error
	)
	if v.cache != nil {
		k = cacheKey{digest: digest, keyID: v.key.ID(), bundle: sha256.Sum256(b)}
		s, hit = v.cache.Get(k)
	}
	if !hit {
		s, err = vsa.VerifyBundle(b, v.key, digest)
		if err != nil {
			return err
		}
		if v.cache != nil {
			v.cache.Add(k, s)
		}
	}
	now := v.now()
	p := v.policy
	p.Repos, p.RequiredLevels = req.Repos, req.RequiredLevels
	if age := now.Sub(s.TimeVerified); req.Unchanged && age > p.MaxAge {
		// Already admitted with this image: its age is not judged again.
		p.MaxAge = age
	}
	if err := s.Check(now, p); err != nil {
		return err
	}
	if len(req.PolicyDigests) > 0 && !s.NamesPolicy(req.PolicyDigests) {
		return fmt.Errorf("%w: %v, admission.images[%q] accepts %v", vsa.ErrPolicy, s.PolicyDigests, req.Prefix, req.PolicyDigests)
	}
	return nil
}
