package checksum

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

func TestHash(t *testing.T) {
	// Larger than the buffer, and not a multiple of it.
	data := bytes.Repeat([]byte("hubgate "), (BufferSize*3)/8+123)
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	want256, want512 := hex.EncodeToString(s256[:]), hex.EncodeToString(s512[:])

	tests := []struct {
		name string
		algs []string
		want policy.Digest
	}{
		{"default is sha256", nil, policy.Digest{SHA256: want256}},
		{"sha256", []string{SHA256}, policy.Digest{SHA256: want256}},
		{"sha512", []string{SHA512}, policy.Digest{SHA512: want512}},
		{"both in one pass", []string{SHA512, SHA256}, policy.Digest{SHA256: want256, SHA512: want512}},
		{"repeated algorithm", []string{SHA256, SHA256}, policy.Digest{SHA256: want256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, n, err := Hash(bytes.NewReader(data), tt.algs...)
			require.NoError(t, err)
			assert.Equal(t, int64(len(data)), n)
			assert.Equal(t, tt.want, d)

			// The same through a reader that returns one byte at a time.
			d, n, err = Hash(iotest.OneByteReader(bytes.NewReader(data[:1000])), tt.algs...)
			require.NoError(t, err)
			assert.Equal(t, int64(1000), n)
			assert.Len(t, d, len(tt.want))
		})
	}

	t.Run("empty input", func(t *testing.T) {
		d, n, err := Hash(strings.NewReader(""))
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", d[SHA256])
	})
	t.Run("unknown algorithm", func(t *testing.T) {
		_, _, err := Hash(strings.NewReader("x"), "md5")
		require.ErrorIs(t, err, ErrUnknownAlgorithm)
	})
	t.Run("read error", func(t *testing.T) {
		_, _, err := Hash(iotest.ErrReader(errors.New("disk on fire")))
		require.ErrorContains(t, err, "disk on fire")
	})
}

func TestHashFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.tar.gz")
	require.NoError(t, os.WriteFile(p, []byte("hello\n"), 0o600))

	d, n, err := HashFile(p, SHA256, SHA512)
	require.NoError(t, err)
	assert.Equal(t, int64(6), n)
	// printf 'hello\n' | sha256sum ; sha512sum
	assert.Equal(t, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", d[SHA256])
	assert.Equal(t, "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629", d[SHA512])

	_, _, err = HashFile(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)

	_, _, err = HashFile(dir)
	require.ErrorContains(t, err, "not a regular file")
}

// BenchmarkHash hashes a 256 MiB file with sha256, as the engine hashes every
// subject. Compare its MB/s with `time sha256sum` on a file of the same size.
func BenchmarkHash(b *testing.B) {
	const size = 256 << 20
	p := filepath.Join(b.TempDir(), "big.bin")
	f, err := os.Create(p)
	require.NoError(b, err)
	chunk := make([]byte, 1<<20)
	for written := 0; written < size; written += len(chunk) {
		_, err = rand.Read(chunk)
		require.NoError(b, err)
		_, err = f.Write(chunk)
		require.NoError(b, err)
	}
	require.NoError(b, f.Close())
	if out := os.Getenv("HUBGATE_BENCH_KEEP"); out != "" {
		// Lets `sha256sum` be timed on the very same bytes.
		require.NoError(b, os.Link(p, out))
	}

	for _, algs := range [][]string{{SHA256}, {SHA512}, {SHA256, SHA512}} {
		b.Run(strings.Join(algs, "+"), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				_, n, err := HashFile(p, algs...)
				if err != nil || n != size {
					b.Fatalf("hash: %d bytes, %v", n, err)
				}
			}
		})
	}
}
