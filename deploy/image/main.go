// Command image builds hubgate's container image from this repository,
// offline and reproducibly, and prints its digest.
//
//	go run ./deploy/image --oci-layout out/image            # from the repository root
//	go run ./deploy/image --oci-layout out/image --push ghcr.io/acme/hubgate:v1
//
// It compiles ./cmd/hubgate for linux with CGO_ENABLED=0, -trimpath,
// -buildvcs=false and -ldflags "-s -w" (a static binary that names no path of
// the machine it was built on), puts it in one layer onto an empty base with
// go-containerregistry (no Docker, no registry, no base image to pull), and
// writes the image as an OCI image layout folder. The image runs as
// 65532:65532 (non-root), its entrypoint is /hubgate, and every time in it
// (the layer's file times, the config's created, the history) is
// $SOURCE_DATE_EPOCH, or 0. So the same source and Go version give the same
// digest, here or on CI. The digest goes to stdout (one line, sha256:...),
// for deploy/base/kustomization.yaml's images: digest; a summary goes to
// stderr.
//
// --push also writes the image to a registry, with the credentials of
// ~/.docker/config.json (docker login, crane auth login). Without it, copy the
// layout with any OCI tool (skopeo copy oci:out/image docker://..., crane push
// out/image ...). The Dockerfile next to it builds the same binary onto
// distroless static:nonroot, for those who build with Docker; that image
// differs (its base has files of its own).
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// User is the image's user: distroless's "nonroot", which
	// deploy/base/deployment.yaml's runAsUser and runAsGroup match.
	User = "65532:65532"
	// Entrypoint is where the binary is in the image.
	Entrypoint = "/hubgate"
	// RefName is the ref.name annotation of the image in the layout.
	RefName = "ghcr.io/cicd-hub/hubgate:dev"
	// maxBinary bounds the binary read into memory.
	maxBinary = 512 << 20
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("oci-layout", "", "write the image as an OCI image layout into this folder (required; replaced if it holds a layout)")
	binary := fs.String("binary", "", "use this linux binary instead of building ./cmd/hubgate")
	arch := fs.String("arch", runtime.GOARCH, "GOARCH of the image (GOOS is linux)")
	source := fs.String("source", ".", "the hubgate repository (its go.mod's folder)")
	push := fs.String("push", "", "also push the image to this reference (REGISTRY/REPO:TAG)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "image: --oci-layout DIR is required, and no arguments")
		fs.Usage()
		return 2
	}
	var pushRef name.Reference
	if *push != "" {
		ref, err := name.ParseReference(*push)
		if err != nil {
			fmt.Fprintln(stderr, "image: --push:", err)
			return 2
		}
		pushRef = ref
	}
	created, err := sourceDateEpoch(os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		fmt.Fprintln(stderr, "image:", err)
		return 2
	}
	start := time.Now()
	bin := *binary
	if bin == "" {
		tmp, err := os.MkdirTemp("", "hubgate-image-")
		if err != nil {
			fmt.Fprintln(stderr, "image:", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		bin = filepath.Join(tmp, "hubgate")
		if err := BuildBinary(ctx, *source, "./cmd/hubgate", *arch, bin); err != nil {
			fmt.Fprintln(stderr, "image:", err)
			return 1
		}
	}
	data, err := readBounded(bin)
	if err != nil {
		fmt.Fprintln(stderr, "image:", err)
		return 1
	}
	img, err := Image(data, *arch, created)
	if err != nil {
		fmt.Fprintln(stderr, "image:", err)
		return 1
	}
	if err := WriteLayout(*out, img); err != nil {
		fmt.Fprintln(stderr, "image:", err)
		return 1
	}
	digest, err := img.Digest()
	if err != nil {
		fmt.Fprintln(stderr, "image:", err)
		return 1
	}
	if pushRef != nil {
		ref := pushRef
		if err := remote.Write(ref, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			fmt.Fprintln(stderr, "image: push:", err)
			return 1
		}
		fmt.Fprintf(stderr, "image: pushed %s@%s\n", ref.Context().Name(), digest)
	}
	size, err := compressedSize(img)
	if err != nil {
		fmt.Fprintln(stderr, "image:", err)
		return 1
	}
	fmt.Fprintf(stderr, "image: linux/%s, user %s, binary %d bytes, layer %d bytes compressed, OCI layout %s, in %s\n",
		*arch, User, len(data), size, *out, time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, digest.String())
	return 0
}

// sourceDateEpoch is the time every timestamp of the image carries:
// $SOURCE_DATE_EPOCH (seconds since 1970) or, unset, 1970-01-01.
func sourceDateEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// BuildBinary compiles pkg of the module in dir into out: static
// (CGO_ENABLED=0), for linux/arch, with no path of this machine in it
// (-trimpath), no VCS stamp (a tarball and a clone build the same bytes) and
// no symbol table or DWARF.
func BuildBinary(ctx context.Context, dir, pkg, arch, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, stderr.Bytes())
	}
	return nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxBinary+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxBinary {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxBinary)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return b, nil
}

// Image is the OCI image holding binary as /hubgate: one layer on an empty
// base, user 65532:65532, every time set to created. The same arguments give
// the same digest.
func Image(binary []byte, arch string, created time.Time) (v1.Image, error) {
	if len(binary) == 0 {
		return nil, errors.New("image: empty binary")
	}
	created = created.UTC().Truncate(time.Second)
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{
		{Entrypoint[1:], 0o755, binary},
		// The CA roots a registry's HTTPS certificate chains to
		// (webhook serve --vsa-source registry, eval --image): the
		// image has no OS, so Go finds them here, where it looks first.
		{CABundle[1:], 0o644, caBundle()},
	} {
		if err := tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.name,
			Mode:     f.mode,
			Size:     int64(len(f.data)),
			ModTime:  created,
			Format:   tar.FormatUSTAR,
		}); err != nil {
			return nil, fmt.Errorf("image: layer: %w", err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("image: layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("image: layer: %w", err)
	}
	tarBytes := tarBuf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tarBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("image: layer: %w", err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: "go run ./deploy/image (hubgate)",
			Comment:   "the static hubgate binary and the Mozilla CA roots",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image: config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: created}
	cf.Config.Entrypoint = []string{Entrypoint}
	cf.Config.Cmd = nil
	cf.Config.User = User
	cf.Config.WorkingDir = "/"
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.source": "https://github.com/cicd-hub/hubgate",
		"org.opencontainers.image.title":  "hubgate",
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image: config: %w", err)
	}
	return img, nil
}

// WriteLayout writes img as the only image of an OCI image layout in dir,
// named RefName. A dir that exists must be empty or hold a layout (which is
// replaced).
func WriteLayout(dir string, img v1.Image) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("oci layout: %w", err)
	case len(ents) > 0:
		if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
			return fmt.Errorf("oci layout: %s is not empty and holds no OCI layout: not replacing it", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("oci layout: %w", err)
		}
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("oci layout: %w", err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": RefName,
	})); err != nil {
		return fmt.Errorf("oci layout: %w", err)
	}
	return nil
}

func compressedSize(img v1.Image) (int64, error) {
	layers, err := img.Layers()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range layers {
		s, err := l.Size()
		if err != nil {
			return 0, err
		}
		n += s
	}
	return n, nil
}
