package cli

import (
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

// keyID is the one key id form hubgate shows people: lowercase hex of the
// SHA-256 of the PKIX DER public key, as verify signature, verify
// provenance and the decision facts (key_id) print it. (The base64 form of
// the same hash is only the hint inside keyed sigstore bundles.)
func keyID(pub *vsa.PublicKey) string {
	id, err := engine.KeyID(pub.MarshalPEM())
	if err != nil {
		// A key vsa accepts that trust does not (none today): fall back
		// to the bundle hint rather than print nothing.
		return pub.ID()
	}
	return id
}
