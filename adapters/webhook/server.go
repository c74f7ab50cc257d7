package webhook

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

// CertReloader serves a TLS certificate from two PEM files and reloads it
// when either file changes (size or modification time), so a rotated
// certificate (cert-manager, a Secret update) is picked up without a
// restart. A reload that fails keeps the previous certificate.
type CertReloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [2]fileStamp
	lastErr error
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// NewCertReloader loads the certificate and key once; it fails if they do
// not load.
func NewCertReloader(certFile, keyFile string) (*CertReloader, error) {
	r := &CertReloader{certFile: certFile, keyFile: keyFile}
	st, err := r.stamps()
	if err != nil {
		return nil, err
	}
	if err := r.load(st); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *CertReloader) stamps() ([2]fileStamp, error) {
	var out [2]fileStamp
	for i, f := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return out, fmt.Errorf("tls: %w", err)
		}
		out[i] = fileStamp{mod: fi.ModTime(), size: fi.Size()}
	}
	return out, nil
}

func (r *CertReloader) load(st [2]fileStamp) error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tls: load %s: %w", r.certFile, err)
	}
	r.cert, r.stamp = &c, st
	return nil
}

// GetCertificate is a [tls.Config] GetCertificate callback.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.stamps()
	if err == nil && st != r.stamp {
		err = r.load(st)
	}
	r.lastErr = err
	if r.cert == nil {
		return nil, errors.New("tls: no certificate")
	}
	return r.cert, nil
}

// Err returns the error of the last reload attempt, nil when it succeeded.
func (r *CertReloader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// TLSConfig is the server's TLS configuration: TLS 1.2 or later, the
// certificate from r.
func TLSConfig(r *CertReloader) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: r.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}

// NewServer returns an HTTPS server for h on addr with bounded timeouts and
// header size. Start it with srv.ListenAndServeTLS("", "") or ServeTLS(l, "", "").
func NewServer(addr string, h http.Handler, r *CertReloader) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		TLSConfig:         TLSConfig(r),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
