package referrers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/referrers"
)

const (
	subj = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	sbom = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	sig  = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
)

// tree is oras ≥ 1.3 `discover --format json` output.
const tree = `{
  "ref": "ghcr.io/acme/app@` + subj + `",
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "digest": "` + subj + `",
  "size": 1234,
  "referrers": [
    {
      "ref": "ghcr.io/acme/app@` + sbom + `",
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "` + sbom + `",
      "size": 700,
      "artifactType": "application/spdx+json",
      "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"},
      "referrers": [
        {
          "ref": "ghcr.io/acme/app@` + sig + `",
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "digest": "` + sig + `",
          "size": 500,
          "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json"
        }
      ]
    }
  ]
}`

// index is the referrers index earlier oras versions printed.
const index = `{
  "manifests": [
    {"ref": "ghcr.io/acme/app@` + sbom + `", "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "` + sbom + `", "size": 700, "artifactType": "application/vnd.cyclonedx+json"}
  ]
}`

func TestParse(t *testing.T) {
	t.Run("tree", func(t *testing.T) {
		d, err := referrers.Parse([]byte(tree))
		require.NoError(t, err)
		assert.Equal(t, "tree", d.Format)
		assert.Equal(t, subj, d.Subject)
		require.Len(t, d.Referrers, 2)
		assert.Equal(t, referrers.Referrer{ArtifactType: "application/spdx+json", MediaType: "application/vnd.oci.image.manifest.v1+json", Digest: sbom, Depth: 1, Path: "referrers[0]"}, d.Referrers[0])
		assert.Equal(t, 2, d.Referrers[1].Depth)
		assert.Equal(t, "referrers[0].referrers[0]", d.Referrers[1].Path)
	})
	t.Run("tree subject from ref when digest is missing", func(t *testing.T) {
		d, err := referrers.Parse([]byte(`{"ref":"r@` + subj + `","referrers":[]}`))
		require.NoError(t, err)
		assert.Equal(t, subj, d.Subject)
		assert.Empty(t, d.Referrers)
	})
	t.Run("index names no subject", func(t *testing.T) {
		d, err := referrers.Parse([]byte(index))
		require.NoError(t, err)
		assert.Equal(t, "index", d.Format)
		assert.Empty(t, d.Subject)
		require.Len(t, d.Referrers, 1)
		assert.Equal(t, "application/vnd.cyclonedx+json", d.Referrers[0].ArtifactType)
	})
	for _, tc := range []struct{ name, in string }{
		{"not json", "nope"},
		{"no list", `{"digest":"` + subj + `"}`},
		{"null referrers", `{"referrers":null}`},
		{"bad referrer digest", `{"referrers":[{"digest":"nope"}]}`},
		{"bad subject digest", `{"digest":"x","referrers":[]}`},
		{"referrers not a list", `{"referrers":{"a":1}}`},
		{"trailing data", `{"referrers":[]} {}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := referrers.Parse([]byte(tc.in))
			require.ErrorIs(t, err, referrers.ErrParse)
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(tree))
	f.Add([]byte(index))
	f.Add([]byte(`{"referrers":[{"digest":"sha256:00","referrers":[{"digest":"sha256:01"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := referrers.Parse(b)
		if err == nil && d == nil {
			t.Fatal("nil document without error")
		}
	})
}
