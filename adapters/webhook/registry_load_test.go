package webhook_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
)

// registryPod is a review of a Pod of 10 containers over 5 images, each
// with a VSA referrer in e's registry.
func registryPod(t testing.TB, e *regEnv, seed string) []byte {
	t.Helper()
	var images []string
	for i := range 5 {
		images = append(images, e.image(t, fmt.Sprintf("acme/svc%d", i), seed, true))
	}
	return podReview(t, 10, images...)
}

// BenchmarkReviewRegistry is BenchmarkReview with --vsa-source registry:
// one review of a 10-container, 5-image Pod, the registry store's cache
// warm (a loopback registry behind it).
func BenchmarkReviewRegistry(b *testing.B) {
	e := newRegEnv(b, "", 3*time.Second)
	body := registryPod(b, e, "bench")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"allowed":true`)) {
				b.Fatalf("bad response %d %s", rec.Code, rec.Body.String())
			}
		}
	})
}

// BenchmarkFirstSeenDigest is the cost of a digest seen for the first
// time: one registry round trip (referrers listed, the VSA manifest and
// blob fetched) plus one verification, for a one-container Pod.
func BenchmarkFirstSeenDigest(b *testing.B) {
	e := newRegEnv(b, "", 3*time.Second)
	bodies := make([][]byte, b.N)
	for i := range b.N {
		bodies[i] = podReview(b, 1, e.image(b, "acme/first", "seen-"+strconv.Itoa(i)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36), true))
	}
	b.ResetTimer()
	for i := range b.N {
		_, r := post(b, e.h, bodies[i])
		if !r.Response.Allowed {
			b.Fatalf("denied: %+v", r.Response.Result)
		}
	}
}

type overloadResult struct {
	n, allowed, denied, errors int
	shed                       int
	maxAllowed, max, p99       time.Duration
	firstErr                   error
}

// apiServerInflight is kube-apiserver's --max-mutating-requests-inflight
// default: the most webhook calls it has in flight; beyond them it answers
// 429 itself and calls no webhook.
const apiServerInflight = 200

// overload sends body at rate for d as the API server does: each request
// at its scheduled time on its own stream of an HTTP/2 connection, at most
// apiServerInflight at once (a request beyond them is shed, never sent, as
// the API server would), each waiting at most clientTimeout for the
// answer. Latency is from the send: the time the API server's
// timeoutSeconds counts.
func overload(t testing.TB, addr string, pool *x509.CertPool, body []byte, rate int, d, clientTimeout time.Duration) overloadResult {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: clientTimeout}
	var (
		mu  sync.Mutex
		res overloadResult
		lat []time.Duration
		wg  sync.WaitGroup
	)
	inflight := make(chan struct{}, apiServerInflight)
	send := func() {
		defer wg.Done()
		defer func() { <-inflight }()
		sent := time.Now()
		allowed, err := func() (bool, error) {
			resp, err := c.Post("https://"+addr+"/validate", "application/json", bytes.NewReader(body))
			if err != nil {
				return false, err
			}
			defer resp.Body.Close()
			if resp.ProtoMajor != 2 {
				return false, fmt.Errorf("protocol %s, want HTTP/2", resp.Proto)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return false, err
			}
			var out admissionv1.AdmissionReview
			if err := json.Unmarshal(b, &out); err != nil || out.Response == nil {
				return false, fmt.Errorf("bad answer %d %s", resp.StatusCode, b)
			}
			return out.Response.Allowed, nil
		}()
		l := time.Since(sent)
		mu.Lock()
		defer mu.Unlock()
		res.n++
		lat = append(lat, l)
		switch {
		case err != nil:
			res.errors++
			if res.firstErr == nil {
				res.firstErr = err
			}
		case allowed:
			res.allowed++
			res.maxAllowed = max(res.maxAllowed, l)
		default:
			res.denied++
		}
	}
	start := time.Now()
	total := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	for i := range total {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		select {
		case inflight <- struct{}{}:
			wg.Add(1)
			go send()
		default:
			res.shed++
		}
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) == 0 {
		t.Fatalf("overload: no request sent (%d shed)", res.shed)
	}
	res.max = lat[len(lat)-1]
	res.p99 = lat[min(len(lat)-1, int(0.99*float64(len(lat))))]
	return res
}

// deployedGC runs the rest of the test with the collector settings of
// deploy/base/deployment.yaml (GOGC=400, GOMEMLIMIT=192MiB), unless GOGC
// is set in the environment.
func deployedGC(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	gc := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(192 << 20)
	t.Cleanup(func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
}

// TestLoadRegistry drives the webhook with --vsa-source registry over TLS
// on loopback: first-seen digests, then 500 requests/s of 10-container
// Pods over 5 images with a warm cache, then unpaced to find the capacity,
// then twice that. It reports the figures and asserts only what must hold:
// no failed request at 500/s; at 2x capacity no crash, every request
// answered within the client's timeoutSeconds, no allowance later than
// it, and the goroutines back to their baseline afterwards.
func TestLoadRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	secs := 1.0
	if s := os.Getenv("HUBGATE_LOAD_SECONDS"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		secs = v
	}
	d := time.Duration(secs * float64(time.Second))
	deployedGC(t)
	const timeoutSeconds = 5 * time.Second // the webhook configuration's
	e := newRegEnv(t, "", 3*time.Second)
	dir := t.TempDir()
	pool := writeCerts(t, dir, time.Now())
	addr := serveTLS(t, e.h, dir)

	// First seen: each review of a fresh 5-image Pod makes one registry
	// lookup per image and one verification per summary.
	var first []time.Duration
	for i := range 5 {
		body := registryPod(t, e, "first-"+strconv.Itoa(i))
		start := time.Now()
		_, r := post(t, e.h, body)
		first = append(first, time.Since(start))
		require.True(t, r.Response.Allowed, "%+v", r.Response.Result)
	}
	slices.Sort(first)
	t.Logf("first-seen 5-image pod (5 registry lookups, 5 verifications): median=%s max=%s", first[2].Round(time.Microsecond), first[4].Round(time.Microsecond))

	body := registryPod(t, e, "warm")
	_, r := post(t, e.h, body)
	require.True(t, r.Response.Allowed)
	base := runtime.NumGoroutine()

	res := runLoad(t, addr, pool, body, 8, 500, d)
	t.Logf("registry/cache/500rps: %s", res)
	require.Zero(t, res.errors)
	capacity := runLoad(t, addr, pool, body, 8, 0, d)
	t.Logf("registry/cache/unpaced: %s", capacity)

	rate := int(2 * capacity.throughput)
	o := overload(t, addr, pool, body, rate, d, timeoutSeconds)
	t.Logf("registry/cache/overload %d rps (2x capacity): requests=%d allowed=%d denied=%d errors=%d shed-by-client=%d p99=%s max=%s max-allowed=%s",
		rate, o.n, o.allowed, o.denied, o.errors, o.shed, o.p99.Round(time.Microsecond), o.max.Round(time.Microsecond), o.maxAllowed.Round(time.Microsecond))
	assert.Zero(t, o.errors, "every request answered before timeoutSeconds (first error: %v)", o.firstErr)
	assert.Less(t, o.maxAllowed, timeoutSeconds, "no allowance past timeoutSeconds")

	// The goroutines return to the baseline (the server keeps none per
	// finished request once the client's connections are closed).
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base+4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("goroutines: baseline %d, after overload %d", base, runtime.NumGoroutine())
	assert.LessOrEqual(t, runtime.NumGoroutine(), base+4)
}
