package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/cicd-hub/hubgate/adapters/webhook"
)

// writeCerts writes a fresh CA and serving certificate into dir and returns
// the CA pool. mod is the files' modification time.
func writeCerts(t testing.TB, dir string, mod time.Time) *x509.CertPool {
	t.Helper()
	c, err := webhook.GenerateCerts(nil, time.Now(), time.Hour)
	require.NoError(t, err)
	for name, b := range map[string][]byte{"ca.crt": c.CACert, "tls.crt": c.TLSCert, "tls.key": c.TLSKey} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		require.NoError(t, os.Chtimes(p, mod, mod))
	}
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(c.CACert))
	return pool
}

// serveTLS serves h over TLS on a loopback port and returns its address.
func serveTLS(t testing.TB, h http.Handler, dir string) string {
	t.Helper()
	r, err := webhook.NewCertReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := webhook.NewServer(l.Addr().String(), h, r)
	srv.ErrorLog = log.New(io.Discard, "", 0) // handshake errors are expected here
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	return l.Addr().String()
}

func client(pool *x509.CertPool, maxVersion uint16) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: maxVersion, ServerName: "127.0.0.1"},
	}}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	pool := writeCerts(t, dir, time.Now().Add(-time.Hour))
	e := newEnv(t, mappedConfig(), nil)
	writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, now.Add(-time.Hour), true))
	addr := serveTLS(t, e.h, dir)
	body := reviewJSON(t, fixtureJSON(t, "deployment_secure.yaml"), reviewOpts{uid: "tls-uid-1"})

	t.Run("review round-trips", func(t *testing.T) {
		resp, err := client(pool, 0).Post("https://"+addr+"/validate", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.GreaterOrEqual(t, resp.TLS.Version, uint16(tls.VersionTLS12))
		var out admissionv1.AdmissionReview
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		assert.Equal(t, "tls-uid-1", string(out.Response.UID))
		assert.True(t, out.Response.Allowed)
	})
	t.Run("denial round-trips", func(t *testing.T) {
		resp, err := client(pool, 0).Post("https://"+addr+"/validate", "application/json",
			bytes.NewReader(reviewJSON(t, fixtureJSON(t, "deployment_tagged.yaml"), reviewOpts{uid: "tls-uid-2"})))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out admissionv1.AdmissionReview
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		assert.Equal(t, "tls-uid-2", string(out.Response.UID))
		assert.False(t, out.Response.Allowed)
		assert.EqualValues(t, 403, out.Response.Result.Code)
	})
	t.Run("plaintext refused", func(t *testing.T) {
		plain := &http.Client{Timeout: 5 * time.Second}
		// The server answers 400 and closes the connection with the rest of
		// the request unread, so the client sees either the 400 or a reset.
		// Either way no review is processed.
		for _, send := range []func() (*http.Response, error){
			func() (*http.Response, error) {
				return plain.Post("http://"+addr+"/validate", "application/json", bytes.NewReader(body))
			},
			func() (*http.Response, error) { return plain.Get("http://" + addr + "/healthz") },
		} {
			resp, err := send()
			if err != nil {
				continue
			}
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil {
				assert.Contains(t, string(b), "HTTPS server")
			}
		}
		// The raw exchange: the server's first bytes are not an HTTP 200.
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err)
		defer conn.Close()
		_, _ = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) // may be reset
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		got, _ := io.ReadAll(conn)
		assert.NotContains(t, string(got), "200 OK")
	})
	t.Run("tls 1.1 refused", func(t *testing.T) {
		_, err := client(pool, tls.VersionTLS11).Post("https://"+addr+"/validate", "application/json", bytes.NewReader(body))
		require.Error(t, err)
	})
	t.Run("untrusted CA refused", func(t *testing.T) {
		_, err := client(x509.NewCertPool(), 0).Post("https://"+addr+"/validate", "application/json", bytes.NewReader(body))
		var uerr x509.UnknownAuthorityError
		require.True(t, errors.As(err, &uerr), "%v", err)
	})
	t.Run("certificate reloaded when the files change", func(t *testing.T) {
		newPool := writeCerts(t, dir, time.Now())
		resp, err := client(newPool, 0).Get("https://" + addr + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		_, err = client(pool, 0).Get("https://" + addr + "/healthz")
		require.Error(t, err, "the old CA no longer verifies the new certificate")
	})
}

func TestCertReloaderKeepsOldCertOnBadFiles(t *testing.T) {
	dir := t.TempDir()
	writeCerts(t, dir, time.Now().Add(-time.Hour))
	r, err := webhook.NewCertReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	require.NoError(t, err)
	c1, err := r.GetCertificate(nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tls.key"), []byte("garbage"), 0o600))
	c2, err := r.GetCertificate(nil)
	require.NoError(t, err)
	assert.Same(t, c1, c2)
	assert.Error(t, r.Err())

	_, err = webhook.NewCertReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	assert.Error(t, err)
	_, err = webhook.NewCertReloader(filepath.Join(dir, "none.crt"), filepath.Join(dir, "tls.key"))
	assert.Error(t, err)
}

func TestGenerateCerts(t *testing.T) {
	c, err := webhook.GenerateCerts([]string{"10.0.0.7", "hubgate.example"}, time.Now(), time.Hour)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(c.CACert))
	kp, err := tls.X509KeyPair(c.TLSCert, c.TLSKey)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(kp.Certificate[0])
	require.NoError(t, err)
	for _, host := range []string{"hubgate.hubgate-system.svc", "127.0.0.1", "localhost", "10.0.0.7", "hubgate.example"} {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		assert.NoError(t, err, host)
	}
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: "evil.example", Roots: pool})
	assert.Error(t, err)
	assert.False(t, strings.Contains(string(c.TLSKey), "EC PRIVATE KEY"), "PKCS#8")
	_, err = webhook.GenerateCerts(nil, time.Now(), 0)
	assert.Error(t, err)
}
