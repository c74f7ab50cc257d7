package vsa

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// Algorithm names a signing key type.
type Algorithm string

// The algorithms [GenerateKey] and [LoadPrivateKey] support.
const (
	// AlgorithmECDSAP256 is ECDSA on P-256 with SHA-256, the default.
	AlgorithmECDSAP256 Algorithm = "ecdsa-p256"
	// AlgorithmEd25519 is pure Ed25519.
	AlgorithmEd25519 Algorithm = "ed25519"
)

// ParseAlgorithm parses an algorithm name; "" means [AlgorithmECDSAP256].
func ParseAlgorithm(s string) (Algorithm, error) {
	switch s {
	case "", "ecdsa", "ecdsa-p256", "p256":
		return AlgorithmECDSAP256, nil
	case "ed25519":
		return AlgorithmEd25519, nil
	}
	return "", fmt.Errorf("unknown algorithm %q: want ecdsa-p256 or ed25519", s)
}

// Key is a private signing key. It implements sigstore-go's [sign.Keypair],
// so [sign.Bundle] signs with it directly. A Key is safe for concurrent use.
type Key struct {
	signer  crypto.Signer
	details signature.AlgorithmDetails
	pub     *PublicKey
}

var _ sign.Keypair = (*Key)(nil)

// GenerateKey makes a new key of the given algorithm.
func GenerateKey(alg Algorithm) (*Key, error) {
	var s crypto.Signer
	switch alg {
	case AlgorithmECDSAP256, "":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate key: %w", err)
		}
		s = k
	case AlgorithmEd25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate key: %w", err)
		}
		s = k
	default:
		return nil, fmt.Errorf("generate key: unknown algorithm %q", alg)
	}
	return newKey(s)
}

// LoadPrivateKey reads a PKCS#8 PEM private key ("PRIVATE KEY"), ECDSA P-256
// or Ed25519. "EC PRIVATE KEY" (SEC 1) is accepted too. Encrypted keys are
// not supported.
func LoadPrivateKey(pemBytes []byte) (*Key, error) {
	block, err := trust.DecodePEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("load private key: %w: %w", ErrMalformed, err)
	}
	var k any
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("load private key: encrypted keys are not supported")
	default:
		return nil, fmt.Errorf("load private key: %w: PEM type %q, want PRIVATE KEY", ErrMalformed, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("load private key: %w: %v", ErrMalformed, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("load private key: unsupported key type %T", k)
	}
	return newKey(s)
}

func newKey(s crypto.Signer) (*Key, error) {
	var alg protocommon.PublicKeyDetails
	switch k := s.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("load private key: ecdsa curve %s is not supported, want P-256", k.Curve.Params().Name)
		}
		alg = protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256
	case ed25519.PrivateKey:
		alg = protocommon.PublicKeyDetails_PKIX_ED25519
	default:
		return nil, fmt.Errorf("load private key: unsupported key type %T, want ECDSA P-256 or Ed25519", s)
	}
	details, err := signature.GetAlgorithmDetails(alg)
	if err != nil {
		return nil, fmt.Errorf("load private key: %w", err)
	}
	pub, err := newPublicKey(s.Public())
	if err != nil {
		return nil, err
	}
	return &Key{signer: s, details: details, pub: pub}, nil
}

// Public returns the public half of k.
func (k *Key) Public() *PublicKey { return k.pub }

// MarshalPrivateKeyPEM returns k as a PKCS#8 PEM block.
func (k *Key) MarshalPrivateKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.signer)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// GetHashAlgorithm implements [sign.Keypair].
func (k *Key) GetHashAlgorithm() protocommon.HashAlgorithm { return k.details.GetProtoHashType() }

// GetSigningAlgorithm implements [sign.Keypair].
func (k *Key) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return k.details.GetSignatureAlgorithm()
}

// GetHint implements [sign.Keypair]: the key id, see [PublicKey.ID].
func (k *Key) GetHint() []byte { return []byte(k.pub.id) }

// GetKeyAlgorithm implements [sign.Keypair].
func (k *Key) GetKeyAlgorithm() string {
	switch k.details.GetKeyType() {
	case signature.ECDSA:
		return "ECDSA"
	case signature.ED25519:
		return "ED25519"
	}
	return ""
}

// GetPublicKey implements [sign.Keypair].
func (k *Key) GetPublicKey() crypto.PublicKey { return k.signer.Public() }

// GetPublicKeyPem implements [sign.Keypair].
func (k *Key) GetPublicKeyPem() (string, error) { return string(k.pub.pem), nil }

// SignData implements [sign.Keypair]: it returns the signature and the
// bytes signed (the SHA-256 digest for ECDSA, the data itself for Ed25519).
func (k *Key) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	hf := k.details.GetHashType()
	toSign := data
	if hf != crypto.Hash(0) {
		h := hf.New()
		h.Write(data)
		toSign = h.Sum(nil)
	}
	sig, err := k.signer.Sign(rand.Reader, toSign, hf)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	return sig, toSign, nil
}

// PublicKey is a trusted verification key. It is immutable and safe for
// concurrent use.
type PublicKey struct {
	key      crypto.PublicKey
	verifier signature.Verifier
	id       string
	pem      []byte

	once  sync.Once
	sv    *verify.Verifier
	svErr error
}

// LoadPublicKey reads a PKIX PEM public key ("PUBLIC KEY"), ECDSA P-256 or
// Ed25519, through the one public key loader ([trust.ParsePublicKey]);
// the other key types it reads do not sign VSAs and are refused.
func LoadPublicKey(pemBytes []byte) (*PublicKey, error) {
	k, err := trust.ParsePublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("load public key: %w: %w", ErrMalformed, err)
	}
	return newPublicKey(k.Public())
}

func newPublicKey(k crypto.PublicKey) (*PublicKey, error) {
	var hf crypto.Hash
	switch pk := k.(type) {
	case *ecdsa.PublicKey:
		if pk.Curve != elliptic.P256() {
			return nil, fmt.Errorf("load public key: ecdsa curve %s is not supported, want P-256", pk.Curve.Params().Name)
		}
		hf = crypto.SHA256
	case ed25519.PublicKey:
		hf = crypto.Hash(0)
	default:
		return nil, fmt.Errorf("load public key: unsupported key type %T, want ECDSA P-256 or Ed25519", k)
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, fmt.Errorf("load public key: %w", err)
	}
	v, err := signature.LoadVerifier(k, hf)
	if err != nil {
		return nil, fmt.Errorf("load public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return &PublicKey{
		key:      k,
		verifier: v,
		id:       base64.StdEncoding.EncodeToString(sum[:]),
		pem:      pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
	}, nil
}

// ID is the key id: the standard base64 of the SHA-256 of the PKIX DER
// public key, the hint sigstore tools write into a keyed bundle.
func (p *PublicKey) ID() string { return p.id }

// MarshalPEM returns the PKIX PEM encoding of the key.
func (p *PublicKey) MarshalPEM() []byte { return append([]byte(nil), p.pem...) }
