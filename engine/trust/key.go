package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/signature"
)

// MaxKeySize bounds one PEM public key.
const MaxKeySize = 64 << 10

// PublicKey is a trusted public key for keyed (non-Fulcio) signatures.
type PublicKey struct {
	// ID is the hex sha256 of the key's PKIX DER encoding.
	ID string
	// Type is "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "ed25519" or
	// "rsa-<bits>".
	Type string

	pub crypto.PublicKey
}

// DecodePEM decodes the first PEM block of a key file of at most
// [MaxKeySize] bytes. It is the PEM handling of every key hubgate reads:
// the public keys here, the VSA signing keys (engine/vsa); the caller
// checks the block's type.
func DecodePEM(pemBytes []byte) (*pem.Block, error) {
	if len(pemBytes) > MaxKeySize {
		return nil, fmt.Errorf("larger than %d bytes", MaxKeySize)
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	return blk, nil
}

// ParsePublicKey reads one PEM "PUBLIC KEY" (PKIX): ECDSA P-256/P-384/P-521,
// Ed25519 or RSA of at least 2048 bits. It is the one public key loader;
// a caller that supports fewer key types refuses the others on
// [PublicKey.Public].
func ParsePublicKey(pemBytes []byte) (*PublicKey, error) {
	blk, err := DecodePEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("%w: PEM block is %q, want \"PUBLIC KEY\"", ErrKey, blk.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	k := &PublicKey{pub: pub}
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256():
			k.Type = "ecdsa-p256"
		case elliptic.P384():
			k.Type = "ecdsa-p384"
		case elliptic.P521():
			k.Type = "ecdsa-p521"
		default:
			return nil, fmt.Errorf("%w: unsupported ecdsa curve", ErrKey)
		}
	case ed25519.PublicKey:
		k.Type = "ed25519"
	case *rsa.PublicKey:
		if p.N.BitLen() < 2048 {
			return nil, fmt.Errorf("%w: rsa key of %d bits, want at least 2048", ErrKey, p.N.BitLen())
		}
		k.Type = fmt.Sprintf("rsa-%d", p.N.BitLen())
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrKey, pub)
	}
	sum := sha256.Sum256(blk.Bytes)
	k.ID = hex.EncodeToString(sum[:])
	return k, nil
}

// Public returns the key itself: an *ecdsa.PublicKey, an
// ed25519.PublicKey or an *rsa.PublicKey.
func (k *PublicKey) Public() crypto.PublicKey { return k.pub }

// verifier returns sigstore's verifier for the key. The hash follows the
// key: SHA-256 for P-256 and RSA, SHA-384 and SHA-512 for the larger
// curves; Ed25519 is plain (not pre-hashed) Ed25519 and ignores it.
func (k *PublicKey) verifier() (signature.Verifier, error) {
	h := crypto.SHA256
	switch k.Type {
	case "ecdsa-p384":
		h = crypto.SHA384
	case "ecdsa-p521":
		h = crypto.SHA512
	}
	v, err := signature.LoadVerifier(k.pub, h)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return v, nil
}

// material is trusted material holding this one key, valid at all times.
// Whatever hint a bundle carries, this key is the one tried.
func (k *PublicKey) material() (root.TrustedMaterial, error) {
	v, err := k.verifier()
	if err != nil {
		return nil, err
	}
	ek := root.NewExpiringKey(v, time.Time{}, time.Time{})
	return root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return ek, nil
	}), nil
}
