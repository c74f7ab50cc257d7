package egress

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far. On a shared, loaded
// machine wall time per op mostly measures the scheduler; cpu-ns/op is what
// the work costs.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchInput is a report of n attempts over distinct hosts, against an
// allowlist of m entries (half exact, half wildcards).
func benchInput(b *testing.B, n, m, distinct int) ([]byte, []string) {
	b.Helper()
	allow := make([]string, 0, m)
	for i := range m {
		if i%2 == 0 {
			allow = append(allow, fmt.Sprintf("host%d.example.com", i))
		} else {
			allow = append(allow, fmt.Sprintf("*.svc%d.example.org:443", i))
		}
	}
	type att struct {
		Host    string `json:"host"`
		Port    int    `json:"port"`
		Allowed bool   `json:"allowed"`
		Time    string `json:"time"`
	}
	atts := make([]att, n)
	for i := range atts {
		h := i % distinct
		var host string
		switch h % 3 {
		case 0:
			host = fmt.Sprintf("host%d.example.com", h%m)
		case 1:
			host = fmt.Sprintf("a%d.b.svc%d.example.org", h, h%m)
		default:
			host = fmt.Sprintf("unlisted%d.evil.net", h)
		}
		atts[i] = att{Host: host, Port: 443, Allowed: h%7 != 0, Time: "2026-11-28T00:00:00Z"}
	}
	data, err := json.Marshal(map[string]any{"enforcement": "proxy-based", "attempts": atts})
	if err != nil {
		b.Fatal(err)
	}
	return data, allow
}

func benchmarkCollect(b *testing.B, distinct int) {
	data, allow := benchInput(b, 100_000, 500, distinct)
	canary, err := ParseEntry("canary.hubgate.invalid")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	start := cpuTime(b)
	for b.Loop() {
		a, errs := Compile(allow)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		r, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		c := NewCollector(a, &canary, BlockedWarn)
		c.Add("egress-report.json", r)
		s, _ := c.Summary()
		if s.Attempts != 100_000 {
			b.Fatal(s.Attempts)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkCollect100kAttempts500Allow: 100,000 attempts, 500 entries.
func BenchmarkCollect100kAttempts500Allow(b *testing.B) {
	for _, d := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("distinct=%d", d), func(b *testing.B) { benchmarkCollect(b, d) })
	}
}

// BenchmarkMatch100kAgainst500: the matching alone, 100,000 lookups of
// normalised hosts against a 500-entry allowlist.
func BenchmarkMatch100kAgainst500(b *testing.B) {
	_, allow := benchInput(b, 1, 500, 1)
	a, errs := Compile(allow)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	hosts := make([]Host, 100_000)
	for i := range hosts {
		var s string
		switch i % 3 {
		case 0:
			s = fmt.Sprintf("host%d.example.com", i%500)
		case 1:
			s = fmt.Sprintf("a%d.b.svc%d.example.org", i, i%500)
		default:
			s = fmt.Sprintf("unlisted%d.evil.net", i)
		}
		h, err := NormalizeHost(s)
		if err != nil {
			b.Fatal(err)
		}
		hosts[i] = h
	}
	b.ResetTimer()
	start := cpuTime(b)
	for b.Loop() {
		n := 0
		for _, h := range hosts {
			if _, ok := a.Match(h, 443); ok {
				n++
			}
		}
		if n == 0 {
			b.Fatal("nothing matched")
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}
