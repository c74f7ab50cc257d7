package checksum

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/cicd-hub/hubgate/policy"
)

// BufferSize is the size of the buffer [Hash] reads through.
const BufferSize = 1 << 20

// ErrUnknownAlgorithm is wrapped when [Hash] is asked for an algorithm other
// than [SHA256] and [SHA512].
var ErrUnknownAlgorithm = errors.New("unknown hash algorithm")

var buffers = sync.Pool{New: func() any { b := make([]byte, BufferSize); return &b }}

// Hash reads r to its end once and returns its digest under every algorithm
// in algs ([SHA256] when algs is empty), and the number of bytes read.
func Hash(r io.Reader, algs ...string) (policy.Digest, int64, error) {
	if len(algs) == 0 {
		algs = []string{SHA256}
	}
	hs := make([]hash.Hash, 0, len(algs))
	names := make([]string, 0, len(algs))
	for _, a := range algs {
		if containsString(names, a) {
			continue
		}
		var h hash.Hash
		switch a {
		case SHA256:
			h = sha256.New()
		case SHA512:
			h = sha512.New()
		default:
			return nil, 0, fmt.Errorf("hash: %w %q (want sha256 or sha512)", ErrUnknownAlgorithm, a)
		}
		hs = append(hs, h)
		names = append(names, a)
	}
	var w io.Writer = hs[0]
	if len(hs) > 1 {
		ws := make([]io.Writer, len(hs))
		for i, h := range hs {
			ws[i] = h
		}
		w = io.MultiWriter(ws...)
	}
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	// Hide r's WriterTo (an *os.File has one) so that the copy uses our
	// buffer rather than a 32 KiB one.
	n, err := io.CopyBuffer(w, struct{ io.Reader }{r}, *bp)
	if err != nil {
		return nil, n, fmt.Errorf("hash: %w", err)
	}
	d := make(policy.Digest, len(hs))
	for i, h := range hs {
		d[names[i]] = hex.EncodeToString(h.Sum(nil))
	}
	return d, n, nil
}

// HashFile hashes the file at path like [Hash]. path must be a regular file.
func HashFile(path string, algs ...string) (policy.Digest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("hash: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("hash: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("hash %s: not a regular file", path)
	}
	d, n, err := Hash(f, algs...)
	if err != nil {
		return nil, n, fmt.Errorf("%s: %w", path, err)
	}
	return d, n, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
