package webhook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/cicd-hub/hubgate/adapters/oci"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

// ErrRegistryUnreachable is wrapped when the registry of an image could not
// be reached (down, slow, refusing the credentials, rate limiting): the
// image is denied, fail closed, saying so, and not that it is unsigned.
var ErrRegistryUnreachable = errors.New("could not reach the registry")

// Defaults of [RegistryStoreOptions].
const (
	DefaultRegistryTTL      = 5 * time.Minute
	DefaultRegistryNegative = 10 * time.Second
	DefaultRegistryErrorTTL = 2 * time.Second
)

// RegistryStoreOptions configure a [RegistryStore].
type RegistryStoreOptions struct {
	// TTL is how long found summaries are kept (DefaultRegistryTTL).
	TTL time.Duration
	// NegativeTTL is how long "no summary" is kept
	// (DefaultRegistryNegative): short, so a VSA attached after a denial
	// is found soon.
	NegativeTTL time.Duration
	// ErrorTTL is how long "could not reach" is kept
	// (DefaultRegistryErrorTTL), so a registry that is down is not asked
	// again by every request of a burst.
	ErrorTTL time.Duration
	// Budget bounds one registry lookup (the admission timeout, below the
	// webhook configuration's timeoutSeconds). Required.
	Budget time.Duration
	// Size is the number of images kept (DefaultCacheSize).
	Size int
	// Now is the clock of the cache (time.Now).
	Now func() time.Time
}

type registryEntry struct {
	bundles [][]byte
	err     error
	expires time.Time
}

// RegistryStore finds the VSAs of an image among its OCI referrers (the
// sigstore bundles annotated with the SLSA verification summary predicate
// type, as hubgate attach and cosign attest push them). It implements
// [ImageStore]. Lookups are cached per image digest with a TTL, a short
// negative cache and a shorter error cache; concurrent lookups of one
// digest make one registry round trip (singleflight); each runs within
// the budget, and a caller whose own deadline comes first is answered
// with a "could not reach" error while the lookup goes on for the others.
type RegistryStore struct {
	client *oci.Client
	o      RegistryStoreOptions
	group  singleflight.Group
	mu     sync.Mutex
	cache  *lru.Cache[string, registryEntry]

	lookups *prometheus.CounterVec
	latency prometheus.Histogram
}

// NewRegistryStore returns a store that asks registries through c.
func NewRegistryStore(c *oci.Client, o RegistryStoreOptions) (*RegistryStore, error) {
	if c == nil {
		return nil, errors.New("registry store: nil client")
	}
	if o.Budget <= 0 {
		return nil, errors.New("registry store: budget must be positive")
	}
	if o.TTL <= 0 {
		o.TTL = DefaultRegistryTTL
	}
	if o.NegativeTTL <= 0 {
		o.NegativeTTL = DefaultRegistryNegative
	}
	if o.ErrorTTL <= 0 {
		o.ErrorTTL = DefaultRegistryErrorTTL
	}
	if o.Size <= 0 {
		o.Size = DefaultCacheSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cache, err := lru.New[string, registryEntry](o.Size)
	if err != nil {
		return nil, fmt.Errorf("registry store: %w", err)
	}
	return &RegistryStore{client: c, o: o, cache: cache,
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubgate_webhook_vsa_registry_lookups_total",
			Help: "VSA lookups in OCI registries, by result: cached, found, none, bad (a referrer whose content did not match its digest), or the discovery error class (unreachable, timeout, unauthorized, not_found, rate_limited).",
		}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hubgate_webhook_vsa_registry_fetch_seconds",
			Help:    "Time of one registry lookup (referrers listed and VSA blobs fetched).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}, nil
}

// Collectors are the store's metrics, for the handler's registry.
func (s *RegistryStore) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.lookups, s.latency}
}

// Get implements [Store]; a registry needs the image's name, so it fails
// closed.
func (s *RegistryStore) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("registry store: the image name is needed to find its summary")
}

// Summaries implements [ImageStore].
func (s *RegistryStore) Summaries(ctx context.Context, image, digest string) ([][]byte, error) {
	if _, err := vsa.ParseDigest(digest); err != nil {
		return nil, err
	}
	img, err := oci.ParseImage(image + "@" + digest)
	if err != nil {
		return nil, fmt.Errorf("registry store: %w", err)
	}
	key := img.String()
	now := s.o.Now()
	s.mu.Lock()
	e, ok := s.cache.Get(key)
	s.mu.Unlock()
	if ok && now.Before(e.expires) {
		s.lookups.WithLabelValues("cached").Inc()
		return e.bundles, e.err
	}
	ch := s.group.DoChan(key, func() (any, error) {
		e := s.lookup(img)
		s.mu.Lock()
		s.cache.Add(key, e)
		s.mu.Unlock()
		return e, nil
	})
	// Stop waiting a little before the caller's deadline: a pod's images
	// are looked up one after another, and when the first used up the
	// budget, the others must still be answered (and denied, saying the
	// registry could not be reached) before the request itself times out.
	var early <-chan time.Time
	if d, ok := ctx.Deadline(); ok {
		t := time.NewTimer(max(time.Until(d)-s.o.Budget/8, 0))
		defer t.Stop()
		early = t.C
	}
	select {
	case r := <-ch:
		e := r.Val.(registryEntry)
		return e.bundles, e.err
	case <-early:
	case <-ctx.Done():
	}
	return nil, fmt.Errorf("%w %s for %s: no answer within the admission budget", ErrRegistryUnreachable, img.Registry(), img)
}

// lookup asks the registry, within the budget, detached from any one
// request: the requests waiting on it each stop at their own deadline.
func (s *RegistryStore) lookup(img oci.Image) registryEntry {
	ctx, cancel := context.WithTimeout(context.Background(), s.o.Budget)
	defer cancel()
	start := time.Now()
	refs, err := s.client.FindVSA(ctx, img)
	s.latency.Observe(time.Since(start).Seconds())
	now := s.o.Now()
	var de *oci.DiscoveryError
	switch {
	case errors.As(err, &de):
		s.lookups.WithLabelValues(string(de.Class)).Inc()
		return registryEntry{err: fmt.Errorf("%w: %v", ErrRegistryUnreachable, err), expires: now.Add(s.o.ErrorTTL)}
	case err != nil:
		s.lookups.WithLabelValues(string(oci.ClassUnreachable)).Inc()
		return registryEntry{err: fmt.Errorf("%w: %v", ErrRegistryUnreachable, err), expires: now.Add(s.o.ErrorTTL)}
	}
	var bundles [][]byte
	var bad error
	for _, r := range refs {
		if r.Problem != "" {
			if bad == nil {
				bad = errors.New(r.Problem)
			}
			continue
		}
		if len(r.Data) > vsa.MaxBundleSize {
			continue
		}
		bundles = append(bundles, r.Data)
	}
	switch {
	case len(bundles) > 0:
		s.lookups.WithLabelValues("found").Inc()
		return registryEntry{bundles: bundles, expires: now.Add(s.o.TTL)}
	case bad != nil:
		s.lookups.WithLabelValues("bad").Inc()
		return registryEntry{err: fmt.Errorf("verification summary of %s is unusable: %w", img, bad), expires: now.Add(s.o.NegativeTTL)}
	}
	s.lookups.WithLabelValues("none").Inc()
	return registryEntry{err: fmt.Errorf("%w for %s among its referrers", ErrNoSummary, img), expires: now.Add(s.o.NegativeTTL)}
}

// Lookups is the lookup counter, by result (see [RegistryStore.Collectors]).
func (s *RegistryStore) Lookups() *prometheus.CounterVec { return s.lookups }
