package oci_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/oci"
	"github.com/cicd-hub/hubgate/adapters/oci/ocitest"
	"github.com/cicd-hub/hubgate/policy"
)

const cdx = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}`

func client(t *testing.T, o oci.Options) *oci.Client {
	t.Helper()
	o.PlainHTTP = true
	if o.RegistryConfig == "" {
		o.RegistryConfig = writeEmptyConfig(t)
	}
	c, err := oci.NewClient(o)
	require.NoError(t, err)
	return c
}

func writeEmptyConfig(t *testing.T) string {
	t.Helper()
	p := t.TempDir() + "/config.json"
	require.NoError(t, writeFile(p, `{"auths":{}}`))
	return p
}

func TestParseImage(t *testing.T) {
	const d = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	img, err := oci.ParseImage("ghcr.io/acme/app:v1@" + d)
	require.NoError(t, err)
	assert.Equal(t, "ghcr.io/acme/app@"+d, img.String())
	for _, bad := range []string{"ghcr.io/acme/app:v1", "ghcr.io/acme/app", "", "acme/app@" + d, "ghcr.io/acme/app@sha512:00", "ghcr.io/acme/app@sha256:zz"} {
		_, err := oci.ParseImage(bad)
		assert.Error(t, err, bad)
	}
	_, err = oci.ParseImage("ghcr.io/acme/app:v1")
	assert.ErrorIs(t, err, oci.ErrNotPinned)
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		at, pt string
		want   oci.Use
	}{
		{oci.MediaBundle, "https://slsa.dev/provenance/v1", oci.UseProvenance},
		{"application/vnd.dev.sigstore.bundle+json;version=0.3", "https://slsa.dev/provenance/v1", oci.UseProvenance},
		{oci.MediaBundle, oci.PredicateVSA, oci.UseVSA},
		{oci.MediaBundle, "https://sigstore.dev/cosign/sign/v1", oci.UseUnknown},
		{oci.MediaBundle, "", oci.UseUnknown},
		{oci.MediaBundle, "https://cyclonedx.org/bom", oci.UseSBOM},
		{oci.MediaBundle, "https://cyclonedx.org/bom/v1.6", oci.UseSBOM},
		{oci.MediaBundle, "https://spdx.dev/Document", oci.UseSBOM},
		{oci.MediaBundle, "https://cyclonedx.org/bomb", oci.UseUnknown},
		{"Application/VND.CycloneDX+JSON; version=1.6", "", oci.UseSBOM},
		{oci.MediaSPDX, "", oci.UseSBOM},
		{oci.MediaOpenVEX, "", oci.UseVEX},
		{oci.MediaInToto, "https://slsa.dev/provenance/v1", oci.UseProvenance},
		{oci.MediaInToto, "https://example.com/other", oci.UseUnknown},
		{"application/vnd.example+json", "", oci.UseUnknown},
	} {
		assert.Equal(t, tc.want, oci.Classify(tc.at, tc.pt), "%s %s", tc.at, tc.pt)
	}
}

func kinds(items []oci.Referrer) []string {
	var out []string
	for _, r := range items {
		out = append(out, string(r.Use))
	}
	return out
}

// TestDiscoverRealRegistry attaches evidence with Attach and finds it with
// Discover against a real distribution registry.
func TestDiscoverRealRegistry(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Options{})
	image := reg.PushImage(t, "acme/app", "one")
	img, err := oci.ParseImage(image)
	require.NoError(t, err)
	c := client(t, oci.Options{})
	ctx := context.Background()

	// No referrers yet: found nothing, no error.
	res, err := c.Discover(ctx, img)
	require.NoError(t, err)
	assert.Empty(t, res.Referrers)

	att, err := c.Attach(ctx, img, []oci.File{{Name: "sbom.cdx.json", Data: []byte(cdx)}, {Name: "unknown.json", Data: []byte(`{"bomFormat":"CycloneDX"}`)}}, time.Unix(0, 0))
	require.NoError(t, err)
	require.Len(t, att, 2)
	assert.Equal(t, oci.MediaCycloneDX, att[0].ArtifactType)
	// An unknown artifact pushed by another tool is listed, not used.
	other := reg.Repository(t, "acme/app")
	pushArtifact(t, other, img, "application/vnd.example.thing", []byte("thing"))

	res, err = c.Discover(ctx, img)
	require.NoError(t, err)
	require.Len(t, res.Referrers, 3)
	assert.ElementsMatch(t, []string{"sbom", "sbom", "unknown"}, kinds(res.Referrers))
	items := res.Items()
	var sboms int
	for _, it := range items {
		if it.Kind == policy.KindSBOM {
			sboms++
			assert.Empty(t, it.Problem)
			assert.Contains(t, string(it.Data), "CycloneDX")
		}
	}
	assert.Equal(t, 2, sboms)
	var listed int
	for _, it := range items {
		if it.Role == oci.RoleListed {
			listed++
			assert.Contains(t, it.Path, "application/vnd.example.thing")
			assert.NotEmpty(t, it.Data, "its manifest, recorded as an input")
		}
	}
	assert.Equal(t, 1, listed)
	last := items[len(items)-1]
	assert.Equal(t, policy.KindReferrers, last.Kind)
	assert.Contains(t, string(last.Data), "application/vnd.example.thing", "unknown types are listed")

	// Another image's referrers are not this one's.
	img2, err := oci.ParseImage(reg.PushImage(t, "acme/app", "two"))
	require.NoError(t, err)
	res, err = c.Discover(ctx, img2)
	require.NoError(t, err)
	assert.Empty(t, res.Referrers)

	// A missing image is a discovery error, not evidence.
	missing, _ := oci.ParseImage(reg.Host + "/acme/app@sha256:" + strings.Repeat("ab", 32))
	_, err = c.Discover(ctx, missing)
	var de *oci.DiscoveryError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, oci.ClassNotFound, de.Class)

	// The referrers limit fails closed.
	small := client(t, oci.Options{MaxReferrers: 2})
	res, err = small.Discover(ctx, img)
	require.NoError(t, err)
	assert.True(t, res.TooMany)
	assert.NotEmpty(t, res.Items()[len(res.Items())-1].Problem)

	// A blob over the size limit is a problem, its bytes unused.
	tiny := client(t, oci.Options{MaxBlobSize: 10})
	res, err = tiny.Discover(ctx, img)
	require.NoError(t, err)
	for _, r := range res.Referrers {
		if r.Use == oci.UseSBOM {
			assert.Contains(t, r.Problem, "exceeds the limit")
			assert.Nil(t, r.Data)
		}
	}
}

func TestDiscoverStoppedAndHanging(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Options{})
	img, err := oci.ParseImage(reg.PushImage(t, "acme/app", "one"))
	require.NoError(t, err)
	reg.Stop()
	_, err = client(t, oci.Options{}).Discover(context.Background(), img)
	var de *oci.DiscoveryError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, oci.ClassUnreachable, de.Class)
	assert.Contains(t, err.Error(), "could not reach evidence")
	assert.Contains(t, err.Error(), "oci.unreachable")

	// A registry that accepts the connection and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	hang, err := oci.ParseImage(l.Addr().String() + "/acme/app@sha256:" + strings.Repeat("ab", 32))
	require.NoError(t, err)
	start := time.Now()
	_, err = client(t, oci.Options{Timeout: 300 * time.Millisecond}).Discover(context.Background(), hang)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, oci.ClassTimeout, de.Class)
	assert.Less(t, time.Since(start), 10*time.Second, "the deadline holds")
}

func TestDiscoverAuth(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Options{Auth: true, User: "ci", Password: "s3cret-pw"})
	img, err := oci.ParseImage(reg.PushImage(t, "acme/app", "one"))
	require.NoError(t, err)
	ctx := context.Background()
	withCreds := client(t, oci.Options{RegistryConfig: reg.DockerConfig(t)})
	_, err = withCreds.Attach(ctx, img, []oci.File{{Name: "sbom.cdx.json", Data: []byte(cdx)}}, time.Unix(0, 0))
	require.NoError(t, err)
	res, err := withCreds.Discover(ctx, img)
	require.NoError(t, err)
	assert.Len(t, res.Referrers, 1)

	_, err = client(t, oci.Options{}).Discover(ctx, img)
	var de *oci.DiscoveryError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, oci.ClassUnauthorized, de.Class)

	wrong := &ocitest.Registry{Host: reg.Host, User: "ci", Password: "wrong"}
	_, err = client(t, oci.Options{RegistryConfig: wrong.DockerConfig(t)}).Discover(ctx, img)
	require.ErrorAs(t, err, &de)

	assert.Equal(t, oci.ClassUnauthorized, de.Class)
}

// proxy puts a reverse proxy before the registry that can hide the
// referrers API (a registry without it) or rewrite blobs (one that lies).
func proxy(t *testing.T, host string, noReferrersAPI bool, rewrite func(path string, b []byte) []byte) string {
	t.Helper()
	u, _ := url.Parse("http://" + host)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		if rewrite == nil || r.Request.Method != http.MethodGet {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		b = rewrite(r.Request.URL.Path, b)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Del("Content-Length")
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if noReferrersAPI && strings.Contains(r.URL.Path, "/referrers/") {
			http.NotFound(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestReferrersTagFallback(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Options{})
	image := reg.PushImage(t, "acme/app", "one")
	host := proxy(t, reg.Host, true, nil)
	img, err := oci.ParseImage(strings.Replace(image, reg.Host, host, 1))
	require.NoError(t, err)
	c := client(t, oci.Options{})
	ctx := context.Background()
	// Attach through the proxy: oras-go finds no referrers API and
	// writes the sha256-<hex> tag index.
	_, err = c.Attach(ctx, img, []oci.File{{Name: "sbom.cdx.json", Data: []byte(cdx)}}, time.Unix(0, 0))
	require.NoError(t, err)
	rp := reg.Repository(t, "acme/app")
	_, err = rp.Resolve(ctx, "sha256-"+strings.TrimPrefix(img.Digest, "sha256:"))
	require.NoError(t, err, "the fallback tag exists")
	res, err := client(t, oci.Options{}).Discover(ctx, img)
	require.NoError(t, err)
	require.Len(t, res.Referrers, 1)
	assert.Equal(t, oci.UseSBOM, res.Referrers[0].Use)
	assert.NotNil(t, res.Referrers[0].Data)
}

func TestDigestMismatch(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Options{})
	image := reg.PushImage(t, "acme/app", "one")
	img, err := oci.ParseImage(image)
	require.NoError(t, err)
	c := client(t, oci.Options{})
	ctx := context.Background()
	att, err := c.Attach(ctx, img, []oci.File{{Name: "sbom.cdx.json", Data: []byte(cdx)}}, time.Unix(0, 0))
	require.NoError(t, err)
	require.Len(t, att, 1)
	// The proxy serves other bytes of the same length for the SBOM blob.
	host := proxy(t, reg.Host, false, func(path string, b []byte) []byte {
		if strings.Contains(path, "/blobs/") && bytes.Contains(b, []byte("CycloneDX")) {
			return bytes.Replace(b, []byte(`"version":1`), []byte(`"version":2`), 1)
		}
		return b
	})
	lying, err := oci.ParseImage(strings.Replace(image, reg.Host, host, 1))
	require.NoError(t, err)
	res, err := c.Discover(ctx, lying)
	require.NoError(t, err, "a lying registry is bad evidence, not a discovery error")
	require.Len(t, res.Referrers, 1)
	assert.Contains(t, res.Referrers[0].Problem, "digest mismatch")
	assert.Nil(t, res.Referrers[0].Data)
	for _, it := range res.Items() {
		if it.Kind == policy.KindSBOM {
			assert.NotEmpty(t, it.Problem)
			assert.Nil(t, it.Data, "mismatched bytes are never used")
		}
	}
}

func TestDetectType(t *testing.T) {
	_, _, err := oci.DetectType("x.txt", []byte("hello"))
	assert.Error(t, err)
	at, _, err := oci.DetectType("v.json", []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}`))
	require.NoError(t, err)
	assert.Equal(t, oci.MediaOpenVEX, at)
	at, _, err = oci.DetectType("s.json", []byte(`{"spdxVersion":"SPDX-2.3"}`))
	require.NoError(t, err)
	assert.Equal(t, oci.MediaSPDX, at)
	_, _, err = oci.DetectType("b.json", []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payload":"!!"}}`))
	assert.Error(t, err)
}

// TestDiscoveryStatus: a registry that answers 429 or 403 is a discovery
// error of its own class, never evidence.
func TestDiscoveryStatus(t *testing.T) {
	for _, tc := range []struct {
		status int
		class  oci.Class
	}{{http.StatusTooManyRequests, oci.ClassRateLimited}, {http.StatusForbidden, oci.ClassUnauthorized}, {http.StatusBadGateway, oci.ClassUnreachable}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(`{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`))
		}))
		img, err := oci.ParseImage(strings.TrimPrefix(srv.URL, "http://") + "/acme/app@sha256:" + strings.Repeat("ab", 32))
		require.NoError(t, err)
		_, err = client(t, oci.Options{}).Discover(context.Background(), img)
		var de *oci.DiscoveryError
		require.ErrorAs(t, err, &de, "%d", tc.status)
		assert.Equal(t, tc.class, de.Class, "%d: %v", tc.status, err)
		assert.Contains(t, err.Error(), tc.class.FindingID())
		srv.Close()
	}
}
