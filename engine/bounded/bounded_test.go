package bounded_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/bounded"
)

func TestReadAll(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		limit int64
		err   string
	}{
		{"empty", "", 0, ""},
		{"under", "abc", 4, ""},
		{"at the limit", "abcd", 4, ""},
		{"one past", "abcde", 4, "larger than 4 bytes"},
		{"far past", strings.Repeat("x", 1<<16), 10, "larger than 10 bytes"},
		{"zero limit", "a", 0, "larger than 0 bytes"},
		{"negative limit is zero", "a", -5, "larger than 0 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := bounded.ReadAll(strings.NewReader(tc.in), tc.limit)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				assert.ErrorIs(t, err, bounded.ErrTooLarge)
				var tl *bounded.TooLargeError
				require.ErrorAs(t, err, &tl)
				assert.Nil(t, b)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.in, string(b))
		})
	}
}

func TestReadAllPassesTheReaderError(t *testing.T) {
	boom := errors.New("boom")
	_, err := bounded.ReadAll(iotest.ErrReader(boom), 10)
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, bounded.ErrTooLarge)
}

// TestReadAllFile: a file is sized from Stat, and the limit still holds.
func TestReadAllFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte("0123456789"), 0o600))
	for limit, want := range map[int64]string{10: "0123456789", 100: "0123456789", 9: ""} {
		f, err := os.Open(p)
		require.NoError(t, err)
		b, err := bounded.ReadAll(f, limit)
		f.Close()
		if want == "" {
			require.ErrorIs(t, err, bounded.ErrTooLarge, limit)
			continue
		}
		require.NoError(t, err, limit)
		assert.Equal(t, want, string(b))
		// Sized from Stat: the buffer did not grow past the file and the
		// byte that sees its end.
		assert.LessOrEqual(t, cap(b), len(want)+1, limit)
	}
}
