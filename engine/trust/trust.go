package trust

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/cicd-hub/hubgate/engine/bounded"
)

// publicGoodRoot is a snapshot of the Sigstore public-good production
// trusted root. Origin: sigstore/root-signing targets/trusted_root.json, as
// copied into the hub's corpus (corpus/trust/public-good-trusted_root.json).
// Refresh it by copying a newer trusted_root.json over this file.
//
//go:embed public-good-trusted_root.json
var publicGoodRoot []byte

// MaxTrustedRootSize bounds a trusted_root.json read from disk.
const MaxTrustedRootSize = 4 << 20

// Sentinel errors. Every error this package returns wraps one of them, so
// callers can match at any depth with [errors.Is].
var (
	// ErrTrustedRoot: the trusted root could not be read or parsed.
	ErrTrustedRoot = errors.New("trusted root")
	// ErrKey: a public key could not be parsed or is of an unsupported type.
	ErrKey = errors.New("public key")
	// ErrBundle: the bytes are not a sigstore bundle sigstore-go accepts.
	ErrBundle = errors.New("invalid sigstore bundle")
	// ErrEnvelope: the bytes are not a DSSE envelope.
	ErrEnvelope = errors.New("invalid dsse envelope")
	// ErrNotVerified: the signature, the certificate chain, the
	// transparency-log proof or the timestamps did not verify.
	ErrNotVerified = errors.New("not verified")
	// ErrNoKey: the signature was made with a key, and no trusted key was
	// given.
	ErrNoKey = errors.New("no trusted key")
	// ErrArtifact: the artifact or digest given to verify against is
	// unusable (unknown algorithm, bad hex).
	ErrArtifact = errors.New("artifact")
	// ErrIdentity: an identity pattern is not a valid regular expression.
	ErrIdentity = errors.New("identity pattern")
)

// DefaultTrustedRootJSON returns the embedded public-good trusted root.
func DefaultTrustedRootJSON() []byte { return bytes.Clone(publicGoodRoot) }

// LoadTrustedRoot reads a sigstore trusted_root.json. An empty path loads
// the embedded public-good snapshot.
func LoadTrustedRoot(path string) (*root.TrustedRoot, error) {
	if path == "" {
		return ParseTrustedRoot(publicGoodRoot)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTrustedRoot, err)
	}
	defer f.Close()
	b, err := bounded.ReadAll(f, MaxTrustedRootSize)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTrustedRoot, path, err)
	}
	tr, err := ParseTrustedRoot(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tr, nil
}

// ParseTrustedRoot parses trusted_root.json bytes.
func ParseTrustedRoot(b []byte) (*root.TrustedRoot, error) {
	if len(b) > MaxTrustedRootSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTrustedRoot, MaxTrustedRootSize)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTrustedRoot, err)
	}
	return tr, nil
}
