// Command bench times whole hubgate processes on a generated full release,
// side by side with the peers (opa, cosign) when they are installed, and
// prints medians of interleaved runs and their ratios. Nothing in it passes
// or fails: it prints figures, with the load average beside them.
//
//	go build -o /tmp/hubgate ./cmd/hubgate
//	go run ./bench -hubgate /tmp/hubgate [-base /tmp/hubgate-base] [-n 11]
//
// Peers are looked up on PATH, then in the version-keyed cache
// ${XDG_CACHE_HOME:-$HOME/.cache}/hubgate/{opa-v1.22.3,cosign-v3.1.3}/.
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/bench/release"
)

//go:embed peer/sbom_vex.rego
var peerRego []byte

func main() {
	hubgate := flag.String("hubgate", "", "hubgate binary to time (required)")
	base := flag.String("base", "", "a second hubgate binary (the baseline), timed interleaved with the first")
	n := flag.Int("n", 11, "runs of each command (interleaved); the median is printed")
	dir := flag.String("dir", "", "where to write the release (default: a temporary folder, removed after)")
	gen := flag.Bool("gen", false, "only write the release into -dir and print the eval command lines")
	flag.Parse()
	if *gen {
		if *dir == "" {
			fmt.Fprintln(os.Stderr, "bench: -gen needs -dir")
			os.Exit(2)
		}
		r, err := release.Write(*dir, release.Full)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		fmt.Println("hubgate " + strings.Join(r.EvalArgs(), " "))
		fmt.Println("hubgate " + strings.Join(r.VulnArgs(), " "))
		return
	}
	if *hubgate == "" {
		fmt.Fprintln(os.Stderr, "bench: -hubgate BIN is required (go build -o /tmp/hubgate ./cmd/hubgate)")
		os.Exit(2)
	}
	if err := run(*hubgate, *base, *n, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
}

// cmd is one command line to time.
type cmd struct {
	name string
	argv []string
	ok   []int // exit codes that count as a run (eval exits 1 on deny)
}

// sample is one run's wall and CPU (user + system) time.
type sample struct{ wall, cpu time.Duration }

func run(hubgate, base string, n int, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "hubgate-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	r, err := release.Write(dir, release.Full)
	if err != nil {
		return err
	}
	peerPath := filepath.Join(dir, "sbom_vex.rego")
	if err := os.WriteFile(peerPath, peerRego, 0o644); err != nil {
		return err
	}
	opa := peer("opa", "opa-v1.22.3")
	cosign := peer("cosign", "cosign-v3.1.3")

	// Rows: each is a list of commands timed interleaved; the first is
	// hubgate's, the ratio is first / each other.
	type row struct {
		name string
		cmds []cmd
	}
	bins := []string{hubgate}
	if base != "" {
		bins = append(bins, base)
	}
	var rows []row
	label := func(bin string) string {
		if bin == hubgate {
			return "hubgate"
		}
		return "base"
	}
	add := func(name string, mk func(bin string) cmd, peers ...cmd) {
		var cs []cmd
		for _, b := range bins {
			c := mk(b)
			c.name = label(b) + " " + c.name
			cs = append(cs, c)
		}
		rows = append(rows, row{name, append(cs, peers...)})
	}
	add("full release eval", func(b string) cmd {
		return cmd{name: "eval", argv: append([]string{b}, r.EvalArgs()...), ok: []int{0, 1}}
	})
	var opaVuln, opaVersion []cmd
	if opa != "" {
		opaVuln = []cmd{{name: "opa eval sbom_vex.rego", argv: []string{opa, "eval", "--format", "json", "-d", peerPath, "-i", r.PeerInput, "data.hub.old.sbom_vex"}, ok: []int{0}}}
		opaVersion = []cmd{{name: "opa version", argv: []string{opa, "version"}, ok: []int{0}}}
	}
	add("vulnerability gate", func(b string) cmd {
		return cmd{name: "eval (vulns)", argv: append([]string{b}, r.VulnArgs()...), ok: []int{0, 1}}
	}, opaVuln...)
	var cosSig, cosProv []cmd
	if cosign != "" {
		cosSig = []cmd{{name: "cosign verify-blob", argv: []string{cosign, "verify-blob", "--key", r.PublicKey, "--bundle", r.Signature, "--insecure-ignore-tlog=true", "--private-infrastructure", r.Subject}, ok: []int{0}}}
		// cosign verify-blob-attestation wants a bundle; the bare DSSE
		// envelope is what --signature takes.
		cosProv = []cmd{{name: "cosign verify-blob-attestation", argv: []string{cosign, "verify-blob-attestation", "--key", r.PublicKey, "--signature", r.Provenance, "--type", "slsaprovenance1", "--insecure-ignore-tlog=true", "--private-infrastructure", r.Subject}, ok: []int{0}}}
	}
	add("verify signature", func(b string) cmd {
		return cmd{name: "verify signature", argv: []string{b, "verify", "signature", "--bundle", r.Signature, "--artifact", r.Subject, "--key", r.PublicKey}, ok: []int{0}}
	}, cosSig...)
	add("verify provenance", func(b string) cmd {
		return cmd{name: "verify provenance", argv: []string{b, "verify", "provenance", "--provenance", r.Provenance, "--artifact", r.Subject, "--source-uri", "github.com/acme/app", "--source-tag", "v1.0.0", "--key", r.PublicKey}, ok: []int{0}}
	}, cosProv...)
	add("version", func(b string) cmd {
		return cmd{name: "version", argv: []string{b, "version"}, ok: []int{0}}
	}, opaVersion...)

	fmt.Printf("release in %s; %d interleaved runs per command; opa=%q cosign=%q\n", dir, n, opa, cosign)
	for _, rw := range rows {
		// One warm-up run each (page cache), then n interleaved rounds.
		samples := make([][]sample, len(rw.cmds))
		for i, c := range rw.cmds {
			if _, err := time1(c); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			samples[i] = nil
		}
		load0 := loadavg()
		for range n {
			for i, c := range rw.cmds {
				s, err := time1(c)
				if err != nil {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				samples[i] = append(samples[i], s)
			}
		}
		fmt.Printf("\n## %s  (load average before %s, after %s)\n", rw.name, load0, loadavg())
		first := median(samples[0], false)
		for i, c := range rw.cmds {
			w, cpu := median(samples[i], false), median(samples[i], true)
			ratio := ""
			if i > 0 {
				ratio = fmt.Sprintf("   hubgate/this = %.2f×", float64(first)/float64(w))
			}
			fmt.Printf("  %-34s wall %8.1f ms   cpu %8.1f ms%s\n", c.name, ms(w), ms(cpu), ratio)
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(s []sample, cpu bool) time.Duration {
	v := make([]time.Duration, len(s))
	for i, x := range s {
		v[i] = x.wall
		if cpu {
			v[i] = x.cpu
		}
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func time1(c cmd) (sample, error) {
	x := exec.Command(c.argv[0], c.argv[1:]...)
	var out, errb bytes.Buffer
	x.Stdout, x.Stderr = &out, &errb
	t0 := time.Now()
	err := x.Run()
	wall := time.Since(t0)
	if x.ProcessState == nil {
		return sample{}, err
	}
	code := x.ProcessState.ExitCode()
	if !slices.Contains(c.ok, code) {
		return sample{}, fmt.Errorf("exit %d: %s", code, strings.TrimSpace(errb.String()+"\n"+tail(out.String())))
	}
	return sample{wall: wall, cpu: x.ProcessState.UserTime() + x.ProcessState.SystemTime()}, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// peer finds a peer binary on PATH or in the version-keyed cache.
func peer(name, cacheDir string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	c := os.Getenv("XDG_CACHE_HOME")
	if c == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		c = filepath.Join(h, ".cache")
	}
	p := filepath.Join(c, "hubgate", cacheDir, name)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p
	}
	return ""
}
