package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cicd-hub/hubgate/adapters/jobs"
	"github.com/cicd-hub/hubgate/adapters/jobs/redistest"
)

// benchServers starts n replicas on one real Redis.
func benchServers(b *testing.B, n int) []string {
	b.Helper()
	srv := redistest.Start(b)
	var urls []string
	for range n {
		a, _ := newAdmitter(b, srv.Client(b))
		h := httptest.NewServer(jobs.Handler(a, func(context.Context) error { return nil }, prometheus.NewRegistry()))
		b.Cleanup(h.Close)
		urls = append(urls, h.URL)
	}
	return urls
}

var benchID atomic.Int64

// postAdmit admits a fresh attempt of acme/bench (no effective limit).
func postAdmit(c *http.Client, url string) error {
	body, _ := json.Marshal(jobs.AdmitBody{Repo: "acme/bench", Workflow: "ci.yml", Job: "build", RunsOn: "ubuntu-22.04",
		Timeout: "10m", Attempt: fmt.Sprint("b", benchID.Add(1))})
	resp, err := c.Post(url+"/v1/admit", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("admit: HTTP %d", resp.StatusCode)
	}
	return nil
}

// BenchmarkAdmitHTTPPaced sends b.N admits at 1,000 per second (open loop:
// each is sent on its tick, whatever the others do) to one replica, and
// reports the latency percentiles. Run with -benchtime=5000x.
func BenchmarkAdmitHTTPPaced(b *testing.B) {
	urls := benchServers(b, 1)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 5 * time.Second}
	for range 200 { // warm up connections and the script cache
		if err := postAdmit(c, urls[0]); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	var failed atomic.Int64
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if err := postAdmit(c, urls[0]); err != nil {
				failed.Add(1)
			}
			lat[i] = time.Since(start)
		}()
	}
	wg.Wait()
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d admits failed", failed.Load())
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAdmitHTTPThroughput is closed-loop throughput of one replica and
// of two replicas on one Redis (admits/s).
func BenchmarkAdmitHTTPThroughput(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			urls := benchServers(b, n)
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 5 * time.Second}
			var i atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := postAdmit(c, urls[int(i.Add(1))%n]); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "admits/s")
		})
	}
}
