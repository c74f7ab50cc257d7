package trust

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/cicd-hub/hubgate/engine/bounded"
	"github.com/cicd-hub/hubgate/policy"
)

// MaxBundleSize bounds one sigstore bundle or DSSE envelope.
const MaxBundleSize = 16 << 20

// maxArtifactInMemory bounds an artifact read into memory to be tried
// against several keys.
const maxArtifactInMemory = 256 << 20

// Content kinds of a bundle.
const (
	ContentMessageSignature = "message_signature"
	ContentDSSE             = "dsse"
)

// Options says what to verify a bundle against. The zero value verifies
// against the embedded public-good root with no artifact, which only a DSSE
// bundle allows (the caller must then match the statement's subjects).
type Options struct {
	// Root holds the Fulcio CAs, transparency logs, CT logs and timestamp
	// authorities. Nil means the embedded public-good root.
	Root root.TrustedMaterial
	// Keys are trusted public keys for keyed signatures. A keyed bundle
	// verifies when one of them verifies it.
	Keys []*PublicKey
	// Artifact is the signed artifact's bytes. It takes precedence over
	// Digest.
	Artifact io.Reader
	// Digest is the signed artifact's digest, of one algorithm: sha256,
	// sha384 or sha512 (lower-case hex).
	Digest policy.Digest
}

// Timestamp is one verified time: from a transparency-log entry ("tlog")
// or a timestamp authority ("tsa").
type Timestamp struct {
	Kind string    `json:"kind"`
	URI  string    `json:"uri"`
	Time time.Time `json:"time"`
}

// Signer is the one signer fact every signed kind reports (input.<kind>…
// keyed, key_id, issuer, san, claims): a registry key, or the verified
// Fulcio certificate's issuer, SAN and extensions. The Rego rules judge it
// (hub.lib.signer_ok); nothing in it is read from an unverified part.
type Signer struct {
	// Keyed is true when a trusted key verified the signature; KeyID is
	// then the key's ID.
	Keyed bool   `json:"keyed"`
	KeyID string `json:"key_id"`
	// Issuer and SAN are the certificate's OIDC issuer extension and
	// subject alternative name, Claims its other Fulcio extensions; empty
	// when keyed.
	Issuer string `json:"issuer"`
	SAN    string `json:"san"`
	Claims Claims `json:"claims"`
}

// Verified holds the facts of a bundle whose signature verified. Nothing in
// it is read from an unverified part of the input.
type Verified struct {
	// BundleVersion is "v0.1", "v0.2" or "v0.3"; empty for a bare DSSE
	// envelope.
	BundleVersion string `json:"bundle_version"`
	// Content is [ContentMessageSignature] or [ContentDSSE].
	Content string `json:"content"`
	// Signer is who signed: the trusted key, or the Fulcio certificate's
	// issuer, SAN and other extensions. The signed kinds report it as is.
	Signer
	// CertNotAfter is the Fulcio certificate's end of validity; zero when
	// keyed.
	CertNotAfter time.Time `json:"cert_not_after,omitzero"`
	// Timestamps are the verified signing times.
	Timestamps []Timestamp `json:"timestamps"`
	// TlogIndex is the log index of the verified transparency-log entry, -1
	// when there is none; TlogTime its integrated time.
	TlogIndex int64     `json:"tlog_index"`
	TlogTime  time.Time `json:"tlog_time,omitzero"`
	// PayloadType and Payload are the DSSE envelope's, for DSSE content.
	PayloadType string `json:"payload_type,omitempty"`
	Payload     []byte `json:"-"`
}

// Info is what a bundle says about itself before verification. It is
// unauthenticated: use it to choose what to verify against, never as a fact.
type Info struct {
	Content string
	// MessageDigest is the message signature's digest hint: one algorithm
	// (as the bundle names it, see hashName) and its lower-case hex.
	MessageDigest policy.Digest
}

var defaultRoot = sync.OnceValues(func() (*root.TrustedRoot, error) {
	return ParseTrustedRoot(publicGoodRoot)
})

// DefaultTrustedRoot returns the parsed embedded public-good root. It is
// parsed once per process.
func DefaultTrustedRoot() (*root.TrustedRoot, error) { return defaultRoot() }

// ParseBundle parses and validates a sigstore bundle (v0.1 to v0.3).
func ParseBundle(bundleJSON []byte) (*bundle.Bundle, error) {
	if len(bundleJSON) > MaxBundleSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrBundle, MaxBundleSize)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}
	return &b, nil
}

