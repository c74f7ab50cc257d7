package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// apiTimeout bounds every single call to the API server.
const apiTimeout = 30 * time.Second

// cluster is the control plane shared by the tests of this package: one etcd
// and one kube-apiserver, started by TestMain when KUBEBUILDER_ASSETS is set
// and stopped when the tests end. Tests use their own namespaces.
var cluster struct {
	env    *envtest.Environment
	config *rest.Config
	err    error // why the control plane did not start, if it did not
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	// go test -timeout panics the test binary, and then no Cleanup or defer
	// runs: stop every process we started shortly before that happens.
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > time.Minute {
			watchdog := time.AfterFunc(d-30*time.Second, func() {
				fmt.Fprintln(os.Stderr, "e2e: test timeout near: stopping the control plane and the webhook processes")
				killAll()
				if cluster.env != nil {
					_ = cluster.env.Stop()
				}
			})
			defer watchdog.Stop()
		}
	}
	if assets := os.Getenv("KUBEBUILDER_ASSETS"); assets != "" {
		start := time.Now()
		env := &envtest.Environment{
			BinaryAssetsDirectory:    assets,
			ControlPlaneStartTimeout: 90 * time.Second, // the machine is shared; 6.6 s when idle
			ControlPlaneStopTimeout:  30 * time.Second,
		}
		cfg, err := env.Start()
		if err != nil {
			cluster.err = fmt.Errorf("start control plane from %s: %w", assets, err)
			// envtest may have started etcd before the API server failed.
			_ = env.Stop()
		} else {
			cluster.env, cluster.config = env, cfg
			fmt.Fprintf(os.Stderr, "e2e: control plane up in %s at %s\n", time.Since(start).Round(time.Millisecond), cfg.Host)
		}
	}
	code := m.Run()
	if hubgateDir != "" {
		_ = os.RemoveAll(hubgateDir)
	}
	if cluster.env != nil {
		if err := cluster.env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stop control plane: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// requireCluster skips the test when KUBEBUILDER_ASSETS is unset, fails it when
// the control plane could not start, and returns a copy of its rest.Config.
func requireCluster(t *testing.T) *rest.Config {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset: run e2e/run.sh (it builds kube-apiserver and etcd and sets it)")
	}
	require.NoError(t, cluster.err)
	require.NotNil(t, cluster.config, "control plane not started")
	return rest.CopyConfig(cluster.config)
}

// newClient returns a clientset for cfg whose API-server warnings go to w (nil:
// discarded).
func newClient(t *testing.T, cfg *rest.Config, w rest.WarningHandler) *kubernetes.Clientset {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = apiTimeout
	if w == nil {
		w = rest.NoWarnings{}
	}
	cfg.WarningHandler = w
	cs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	return cs
}

// ctxT returns a context that ends after apiTimeout or when the test ends.
func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), apiTimeout)
	t.Cleanup(cancel)
	return ctx
}

// bgCtx returns a context that ends after d, for use in t.Cleanup functions
// (t.Context is already cancelled when they run).
func bgCtx(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	time.AfterFunc(d, cancel)
	return ctx
}

// repoRoot is the hubgate repository root (the parent of e2e/).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "e2e must run from the e2e folder of the hubgate repository")
	return root
}
