package webhook_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/oci"
	"github.com/cicd-hub/hubgate/adapters/oci/ocitest"
	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

// regEnv is a webhook whose summaries are referrers in a real registry.
type regEnv struct {
	reg    *ocitest.Registry
	key    *vsa.Key
	client *oci.Client
	store  *webhook.RegistryStore
	h      *webhook.Handler
	cfg    admission.Config
}

func newRegEnv(t testing.TB, host string, timeout time.Duration) *regEnv {
	t.Helper()
	e := &regEnv{key: newKey(t)}
	if host == "" {
		e.reg = ocitest.Start(t, ocitest.Options{})
		host = e.reg.Host
	}
	var err error
	e.client, err = oci.NewClient(oci.Options{PlainHTTP: true, RegistryConfig: emptyDockerConfig(t)})
	require.NoError(t, err)
	e.store, err = webhook.NewRegistryStore(e.client, webhook.RegistryStoreOptions{Budget: timeout * 8 / 10})
	require.NoError(t, err)
	e.cfg = admission.DefaultConfig()
	e.cfg.Images = map[string]admission.ImageMapping{host: {Repos: []string{testRepo}}}
	v, err := webhook.NewVSAVerifier(e.store, e.key.Public())
	require.NoError(t, err)
	e.h, err = webhook.NewHandler(e.cfg, v, webhook.WithTimeout(timeout), webhook.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	return e
}

func emptyDockerConfig(t testing.TB) string {
	p := t.TempDir() + "/config.json"
	require.NoError(t, writeFileT(p, `{"auths":{}}`))
	return p
}

// image pushes an image to repo and, when withVSA, attaches a passing
// summary for it; it returns REGISTRY/REPO@sha256:HEX.
func (e *regEnv) image(t testing.TB, repo, seed string, withVSA bool) string {
	t.Helper()
	ref := e.reg.PushImage(t, repo, seed)
	if withVSA {
		img, err := oci.ParseImage(ref)
		require.NoError(t, err)
		hex := strings.TrimPrefix(img.Digest, "sha256:")
		_, err = e.client.Attach(context.Background(), img, []oci.File{{Name: "vsa.json", Data: mint(t, e.key, hex, now.Add(-time.Hour), true)}}, now)
		require.NoError(t, err)
	}
	return ref
}

// podReview is a Pod review of the images, container i running
// images[i%len(images)], n containers.
func podReview(t testing.TB, n int, images ...string) []byte {
	t.Helper()
	var cs []string
	for i := range n {
		cs = append(cs, fmt.Sprintf(`{"name":"c%d","image":%q}`, i, images[i%len(images)]))
	}
	pod := []byte(`{"metadata":{"name":"load","annotations":{"ci-intel.dev/sbom-referrer":"oci://ghcr.io/a/sbom@sha256:` + hexB +
		`","ci-intel.dev/provenance-referrer":"oci://ghcr.io/a/prov@sha256:` + hexC + `"}},"spec":{"containers":[` + strings.Join(cs, ",") + `]}}`)
	return reviewJSON(t, pod, reviewOpts{group: "", kind: "Pod", uid: "load-uid"})
}

func TestRegistryStoreAdmission(t *testing.T) {
	e := newRegEnv(t, "", 2*time.Second)
	good := e.image(t, "acme/app", "good", true)
	bare := e.image(t, "acme/app", "bare", false)

	_, r := post(t, e.h, podReview(t, 1, good))
	require.True(t, r.Response.Allowed, "%+v", r.Response.Result)

	_, r = post(t, e.h, podReview(t, 1, bare))
	require.False(t, r.Response.Allowed)
	assert.Contains(t, r.Response.Result.Message, "no verification summary")
	assert.NotContains(t, r.Response.Result.Message, "could not reach")

	// A summary signed by another key, attached to its image, is refused.
	other := e.reg.PushImage(t, "acme/app", "other-key")
	img, _ := oci.ParseImage(other)
	_, err := e.client.Attach(context.Background(), img, []oci.File{{Name: "vsa.json", Data: mint(t, newKey(t), strings.TrimPrefix(img.Digest, "sha256:"), now.Add(-time.Hour), true)}}, now)
	require.NoError(t, err)
	_, r = post(t, e.h, podReview(t, 1, other))
	require.False(t, r.Response.Allowed)

	// A summary of another image, attached to this one, is refused.
	stolen := e.reg.PushImage(t, "acme/app", "stolen")
	img, _ = oci.ParseImage(stolen)
	goodImg, _ := oci.ParseImage(good)
	_, err = e.client.Attach(context.Background(), img, []oci.File{{Name: "vsa.json", Data: mint(t, e.key, strings.TrimPrefix(goodImg.Digest, "sha256:"), now.Add(-time.Hour), true)}}, now)
	require.NoError(t, err)
	_, r = post(t, e.h, podReview(t, 1, stolen))
	require.False(t, r.Response.Allowed)

	// Cached: the good image stays admitted with the registry down, and
	// a digest never seen is denied saying the registry could not be
	// reached, not that it is unsigned.
	unseen := e.image(t, "acme/app", "unseen", true)
	e.reg.Stop()
	_, r = post(t, e.h, podReview(t, 1, good))
	require.True(t, r.Response.Allowed, "warm cache")
	_, r = post(t, e.h, podReview(t, 1, unseen))
	require.False(t, r.Response.Allowed)
	assert.Contains(t, r.Response.Result.Message, "could not reach the registry")
	assert.NotContains(t, r.Response.Result.Message, "no verification summary")
	assert.Equal(t, 1.0, lookups(e.store, "unreachable"), "the discovery error has its own metric label")
	assert.Zero(t, lookups(e.store, "bad"))
}

func TestRegistryStoreSingleflight(t *testing.T) {
	e := newRegEnv(t, "", 2*time.Second)
	var images []string
	for i := range 5 {
		images = append(images, e.image(t, fmt.Sprintf("acme/svc%d", i), "s", true))
	}
	body := podReview(t, 10, images...)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, r := post(t, e.h, body)
			assert.True(t, r.Response.Allowed)
		}()
	}
	wg.Wait()
	found := lookups(e.store, "found")
	assert.Equal(t, 5.0, found, "one registry lookup per digest under concurrency")
}

