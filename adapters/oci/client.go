package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"

	"github.com/cicd-hub/hubgate/engine"
)

// Defaults of [Options].
const (
	DefaultMaxReferrers = 64
	DefaultTimeout      = 30 * time.Second
	// MaxManifestSize bounds a referrer's manifest (the OCI distribution
	// spec's suggested 4 MiB).
	MaxManifestSize = 4 << 20
)

// Options configure a [Client].
type Options struct {
	// RegistryConfig is a Docker config.json with registry credentials.
	// Empty means $DOCKER_CONFIG/config.json, else ~/.docker/config.json,
	// and anonymous pulls when neither exists.
	RegistryConfig string
	// PlainHTTP talks HTTP, not HTTPS (loopback tests).
	PlainHTTP bool
	// MaxReferrers bounds the referrers listed for one image
	// ([DefaultMaxReferrers] when 0).
	MaxReferrers int
	// MaxBlobSize bounds each evidence blob (engine.DefaultMaxFileSize
	// when 0).
	MaxBlobSize int64
	// Timeout bounds one [Client.Discover] or [Client.Attach]
	// ([DefaultTimeout] when 0); the caller's context may be shorter.
	Timeout time.Duration
	// Transport is the HTTP transport (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
}

// Client talks to OCI registries. It is safe for concurrent use, and keeps
// the registries' tokens between calls.
type Client struct {
	opts Options
	auth *auth.Client
}

// NewClient returns a client with opts. A registry config that cannot be
// read or parsed is an error.
func NewClient(opts Options) (*Client, error) {
	if opts.MaxReferrers <= 0 {
		opts.MaxReferrers = DefaultMaxReferrers
	}
	if opts.MaxBlobSize <= 0 {
		opts.MaxBlobSize = engine.DefaultMaxFileSize
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	var (
		store credentials.Store
		err   error
	)
	if opts.RegistryConfig != "" {
		if _, serr := os.Stat(opts.RegistryConfig); serr != nil {
			return nil, fmt.Errorf("--registry-config %s: %w", opts.RegistryConfig, serr)
		}
		store, err = credentials.NewStore(opts.RegistryConfig, credentials.StoreOptions{})
		if err != nil {
			return nil, fmt.Errorf("--registry-config %s: %w", opts.RegistryConfig, err)
		}
	} else {
		store, err = credentials.NewStoreFromDocker(credentials.StoreOptions{})
		if err != nil {
			return nil, fmt.Errorf("docker config: %w", err)
		}
	}
	return &Client{opts: opts, auth: &auth.Client{
		// No retries: every call runs inside a deadline (an admission
		// budget), and a retry past it would only be cancelled.
		Client:     &http.Client{Transport: opts.Transport},
		Cache:      auth.NewCache(),
		Credential: credentials.Credential(store),
		Header:     http.Header{"User-Agent": {"hubgate"}},
	}}, nil
}

// Image is a parsed image reference pinned by digest.
type Image struct {
	ref registry.Reference
	// Digest is the manifest digest, "sha256:<hex>".
	Digest string
}

// Registry is the registry host (and port).
func (i Image) Registry() string { return i.ref.Registry }

// Repository is the repository path inside the registry.
func (i Image) Repository() string { return i.ref.Repository }

// String is REGISTRY/REPO@sha256:HEX.
func (i Image) String() string { return i.ref.Registry + "/" + i.ref.Repository + "@" + i.Digest }

// ErrNotPinned is wrapped when an image reference has no digest.
var ErrNotPinned = errors.New("image is not pinned by digest")

// ParseImage reads REGISTRY/REPO@sha256:HEX. A tag alone is refused: a tag
// can move, and evidence binds to one manifest digest.
func ParseImage(s string) (Image, error) {
	if s == "" || len(s) > 1024 {
		return Image{}, fmt.Errorf("image %q: want REGISTRY/REPO@sha256:HEX", s)
	}
	if !strings.Contains(s, "@") {
		return Image{}, fmt.Errorf("image %s: %w: want REGISTRY/REPO@sha256:HEX (resolve the tag first, e.g. with crane digest or oras resolve)", s, ErrNotPinned)
	}
	ref, err := registry.ParseReference(s)
	if err != nil {
		return Image{}, fmt.Errorf("image %s: %w", s, err)
	}
	d, err := ref.Digest()
	if err != nil {
		return Image{}, fmt.Errorf("image %s: %w: %w", s, ErrNotPinned, err)
	}
	if d.Algorithm() != digest.SHA256 {
		return Image{}, fmt.Errorf("image %s: digest algorithm %s: want sha256", s, d.Algorithm())
	}
	if !strings.Contains(ref.Registry, ".") && !strings.Contains(ref.Registry, ":") && ref.Registry != "localhost" {
		return Image{}, fmt.Errorf("image %s: %q is not a registry host: give the registry, e.g. ghcr.io/%s", s, ref.Registry, s)
	}
	return Image{ref: ref, Digest: d.String()}, nil
}

// repository returns the oras repository of img.
func (c *Client) repository(img Image) (*remote.Repository, error) {
	repo, err := remote.NewRepository(img.ref.Registry + "/" + img.ref.Repository)
	if err != nil {
		return nil, err
	}
	repo.Client = c.auth
	repo.PlainHTTP = c.opts.PlainHTTP
	return repo, nil
}

// resolve returns img's repository and its manifest descriptor, refusing a
// registry that answers with another digest than the one asked for: what
// is discovered or attached then belongs to img and nothing else.
func (c *Client) resolve(ctx context.Context, img Image) (*remote.Repository, ocispec.Descriptor, error) {
	repo, err := c.repository(img)
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	subject, err := repo.Resolve(ctx, img.Digest)
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	if subject.Digest.String() != img.Digest {
		return nil, ocispec.Descriptor{}, fmt.Errorf("asked for %s, the registry answered %s", img.Digest, subject.Digest)
	}
	return repo, subject, nil
}
