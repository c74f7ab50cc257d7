package registry

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cueschema "github.com/cicd-hub/hubgate/cue"
)

// TestCUEFormatted checks that every embedded .cue file is in CUE's
// canonical format. HUBGATE_CUE_FMT=1 rewrites them.
func TestCUEFormatted(t *testing.T) {
	names, err := fs.Glob(cueschema.FS, "*.cue")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			b, err := fs.ReadFile(cueschema.FS, n)
			require.NoError(t, err)
			want, err := format.Source(b)
			require.NoError(t, err)
			if os.Getenv("HUBGATE_CUE_FMT") == "1" && string(want) != string(b) {
				require.NoError(t, os.WriteFile(filepath.Join("../../cue", n), want, 0o644))
				return
			}
			assert.Equal(t, string(want), string(b), "run HUBGATE_CUE_FMT=1 go test ./engine/registry -run TestCUEFormatted")
		})
	}
}
