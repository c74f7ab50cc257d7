package policy

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// digestLengths are the hex lengths of the algorithms a [Digest] holds.
var digestLengths = map[string]int{"sha256": 64, "sha512": 128}

// CheckDigest checks that hx is a well-formed value of a [Digest] for the
// algorithm alg: sha256 (64 hex digits) or sha512 (128), in lower case.
func CheckDigest(alg, hx string) error {
	want := digestLengths[alg]
	if want == 0 {
		return fmt.Errorf("unsupported digest algorithm %q: want sha256 or sha512", alg)
	}
	if len(hx) != want {
		return fmt.Errorf("%s digest has %d hex digits, want %d", alg, len(hx), want)
	}
	if _, err := hex.DecodeString(hx); err != nil {
		return fmt.Errorf("%s digest is not hex: %q", alg, hx)
	}
	if strings.ToLower(hx) != hx {
		return fmt.Errorf("%s digest is not lower-case hex", alg)
	}
	return nil
}

// ParseDigest parses "ALGORITHM:HEX" (sha256 or sha512, in either case)
// into a Digest of that one algorithm, its hex in lower case. It is the
// one parser of digest strings; a caller that needs the canonical form
// ("sha256:<lower-case hex>", an OCI image digest) compares s with
// "sha256:" and the parsed hex.
func ParseDigest(s string) (Digest, error) {
	alg, hx, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("digest %q: want ALGORITHM:HEX, such as sha256:%s", s, strings.Repeat("0", 8)+"…")
	}
	alg, hx = strings.ToLower(alg), strings.ToLower(hx)
	if err := CheckDigest(alg, hx); err != nil {
		return nil, fmt.Errorf("digest %q: %w", s, err)
	}
	return Digest{alg: hx}, nil
}
