package engine

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/policy"
)

// hashSubjects hashes every subject file with sha256 by streaming, and checks
// the digests given without a file. A subject that cannot be read is an
// error: without it there is no release to judge.
func hashSubjects(in []SubjectInput) ([]policy.Subject, error) {
	out := make([]policy.Subject, 0, len(in))
	seen := map[string]bool{}
	for i, s := range in {
		name := s.Name
		if name == "" && s.Path != "" {
			name = filepath.Base(s.Path)
		}
		if name == "" {
			return nil, fmt.Errorf("%w: subjects[%d]: no name", ErrInput, i)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: subject %q given twice", ErrInput, name)
		}
		seen[name] = true
		var sub policy.Subject
		switch {
		case s.Path != "":
			d, n, err := checksum.HashFile(s.Path, "sha256")
			if err != nil {
				return nil, fmt.Errorf("%w: subject %s: %w", ErrInput, s.Path, err)
			}
			sub = policy.Subject{Name: name, Digest: d, Size: n}
		case len(s.Digest) > 0:
			d := policy.Digest{}
			for alg, hx := range s.Digest {
				if err := checkHex(alg, hx); err != nil {
					return nil, fmt.Errorf("%w: subject %s: %w", ErrInput, name, err)
				}
				d[alg] = strings.ToLower(hx)
			}
			sub = policy.Subject{Name: name, Digest: d}
		default:
			return nil, fmt.Errorf("%w: subject %s: no file and no digest", ErrInput, name)
		}
		out = append(out, sub)
	}
	return out, nil
}

// checkHex checks that hx is a well-formed digest for alg.
func checkHex(alg, hx string) error {
	want := map[string]int{"sha256": 64, "sha512": 128}[alg]
	if want == 0 {
		return fmt.Errorf("unsupported digest algorithm %q: want sha256 or sha512", alg)
	}
	if len(hx) != want {
		return fmt.Errorf("%s digest has %d hex digits, want %d", alg, len(hx), want)
	}
	if _, err := hex.DecodeString(hx); err != nil {
		return fmt.Errorf("%s digest is not hex: %q", alg, hx)
	}
	return nil
}

// ParseDigest parses "sha256:HEX" (or "sha512:HEX") into a Digest.
func ParseDigest(s string) (policy.Digest, error) {
	alg, hx, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("digest %q: want ALGORITHM:HEX, such as sha256:%s", s, strings.Repeat("0", 8)+"…")
	}
	alg = strings.ToLower(alg)
	if err := checkHex(alg, hx); err != nil {
		return nil, fmt.Errorf("digest %q: %w", s, err)
	}
	return policy.Digest{alg: strings.ToLower(hx)}, nil
}
