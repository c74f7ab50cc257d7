// Package ocitest starts a real OCI registry (distribution v3, built by
// .ci/build-tools.sh into a version-keyed cache) on a free loopback port,
// and pushes test images to it with oras-go. It is for tests only.
package ocitest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/crypto/bcrypt"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// Versions of the server binaries, the names of their cache folders.
const (
	RegistryVersion = "registry-v3.1.2"
	CosignVersion   = "cosign-v3.1.3"
)

func cacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "hubgate")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "hubgate")
}

// Binary returns the path of a cached server binary: $env when set, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/hubgate/<version>/<name>. When it is
// absent the test is skipped, or fails when CI=true (.ci/run builds it).
func Binary(t testing.TB, env, version, name string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		p = filepath.Join(cacheDir(), version, name)
	}
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("%s not found at %s (set %s, or run .ci/build-tools.sh)", name, p, env)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// Registry is a running distribution registry.
type Registry struct {
	// Host is 127.0.0.1:PORT.
	Host string
	// User and Password are set when the registry needs auth.
	User, Password string
	cmd            *exec.Cmd
	done           chan struct{}
}

// Options configure [Start].
type Options struct {
	// Auth makes the registry require basic auth (htpasswd) for User and
	// Password.
	Auth           bool
	User, Password string
}

// FreePort returns a free loopback port.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs the registry on a free 127.0.0.1 port until the test ends.
func Start(t testing.TB, o Options) *Registry {
	t.Helper()
	bin := Binary(t, "HUBGATE_REGISTRY_BIN", RegistryVersion, "registry")
	dir := t.TempDir()
	r := &Registry{Host: fmt.Sprintf("127.0.0.1:%d", FreePort(t)), done: make(chan struct{})}
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: hubgate-test
`, filepath.Join(dir, "data"), r.Host)
	if o.Auth {
		r.User, r.Password = o.User, o.Password
		h, err := bcrypt.GenerateFromPassword([]byte(o.Password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		pw := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(pw, []byte(o.User+":"+string(h)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: hubgate-test\n    path: %s\n", pw)
	}
	cp := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cp, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r.cmd = exec.Command(bin, "serve", cp)
	r.cmd.Stdout, r.cmd.Stderr = &logs, &logs
	r.cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=none", "OTEL_LOGS_EXPORTER=none")
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(r.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-r.done:
			t.Fatalf("registry exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry did not start on %s: %v\n%s", r.Host, err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

// Stop kills the registry (by its pid) and waits for it to exit.
func (r *Registry) Stop() {
	if r.cmd.Process == nil {
		return
	}
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Kill()
	<-r.done
}

// Repository returns an oras repository of repo on r, with r's
// credentials.
func (r *Registry) Repository(t testing.TB, repo string) *remote.Repository {
	t.Helper()
	rp, err := remote.NewRepository(r.Host + "/" + repo)
	if err != nil {
		t.Fatal(err)
	}
	rp.PlainHTTP = true
	c := &auth.Client{Client: http.DefaultClient, Cache: auth.NewCache()}
	if r.User != "" {
		c.Credential = auth.StaticCredential(r.Host, auth.Credential{Username: r.User, Password: r.Password})
	}
	rp.Client = c
	return rp
}

// PushImage pushes a small image (a config and one layer made from seed)
// to repo and returns REGISTRY/REPO@sha256:HEX.
func (r *Registry) PushImage(t testing.TB, repo, seed string) string {
	t.Helper()
	ctx := context.Background()
	rp := r.Repository(t, repo)
	push := func(mt string, b []byte) ocispec.Descriptor {
		d := ocispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(b), Size: int64(len(b))}
		if err := rp.Push(ctx, d, bytes.NewReader(b)); err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Fatal(err)
		}
		return d
	}
	cfg := push(ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
	layer := push(ocispec.MediaTypeImageLayer, []byte("layer of "+seed))
	m, err := oras.PackManifest(ctx, rp, oras.PackManifestVersion1_1, "", oras.PackManifestOptions{
		ConfigDescriptor: &cfg, Layers: []ocispec.Descriptor{layer},
		ManifestAnnotations: map[string]string{"org.opencontainers.image.title": seed, ocispec.AnnotationCreated: "2026-01-01T00:00:00Z"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.Host + "/" + repo + "@" + m.Digest.String()
}

// DockerConfig writes a Docker config.json with r's credentials and
// returns its path.
func (r *Registry) DockerConfig(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	tok := base64Std(r.User + ":" + r.Password)
	if err := os.WriteFile(p, []byte(`{"auths":{"`+r.Host+`":{"auth":"`+tok+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
