package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/elf"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Unix(0, 0).UTC()

func TestImageReproducible(t *testing.T) {
	bin := []byte("\x7fELF not really a binary")
	a, err := Image(bin, "amd64", epoch)
	require.NoError(t, err)
	b, err := Image(bytes.Clone(bin), "amd64", epoch)
	require.NoError(t, err)
	da, db := digest(t, a), digest(t, b)
	assert.Equal(t, da, db, "same input, same digest")

	for _, tc := range []struct {
		name    string
		bin     []byte
		arch    string
		created time.Time
	}{
		{"other binary", []byte("\x7fELF another"), "amd64", epoch},
		{"other arch", bin, "arm64", epoch},
		{"other time", bin, "amd64", epoch.Add(time.Second)},
	} {
		img, err := Image(tc.bin, tc.arch, tc.created)
		require.NoError(t, err, tc.name)
		assert.NotEqual(t, da, digest(t, img), tc.name)
	}
	// Sub-second parts of the time do not leak in.
	c, err := Image(bin, "amd64", epoch.Add(300*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, da, digest(t, c))

	_, err = Image(nil, "amd64", epoch)
	assert.Error(t, err)
}

func TestImageConfig(t *testing.T) {
	bin := []byte("\x7fELF binary")
	created := time.Unix(1_700_000_000, 0).UTC()
	img, err := Image(bin, "arm64", created)
	require.NoError(t, err)
	checkImage(t, img, bin, "arm64", created)
}

// checkImage checks what the deployment relies on: non-root, the entrypoint,
// one OCI layer holding only /hubgate, every time fixed.
func checkImage(t *testing.T, img v1.Image, bin []byte, arch string, created time.Time) {
	t.Helper()
	mt, err := img.MediaType()
	require.NoError(t, err)
	assert.Equal(t, types.OCIManifestSchema1, mt)
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, "65532:65532", cf.Config.User)
	assert.NotEqual(t, "0", strings.Split(cf.Config.User, ":")[0], "not root")
	assert.Equal(t, []string{"/hubgate"}, cf.Config.Entrypoint)
	assert.Empty(t, cf.Config.Cmd)
	assert.Equal(t, "linux", cf.OS)
	assert.Equal(t, arch, cf.Architecture)
	assert.True(t, cf.Created.Time.Equal(created), "created %s", cf.Created)
	require.Len(t, cf.History, 1)
	assert.True(t, cf.History[0].Created.Time.Equal(created))

	layers, err := img.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 1)
	lmt, err := layers[0].MediaType()
	require.NoError(t, err)
	assert.Equal(t, types.OCILayer, lmt)
	rc, err := layers[0].Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	tr := tar.NewReader(rc)
	h, err := tr.Next()
	require.NoError(t, err)
	assert.Equal(t, "hubgate", h.Name)
	assert.EqualValues(t, 0o755, h.Mode)
	assert.Equal(t, 0, h.Uid)
	assert.True(t, h.ModTime.Equal(created), "mtime %s", h.ModTime)
	got, err := io.ReadAll(tr)
	require.NoError(t, err)
	assert.Equal(t, bin, got)
	h, err = tr.Next()
	require.NoError(t, err)
	assert.Equal(t, CABundle[1:], h.Name)
	assert.EqualValues(t, 0o644, h.Mode)
	assertCABundle(t, tr)
	_, err = tr.Next()
	assert.ErrorIs(t, err, io.EOF, "the binary and the CA roots only")
}

// assertCABundle checks that r is a PEM file of CA roots crypto/x509 loads,
// holding a root that public registries chain to, and nothing else.
func assertCABundle(t *testing.T, r io.Reader) {
	t.Helper()
	pemBytes, err := io.ReadAll(io.LimitReader(r, 4<<20))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemBytes), "no certificate in the CA bundle")
	n, names := 0, map[string]bool{}
	for rest := pemBytes; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			assert.Empty(t, bytes.TrimSpace(rest), "trailing bytes that are not PEM")
			break
		}
		require.Equal(t, "CERTIFICATE", b.Type)
		c, err := x509.ParseCertificate(b.Bytes)
		require.NoError(t, err)
		assert.True(t, c.IsCA, c.Subject.String())
		names[c.Subject.CommonName] = true
		n++
	}
	assert.Greater(t, n, 100, "the Mozilla store has well over 100 roots")
	// ghcr.io, Docker Hub, ECR and GCR chain to one of these.
	assert.True(t, names["ISRG Root X1"] || names["USERTrust RSA Certification Authority"] || names["Amazon Root CA 1"], "no well-known root")
}

func TestWriteLayout(t *testing.T) {
	img, err := Image([]byte("\x7fELF binary"), "amd64", epoch)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, WriteLayout(dir, img))
	// Again over the layout: replaced, still one image.
	require.NoError(t, WriteLayout(dir, img))
	got := readLayout(t, dir)
	assert.Equal(t, digest(t, img), digest(t, got))

	// A folder that is not a layout is never removed.
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "keep"), []byte("x"), 0o600))
	err = WriteLayout(other, img)
	require.ErrorContains(t, err, "holds no OCI layout")
	_, err = os.Stat(filepath.Join(other, "keep"))
	assert.NoError(t, err)
}

