package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

func TestParseDigest(t *testing.T) {
	h256 := strings.Repeat("ab", 32)
	h512 := strings.Repeat("0f", 64)
	for _, tc := range []struct {
		name, in string
		want     policy.Digest
		err      string
	}{
		{"sha256", "sha256:" + h256, policy.Digest{"sha256": h256}, ""},
		{"sha512", "sha512:" + h512, policy.Digest{"sha512": h512}, ""},
		{"upper-case hex is lowered", "sha256:" + strings.ToUpper(h256), policy.Digest{"sha256": h256}, ""},
		{"upper-case algorithm is lowered", "SHA256:" + h256, policy.Digest{"sha256": h256}, ""},
		{"empty", "", nil, `digest "": want ALGORITHM:HEX`},
		{"missing colon", "sha256" + h256, nil, "want ALGORITHM:HEX"},
		{"bare hex", h256, nil, "want ALGORITHM:HEX"},
		{"unknown algorithm", "md5:" + strings.Repeat("a", 32), nil, `unsupported digest algorithm "md5": want sha256 or sha512`},
		{"sha384 is not a subject digest", "sha384:" + strings.Repeat("a", 96), nil, `unsupported digest algorithm "sha384"`},
		{"empty hex", "sha256:", nil, "sha256 digest has 0 hex digits, want 64"},
		{"short", "sha256:" + h256[:63], nil, "sha256 digest has 63 hex digits, want 64"},
		{"long", "sha256:" + h256 + "a", nil, "sha256 digest has 65 hex digits, want 64"},
		{"sha512 length for sha256", "sha256:" + h512, nil, "sha256 digest has 128 hex digits, want 64"},
		{"not hex", "sha256:" + strings.Repeat("zz", 32), nil, "sha256 digest is not hex"},
		{"path in the hex", "sha256:../../" + h256[6:], nil, "sha256 digest is not hex"},
		{"second colon", "sha256:" + h256[:63] + ":", nil, "sha256 digest is not hex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := policy.ParseDigest(tc.in)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.Nil(t, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, d)
		})
	}
}

func TestCheckDigestWantsLowerCase(t *testing.T) {
	h := strings.Repeat("ab", 32)
	require.NoError(t, policy.CheckDigest("sha256", h))
	err := policy.CheckDigest("sha256", strings.ToUpper(h))
	require.EqualError(t, err, "sha256 digest is not lower-case hex")
	require.EqualError(t, policy.CheckDigest("SHA256", h), `unsupported digest algorithm "SHA256": want sha256 or sha512`)
}
