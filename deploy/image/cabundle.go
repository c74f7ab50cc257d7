package main

import (
	"bytes"
	"encoding/pem"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// CABundle is where the image holds the CA roots, PEM: the first file Go's
// crypto/x509 reads on Linux.
const CABundle = "/etc/ssl/certs/ca-certificates.crt"

// caBundle is the Mozilla root store as golang.org/x/crypto/x509roots
// ships it, pinned by go.sum, so the image stays reproducible. Roots that
// carry a constraint (a distrust date, which a PEM file cannot express)
// are left out rather than trusted without it.
func caBundle() []byte {
	var b bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		// pem.Encode into a bytes.Buffer cannot fail.
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
	}
	return b.Bytes()
}