// TestBuildReproducible runs the whole pipeline twice (go build with the
// image's flags, the image, the layout) on a tiny program, and checks that
// the printed digest is the layout's and the same both times. (.ci/run does
// the same with hubgate itself.)
func TestBuildReproducible(t *testing.T) {
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Fatal("run from deploy/image")
	}
	var digests []string
	for i := range 2 {
		dir := t.TempDir()
		bin := filepath.Join(dir, "hello")
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
		require.NoError(t, BuildBinary(ctx, "../..", "./deploy/image/testdata/hello", "amd64", bin))
		cancel()
		b, err := os.ReadFile(bin)
		require.NoError(t, err)
		assert.NotContains(t, string(b), dir, "-trimpath: no build path in the binary")
		out := filepath.Join(dir, "layout")
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"--binary", bin, "--arch", "amd64", "--oci-layout", out}, &stdout, &stderr)
		require.Equal(t, 0, code, "run %d: %s", i, stderr.String())
		printed := strings.TrimSpace(stdout.String())
		assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, printed)
		img := readLayout(t, out)
		assert.Equal(t, printed, digest(t, img), "the printed digest is the layout's")
		checkImage(t, img, b, "amd64", epoch)
		digests = append(digests, printed)
	}
	assert.Equal(t, digests[0], digests[1], "two builds, one digest")
}

func TestRunUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run(t.Context(), nil, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--oci-layout")
	assert.Empty(t, stdout.String())

	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	stderr.Reset()
	assert.Equal(t, 2, run(t.Context(), []string{"--oci-layout", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "SOURCE_DATE_EPOCH")

	t.Setenv("SOURCE_DATE_EPOCH", "")
	stderr.Reset()
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	assert.Equal(t, 1, run(t.Context(), []string{"--binary", empty, "--oci-layout", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "empty")
	assert.Empty(t, stdout.String())
}

func readLayout(t *testing.T, dir string) v1.Image {
	t.Helper()
	p, err := layout.FromPath(dir)
	require.NoError(t, err)
	idx, err := p.ImageIndex()
	require.NoError(t, err)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, m.Manifests, 1)
	assert.Equal(t, RefName, m.Manifests[0].Annotations["org.opencontainers.image.ref.name"])
	img, err := idx.Image(m.Manifests[0].Digest)
	require.NoError(t, err)
	return img
}

func digest(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	require.NoError(t, err)
	return d.String()
}

// TestBuiltImage checks an image that `go run ./deploy/image` wrote, when
// $HUBGATE_IMAGE_LAYOUT names its layout and $HUBGATE_IMAGE_DIGEST the digest
// it printed (.ci/run sets both): the digest is the layout's, the image is
// non-root and its binary is a static linux executable.
func TestBuiltImage(t *testing.T) {
	dir, want := os.Getenv("HUBGATE_IMAGE_LAYOUT"), os.Getenv("HUBGATE_IMAGE_DIGEST")
	if dir == "" || want == "" {
		t.Skip("HUBGATE_IMAGE_LAYOUT and HUBGATE_IMAGE_DIGEST unset (.ci/run sets them)")
	}
	img := readLayout(t, dir)
	assert.Equal(t, want, digest(t, img))
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, User, cf.Config.User)
	assert.Equal(t, []string{Entrypoint}, cf.Config.Entrypoint)
	layers, err := img.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 1)
	rc, err := layers[0].Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	tr := tar.NewReader(rc)
	h, err := tr.Next()
	require.NoError(t, err)
	assert.Equal(t, "hubgate", h.Name)
	bin, err := io.ReadAll(io.LimitReader(tr, maxBinary))
	require.NoError(t, err)
	f, err := elf.NewFile(bytes.NewReader(bin))
	require.NoError(t, err, "not an ELF executable")
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "dynamically linked (CGO_ENABLED=0 makes it static)")
	}
	h, err = tr.Next()
	require.NoError(t, err)
	assert.Equal(t, CABundle[1:], h.Name)
	assertCABundle(t, tr)
}

// TestPush pushes to a loopback registry (go-containerregistry's in-memory
// one) and reads the image back by the printed digest.
func TestPush(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	bin := filepath.Join(t.TempDir(), "hubgate")
	require.NoError(t, os.WriteFile(bin, []byte("\x7fELF pushed"), 0o755))
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials of this machine
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--binary", bin, "--oci-layout", filepath.Join(t.TempDir(), "l"), "--push", host + "/acme/hubgate:v1"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	printed := strings.TrimSpace(stdout.String())
	assert.Contains(t, stderr.String(), "pushed "+host+"/acme/hubgate@"+printed)

	ref, err := name.ParseReference(host + "/acme/hubgate@" + printed)
	require.NoError(t, err)
	img, err := remote.Image(ref, remote.WithContext(t.Context()))
	require.NoError(t, err)
	assert.Equal(t, printed, digest(t, img))
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, User, cf.Config.User)

	// The tag points at it too; a bad reference is a usage error.
	tagged, err := name.ParseReference(host + "/acme/hubgate:v1")
	require.NoError(t, err)
	desc, err := remote.Head(tagged, remote.WithContext(t.Context()))
	require.NoError(t, err)
	assert.Equal(t, printed, desc.Digest.String())
	stderr.Reset()
	assert.Equal(t, 2, run(t.Context(), []string{"--binary", bin, "--oci-layout", filepath.Join(t.TempDir(), "l"), "--push", "UPPER CASE"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--push")
}