// Inspect reads a bundle's content kind and, for a message signature, its
// digest hint, without verifying anything.
func Inspect(b *bundle.Bundle) (Info, error) {
	sc, err := b.SignatureContent()
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrBundle, err)
	}
	if sc.EnvelopeContent() != nil {
		return Info{Content: ContentDSSE}, nil
	}
	m := sc.MessageSignatureContent()
	if m == nil {
		return Info{}, fmt.Errorf("%w: neither a message signature nor a dsse envelope", ErrBundle)
	}
	return Info{Content: ContentMessageSignature, MessageDigest: policy.Digest{
		hashName(m.DigestAlgorithm()): hex.EncodeToString(m.Digest()),
	}}, nil
}

func hashName(protoName string) string {
	switch protoName {
	case "SHA2_256":
		return "sha256"
	case "SHA2_384":
		return "sha384"
	case "SHA2_512":
		return "sha512"
	}
	return strings.ToLower(protoName)
}

// VerifyBundle parses a sigstore bundle and verifies it offline; see
// [VerifyEntity].
func VerifyBundle(bundleJSON []byte, opts Options) (*Verified, error) {
	b, err := ParseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	return VerifyEntity(b, opts)
}

// VerifyEntity verifies a parsed bundle offline with sigstore-go and returns
// the verified facts. Identity is not judged here: the signer's issuer and
// SAN are returned as facts, for the Rego rules to judge (hub.lib.signer_ok).
//
// A certificate-signed bundle needs: a chain to a Fulcio CA of the root; a
// transparency-log entry of a log of the root, with its inclusion proof and
// checkpoint or its SET (threshold 1); a verified signing time inside the
// certificate's validity (log integrated time or RFC 3161 timestamp,
// threshold 1); and an SCT when the root lists CT logs.
//
// A key-signed bundle needs one of opts.Keys. If it carries transparency-log
// entries or timestamps, they must verify too; without any, the signature
// alone is checked (a key has no validity window to check a time against).
func VerifyEntity(entity verify.SignedEntity, opts Options) (*Verified, error) {
	tm := opts.Root
	if tm == nil {
		dr, err := defaultRoot()
		if err != nil {
			return nil, err
		}
		tm = dr
	}
	vc, err := entity.VerificationContent()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}
	entries, err := entity.TlogEntries()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}
	tsas, err := entity.Timestamps()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}

	if vc.Certificate() != nil {
		// The trusted root, never the bundle, says how a certificate's
		// signing time is proven: by a transparency-log entry when the root
		// lists logs (public-good), else by an RFC 3161 timestamp from one
		// of its timestamp authorities (GitHub's own Fulcio instance, for
		// private repositories, logs nothing).
		var vopts []verify.VerifierOption
		switch {
		case len(tm.RekorLogs()) > 0:
			vopts = []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)}
		case len(tm.TimestampingAuthorities()) > 0:
			vopts = []verify.VerifierOption{verify.WithSignedTimestamps(1)}
		default:
			return nil, fmt.Errorf("%w: the trusted root lists neither a transparency log nor a timestamp authority, so no certificate's signing time can be verified", ErrNotVerified)
		}
		if len(tm.CTLogs()) > 0 {
			vopts = append(vopts, verify.WithSignedCertificateTimestamps(1))
		}
		art, err := artifactPolicy(opts.Artifact, opts.Digest)
		if err != nil {
			return nil, err
		}
		return run(entity, tm, vopts, art, verify.WithoutIdentitiesUnsafe(), nil)
	}
	if vc.PublicKey() == nil {
		return nil, fmt.Errorf("%w: no certificate and no public key", ErrBundle)
	}
	if len(opts.Keys) == 0 {
		return nil, fmt.Errorf("%w: signed with a key (hint %q), and no trusted key was given", ErrNoKey, vc.PublicKey().Hint())
	}
	var vopts []verify.VerifierOption
	switch {
	case len(entries) > 0:
		vopts = []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)}
	case len(tsas) > 0:
		vopts = []verify.VerifierOption{verify.WithSignedTimestamps(1)}
	default:
		vopts = []verify.VerifierOption{verify.WithNoObserverTimestamps()}
	}
	// The artifact is read once per key tried; with several keys it is held
	// in memory.
	var artBytes []byte
	if opts.Artifact != nil && len(opts.Keys) > 1 {
		artBytes, err = bounded.ReadAll(opts.Artifact, maxArtifactInMemory)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrArtifact, err)
		}
	}
	var errs []error
	for _, k := range opts.Keys {
		km, err := k.material()
		if err != nil {
			return nil, err
		}
		ar := opts.Artifact
		if artBytes != nil {
			ar = bytes.NewReader(artBytes)
		}
		art, err := artifactPolicy(ar, opts.Digest)
		if err != nil {
			return nil, err
		}
		v, err := run(entity, root.TrustedMaterialCollection{tm, km}, vopts, art, verify.WithKey(), k)
		if err == nil {
			return v, nil
		}
		errs = append(errs, fmt.Errorf("key %s: %w", k.ID, err))
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, fmt.Errorf("%w: no trusted key verifies the signature: %w", ErrNotVerified, errors.Join(errs...))
}

