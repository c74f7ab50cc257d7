// Package bounded is the one bounded reader: every layer reads a file, a
// request body or a stream into memory through [ReadAll], so no input is
// read without a limit. It imports the standard library alone, so every
// layer may use it: the engine and its packages (engine/trust and
// engine/evidence included) and the adapters.
package bounded

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
)

// ErrTooLarge is wrapped by the error of [ReadAll] when the input holds
// more than the limit.
var ErrTooLarge = errors.New("larger than the limit")

// TooLargeError is the error of a read past the limit: "larger than N
// bytes". It wraps [ErrTooLarge].
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string { return fmt.Sprintf("larger than %d bytes", e.Limit) }

// Is reports whether target is [ErrTooLarge].
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReadAll reads r to its end, at most limit bytes: more is a
// [*TooLargeError], and nothing read is returned. The error of r is
// returned as is. A limit below zero reads nothing and fails on any byte.
// When r has a Stat method (an *os.File, an fs.File) and is a regular
// file, the buffer is allocated once from its size, so a large file is
// not copied while the buffer grows; the limit holds even if the file
// grows meanwhile.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	limit = min(max(limit, 0), math.MaxInt64-1)
	size := int64(512)
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() >= 0 {
			// One byte more than the file, so its end is read
			// without growing the buffer.
			size = fi.Size() + 1
		}
	}
	lr := io.LimitReader(r, limit+1)
	b := make([]byte, 0, min(size, limit+1))
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return b, nil
}
