package engine

import (
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
				hx = strings.ToLower(hx)
				if err := policy.CheckDigest(alg, hx); err != nil {
					return nil, fmt.Errorf("%w: subject %s: %w", ErrInput, name, err)
				}
				d[alg] = hx
			}
			sub = policy.Subject{Name: name, Digest: d}
		default:
			return nil, fmt.Errorf("%w: subject %s: no file and no digest", ErrInput, name)
		}
		out = append(out, sub)
	}
	return out, nil
}
