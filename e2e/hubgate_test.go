package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	buildTimeout   = 15 * time.Minute // hubgate pulls in OPA, CUE and sigstore
	commandTimeout = 2 * time.Minute  // keygen, certs, eval
	readyTimeout   = 30 * time.Second // webhook process up and serving /readyz
	stopTimeout    = 10 * time.Second // SIGTERM, then SIGKILL
)

// hubgateBin builds cmd/hubgate once per test binary into a temporary folder
// (or uses $HUBGATE_BIN) and returns its path.
func hubgateBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HUBGATE_BIN"); p != "" {
		return p
	}
	hubgateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hubgate-e2e-bin-")
		if err != nil {
			hubgateErr = err
			return
		}
		hubgateDir = dir
		out := filepath.Join(dir, "hubgate")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/hubgate")
		cmd.Dir = repoRoot(t)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			hubgateErr = fmt.Errorf("go build ./cmd/hubgate: %w\n%s", err, stderr.String())
			return
		}
		fmt.Fprintf(os.Stderr, "e2e: built hubgate in %s\n", time.Since(start).Round(time.Millisecond))
		hubgatePath = out
	})
	require.NoError(t, hubgateErr)
	return hubgatePath
}

var (
	hubgateOnce sync.Once
	hubgatePath string
	hubgateDir  string // removed by TestMain
	hubgateErr  error
)

// runHubgate runs one short hubgate command and returns its stdout; it fails
// the test on a non-zero exit.
func runHubgate(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runHubgateCode(t, args...)
	require.NoError(t, err, "hubgate %v\nstdout:\n%s\nstderr:\n%s", args, out, errOut)
	return out
}

// runHubgateCode runs one short hubgate command and returns stdout, stderr and
// the error of the run (an *exec.ExitError for a non-zero exit).
func runHubgateCode(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, hubgateBin(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// webhookServer is one `hubgate webhook serve` process.
type webhookServer struct {
	args   []string
	addr   string // 127.0.0.1:PORT
	caPEM  []byte
	logDir string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	runs int
}

// start launches the process and waits until /readyz answers 200 over TLS
// with the test CA. The process is stopped when the test ends.
func (w *webhookServer) start(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	require.Nil(t, w.cmd, "webhook already running")
	w.runs++
	logPath := filepath.Join(w.logDir, "webhook-"+strconv.Itoa(w.runs)+".log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(hubgateBin(t), w.args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(done)
	}()
	w.cmd, w.done = cmd, done
	track(cmd.Process.Pid, true)
	t.Cleanup(func() {
		w.stop(t)
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("webhook log (%s):\n%s", logPath, b)
			}
		}
	})

	client := w.httpClient(t)
	deadline := time.Now().Add(readyTimeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-done:
			b, _ := os.ReadFile(logPath)
			w.cmd = nil
			t.Fatalf("hubgate webhook serve exited before it was ready: %v\n%s", cmd.ProcessState, b)
		default:
		}
		resp, err := client.Get("https://" + w.addr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(logPath)
	t.Fatalf("webhook not ready after %s: %s\n%s", readyTimeout, last, b)
}

// stop ends the process (SIGTERM, then SIGKILL after stopTimeout) and waits for
// it. Stopping a stopped server does nothing.
func (w *webhookServer) stop(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil {
		return
	}
	cmd, done := w.cmd, w.done
	w.cmd, w.done = nil, nil
	defer track(cmd.Process.Pid, false)
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-done:
		case <-time.After(stopTimeout):
			t.Errorf("webhook process %d did not exit after SIGKILL", cmd.Process.Pid)
		}
	}
}

// signal sends sig to the running process.
func (w *webhookServer) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	require.NotNil(t, w.cmd, "webhook not running")
	require.NoError(t, syscall.Kill(-w.cmd.Process.Pid, sig))
}

// httpClient trusts only the test CA.
func (w *webhookServer) httpClient(t *testing.T) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(w.caPEM), "ca.crt holds no certificate")
	return &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			Proxy:           nil,
		},
	}
}

// running holds the process groups of the webhook processes that run, for
// the watchdog of TestMain.
var running = struct {
	sync.Mutex
	pgids map[int]bool
}{pgids: map[int]bool{}}

func track(pgid int, on bool) {
	running.Lock()
	defer running.Unlock()
	if on {
		running.pgids[pgid] = true
	} else {
		delete(running.pgids, pgid)
	}
}

// killAll kills every tracked process group.
func killAll() {
	running.Lock()
	defer running.Unlock()
	for pgid := range running.pgids {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