func artifactPolicy(art io.Reader, d policy.Digest) (verify.ArtifactPolicyOption, error) {
	switch {
	case art != nil:
		return verify.WithArtifact(art), nil
	case len(d) > 1:
		return nil, fmt.Errorf("%w: %d digests given, want the one the signature is over", ErrArtifact, len(d))
	case len(d) == 1:
		var alg, hx string
		for alg, hx = range d {
		}
		switch alg {
		case "sha256", "sha384", "sha512":
		default:
			return nil, fmt.Errorf("%w: unsupported digest algorithm %q", ErrArtifact, alg)
		}
		raw, err := hex.DecodeString(hx)
		if err != nil {
			return nil, fmt.Errorf("%w: digest is not hex: %w", ErrArtifact, err)
		}
		return verify.WithArtifactDigest(alg, raw), nil
	default:
		return verify.WithoutArtifactUnsafe(), nil
	}
}

func run(entity verify.SignedEntity, tm root.TrustedMaterial, vopts []verify.VerifierOption, art verify.ArtifactPolicyOption, id verify.PolicyOption, key *PublicKey) (*Verified, error) {
	vopts = append(vopts, verify.WithoutStatementPredicate())
	v, err := verify.NewVerifier(tm, vopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotVerified, err)
	}
	res, err := v.Verify(entity, verify.NewPolicy(art, id))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotVerified, err)
	}
	out := &Verified{TlogIndex: -1, Timestamps: []Timestamp{}}
	if ver, err := entity.Version(); err == nil && ver != "" {
		out.BundleVersion = ver
		if !strings.HasPrefix(ver, "v") {
			out.BundleVersion = "v" + ver
		}
	}
	for _, ts := range res.VerifiedTimestamps {
		kind := "tsa"
		if ts.Type == "Tlog" {
			kind = "tlog"
		}
		out.Timestamps = append(out.Timestamps, Timestamp{Kind: kind, URI: ts.URI, Time: ts.Timestamp.UTC()})
	}
	if entries, err := entity.TlogEntries(); err == nil && len(entries) > 0 && hasTlogTime(out.Timestamps) {
		out.TlogIndex = entries[0].LogIndex()
		out.TlogTime = entries[0].IntegratedTime().UTC()
	}
	if key != nil {
		out.Keyed = true
		out.KeyID = key.ID
	} else if res.Signature != nil && res.Signature.Certificate != nil {
		out.Issuer = res.Signature.Certificate.Extensions.Issuer
		out.SAN = res.Signature.Certificate.SubjectAlternativeName
		out.Claims = claimsOf(res.Signature.Certificate.Extensions)
		if vc, err := entity.VerificationContent(); err == nil && vc.Certificate() != nil {
			out.CertNotAfter = vc.Certificate().NotAfter.UTC()
		}
	}
	sc, err := entity.SignatureContent()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}
	if env := sc.EnvelopeContent(); env != nil {
		raw := env.RawEnvelope()
		out.Content = ContentDSSE
		out.PayloadType = raw.PayloadType
		p, err := decodeB64(raw.Payload)
		if err != nil {
			return nil, fmt.Errorf("%w: payload: %w", ErrEnvelope, err)
		}
		out.Payload = p
	} else {
		out.Content = ContentMessageSignature
	}
	return out, nil
}

func hasTlogTime(ts []Timestamp) bool {
	for _, t := range ts {
		if t.Kind == "tlog" {
			return true
		}
	}
	return false
}

// decodeB64 accepts standard and URL-safe base64, padded or not, as DSSE
// implementations differ.
func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// keyedBundle wraps a bare DSSE envelope into a v0.3 bundle with a
// public-key hint, so sigstore-go verifies it with a trusted key.
func keyedBundle(env *protobundle.Bundle) (*bundle.Bundle, error) {
	b, err := bundle.NewBundle(env)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	return b, nil
}
