package oci_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/cicd-hub/hubgate/adapters/oci"
)

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }

// pushArtifact attaches b as an artifact of type at to img, as another tool
// would.
func pushArtifact(t *testing.T, rp *remote.Repository, img oci.Image, at string, b []byte) {
	t.Helper()
	ctx := context.Background()
	layer := ocispec.Descriptor{MediaType: at, Digest: digest.FromBytes(b), Size: int64(len(b))}
	require.NoError(t, rp.Push(ctx, layer, bytes.NewReader(b)))
	subject, err := rp.Resolve(ctx, img.Digest)
	require.NoError(t, err)
	_, err = oras.PackManifest(ctx, rp, oras.PackManifestVersion1_1, at, oras.PackManifestOptions{Subject: &subject, Layers: []ocispec.Descriptor{layer}})
	require.NoError(t, err)
}
