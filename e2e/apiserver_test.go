package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestAPIServerStarts is the smoke test of the harness: the control plane built
// by build-k8s.sh serves, stores objects in etcd, is the version we built, and
// labels namespaces with kubernetes.io/metadata.name (which the webhook's
// namespaceSelector relies on).
func TestAPIServerStarts(t *testing.T) {
	cfg := requireCluster(t)
	cs := newClient(t, cfg, nil)

	v, err := cs.Discovery().ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, "1", v.Major)
	assert.True(t, strings.HasPrefix(v.Minor, "37"), "minor %q", v.Minor)

	for _, name := range []string{"default", "kube-system"} {
		_, err := cs.CoreV1().Namespaces().Get(ctxT(t), name, metav1.GetOptions{})
		require.NoError(t, err, "namespace %s", name)
	}

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "e2e-smoke"}}
	_, err = cs.CoreV1().Namespaces().Create(ctxT(t), ns, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(bgCtx(apiTimeout), ns.Name, metav1.DeleteOptions{})
	})
	got, err := cs.CoreV1().Namespaces().Get(ctxT(t), ns.Name, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, ns.Name, got.Labels["kubernetes.io/metadata.name"])

	// A second create of the same name is refused: the store is real.
	_, err = cs.CoreV1().Namespaces().Create(ctxT(t), ns, metav1.CreateOptions{})
	assert.True(t, apierrors.IsAlreadyExists(err), "second create: %v", err)
}
