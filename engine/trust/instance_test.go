package trust_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

// TestTimestampOnlyInstance: a Sigstore instance without a transparency
// log (GitHub's own, for private repositories) proves signing times with
// RFC 3161 timestamps. The trusted root, not the bundle, decides which proof
// is required.
func TestTimestampOnlyInstance(t *testing.T) {
	ss := trusttest.New(t)
	noLogs, err := trust.ParseTrustedRoot(ss.RootWithoutLogs(t))
	require.NoError(t, err)
	stmt := trusttest.Statement(t, "https://slsa.dev/provenance/v1", map[string]any{"buildDefinition": map[string]any{}}, map[string]string{"app.tar.gz": sha([]byte("x"))})
	tsaOnly := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{NoTlog: true, TSA: true})
	nothing := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{NoTlog: true})
	logged := ss.DSSEBundle(t, ghSAN, ghIssuer, stmt, trusttest.BundleOptions{})

	v, err := trust.VerifyBundle(tsaOnly, trust.Options{Root: noLogs})
	require.NoError(t, err, "a timestamped bundle against its instance's root")
	require.NotEmpty(t, v.Timestamps)
	assert.Equal(t, ghSAN, v.SAN)

	_, err = trust.VerifyBundle(tsaOnly, trust.Options{Root: ss.Root})
	require.ErrorIs(t, err, trust.ErrNotVerified, "a root with a log requires a log entry, whatever the bundle carries")
	assert.ErrorContains(t, err, "log")

	_, err = trust.VerifyBundle(nothing, trust.Options{Root: noLogs})
	require.ErrorIs(t, err, trust.ErrNotVerified, "neither log entry nor timestamp")

	_, err = trust.VerifyBundle(logged, trust.Options{Root: noLogs})
	require.ErrorIs(t, err, trust.ErrNotVerified, "a log entry the root does not know proves nothing")

	other := trusttest.New(t)
	otherRoot, err := trust.ParseTrustedRoot(other.RootWithoutLogs(t))
	require.NoError(t, err)
	_, err = trust.VerifyBundle(tsaOnly, trust.Options{Root: otherRoot})
	require.ErrorIs(t, err, trust.ErrNotVerified, "another instance's root")
}