// TestRegistryStoreHangs: a registry that accepts connections and never
// answers is a denial within the admission timeout, saying so.
func TestRegistryStoreHangs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	host := l.Addr().String()
	e := newRegEnv(t, host, 500*time.Millisecond)
	start := time.Now()
	_, r := post(t, e.h, podReview(t, 1, host+"/acme/app@sha256:"+hexA))
	took := time.Since(start)
	require.False(t, r.Response.Allowed)
	assert.Contains(t, r.Response.Result.Message, "could not reach the registry")
	assert.Less(t, took, 2*time.Second, "answered within the budget")

	// A pod of several images never seen, each with its own lookup: the
	// first takes the budget, and the others must still say that the
	// registry could not be reached (before the request's own deadline),
	// not that the evaluation timed out.
	start = time.Now()
	_, r = post(t, e.h, podReview(t, 3, host+"/acme/app@sha256:"+hexB, host+"/acme/other@sha256:"+hexC, host+"/acme/third@sha256:"+hexA))
	took = time.Since(start)
	require.False(t, r.Response.Allowed)
	assert.Contains(t, r.Response.Result.Message, "could not reach the registry")
	assert.NotContains(t, r.Response.Result.Message, "timed out")
	assert.Less(t, took, 2*time.Second, "answered within the budget")
}

func lookups(s *webhook.RegistryStore, result string) float64 {
	return testutil.ToFloat64(s.Lookups().WithLabelValues(result))
}

func writeFileT(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }

// TestRegistryStoreAuth: credentials come from a Docker config (the
// mounted secret); without them the registry's 401 is a denial that says
// the registry could not be reached, not that the image is unsigned.
func TestRegistryStoreAuth(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Options{Auth: true, User: "puller", Password: "pw-auth"})
	key := newKey(t)
	ref := reg.PushImage(t, "acme/app", "auth")
	img, err := oci.ParseImage(ref)
	require.NoError(t, err)
	pusher, err := oci.NewClient(oci.Options{PlainHTTP: true, RegistryConfig: reg.DockerConfig(t)})
	require.NoError(t, err)
	_, err = pusher.Attach(context.Background(), img, []oci.File{{Name: "vsa.json", Data: mint(t, key, strings.TrimPrefix(img.Digest, "sha256:"), now.Add(-time.Hour), true)}}, now)
	require.NoError(t, err)
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{reg.Host: {Repos: []string{testRepo}}}
	handler := func(dockerConfig string) *webhook.Handler {
		c, err := oci.NewClient(oci.Options{PlainHTTP: true, RegistryConfig: dockerConfig})
		require.NoError(t, err)
		st, err := webhook.NewRegistryStore(c, webhook.RegistryStoreOptions{Budget: time.Second})
		require.NoError(t, err)
		v, err := webhook.NewVSAVerifier(st, key.Public())
		require.NoError(t, err)
		h, err := webhook.NewHandler(cfg, v, webhook.WithClock(func() time.Time { return now }))
		require.NoError(t, err)
		return h
	}
	_, r := post(t, handler(reg.DockerConfig(t)), podReview(t, 1, ref))
	require.True(t, r.Response.Allowed, "%+v", r.Response.Result)
	_, r = post(t, handler(emptyDockerConfig(t)), podReview(t, 1, ref))
	require.False(t, r.Response.Allowed)
	assert.Contains(t, r.Response.Result.Message, "could not reach the registry")
	assert.Contains(t, r.Response.Result.Message, "oci.unauthorized")
}
