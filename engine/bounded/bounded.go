// Package bounded is the one bounded reader: every layer reads a file, a
// request body or a stream into memory through [ReadAll], so no input is
// read without a limit. It imports the standard library alone, so every
// layer may use it: the engine and its packages (engine/trust and
// engine/evidence included) and the adapters.
package bounded

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// file, the buffer is sized from it once, so a large file is not copied
// while the buffer grows; the limit holds even if the file grows meanwhile.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	limit = max(limit, 0)
	size := int64(512)
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			size = min(fi.Size()+1, limit+1)
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(size, limit+1)))
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return buf.Bytes(), nil
}
