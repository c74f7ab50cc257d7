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
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/cicd-hub/hubgate/adapters/webhook"
)

// loadPod is a Pod with 10 containers over 5 distinct images, each with a
// valid summary in e's store.
func loadPod(t testing.TB, e *env) []byte {
	t.Helper()
	var cs []string
	for i := range 10 {
		h := strings.Repeat(strconv.Itoa(i%5+1), 64)
		if i < 5 {
			writeVSA(t, e.dir, h, mint(t, e.key, h, now.Add(-time.Hour), true))
		}
		cs = append(cs, fmt.Sprintf(`{"name":"c%d","image":"ghcr.io/acme/svc%d@sha256:%s"}`, i, i%5, h))
	}
	return []byte(`{"metadata":{"name":"load","annotations":{"ci-intel.dev/sbom-referrer":"oci://ghcr.io/a/sbom@sha256:` + hexB +
		`","ci-intel.dev/provenance-referrer":"oci://ghcr.io/a/prov@sha256:` + hexC + `"}},"spec":{"containers":[` + strings.Join(cs, ",") + `]}}`)
}

func loadEnv(t testing.TB, cacheSize int) (*env, []byte) {
	t.Helper()
	e := newEnvStore(t, mappedConfig(), cacheSize, []webhook.VerifierOption{webhook.WithCacheSize(cacheSize)})
	return e, reviewJSON(t, loadPod(t, e), reviewOpts{group: "", kind: "Pod", uid: "load-uid"})
}

type loadResult struct {
	n, errors     int
	p50, p99, max time.Duration
	throughput    float64
	wall          time.Duration
}

func (r loadResult) String() string {
	return fmt.Sprintf("requests=%d errors=%d p50=%s p99=%s max=%s throughput=%.0f req/s",
		r.n, r.errors, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.max.Round(time.Microsecond), r.throughput)
}

// runLoad sends body to addr from `workers` goroutines over keep-alive TLS
// connections. With rate > 0 requests are scheduled at that rate and latency
// is measured from the scheduled time (so queueing counts); with rate 0 the
// workers send as fast as they can.
func runLoad(t testing.TB, addr string, pool *x509.CertPool, body []byte, workers, rate int, d time.Duration) loadResult {
	t.Helper()
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
		MaxIdleConnsPerHost: workers,
		MaxConnsPerHost:     workers,
	}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	once := func() error {
		if body == nil { // the baseline: the same path through TLS and HTTP, no review
			resp, err := c.Get("https://" + addr + "/healthz")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
		resp, err := c.Post("https://"+addr+"/validate", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		var out admissionv1.AdmissionReview
		if err := json.Unmarshal(b, &out); err != nil {
			return err
		}
		if out.Response == nil || !out.Response.Allowed || out.Response.UID != "load-uid" {
			return fmt.Errorf("unexpected response %s", b)
		}
		return nil
	}
	// Warm up the connections and the cache.
	for range workers {
		require.NoError(t, once())
	}
	// Paced: a deep queue, so lateness shows as latency. Unpaced: no queue,
	// so the run ends when d is over.
	depth := 0
	if rate > 0 {
		depth = 1 << 16
	}
	jobs := make(chan time.Time, depth)
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for sched := range jobs {
				if sched.IsZero() {
					sched = time.Now()
				}
				if err := once(); err != nil {
					bad++
				}
				mine = append(mine, time.Since(sched))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	if rate > 0 {
		total := int(d.Seconds() * float64(rate))
		interval := time.Second / time.Duration(rate)
		for i := range total {
			at := start.Add(time.Duration(i) * interval)
			time.Sleep(time.Until(at))
			jobs <- at
		}
	} else {
		for time.Since(start) < d {
			jobs <- time.Time{}
		}
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return loadResult{n: len(lat), errors: errs, p50: pct(0.50), p99: pct(0.99), max: lat[len(lat)-1], throughput: float64(len(lat)) / wall.Seconds(), wall: wall}
}

// TestLoad drives the webhook over TLS on loopback with Pods of 10
// containers over 5 images: at a fixed 500 requests/s from 8 workers, then
// unpaced, each with the cache on and off. It reports p50, p99 and
// throughput; it asserts only that no request failed (speed is measured,
// not asserted). HUBGATE_LOAD_SECONDS sets the length of each run
// (default 1).
func TestLoad(t *testing.T) {
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
	for _, tc := range []struct {
		name  string
		cache int
		rate  int
	}{
		// healthz is the floor: TLS, HTTP and this machine's scheduling,
		// with no review at all.
		{"healthz/500rps", -1, 500},
		{"cache/500rps", webhook.DefaultCacheSize, 500},
		{"nocache/500rps", 0, 500},
		{"cache/unpaced", webhook.DefaultCacheSize, 0},
		{"nocache/unpaced", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, body := loadEnv(t, max(tc.cache, 0))
			if tc.cache < 0 {
				body = nil
			}
			dir := t.TempDir()
			pool := writeCerts(t, dir, time.Now())
			addr := serveTLS(t, e.h, dir)
			cpu0 := cpuTime(t)
			r := runLoad(t, addr, pool, body, 8, tc.rate, d)
			cpu := cpuTime(t) - cpu0
			t.Logf("%s: %s cpu/request=%s (client and server, same process)", tc.name, r, (cpu / time.Duration(max(r.n, 1))).Round(time.Microsecond))
			require.Zero(t, r.errors, "error responses")
			require.Positive(t, r.n)
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReview measures one review of a 10-container, 5-image Pod in
// process (no TLS), with the cache on and off.
func BenchmarkReview(b *testing.B) {
	for _, tc := range []struct {
		name  string
		cache int
	}{{"cache", webhook.DefaultCacheSize}, {"nocache", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			e, body := loadEnv(b, tc.cache)
			b.ReportAllocs()
			cpu0 := cpuTime(b)
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
			b.StopTimer()
			// CPU time is what the machine's other load does not inflate.
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
