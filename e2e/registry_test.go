package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/cicd-hub/hubgate/adapters/oci/ocitest"
)

// TestWebhookRegistry runs `hubgate webhook serve --vsa-source registry`
// behind the real kube-apiserver, with a real OCI registry on loopback: CI
// attaches the VSA to the image with `hubgate attach`; the webhook finds it
// among the image's referrers. A Deployment of an image with a good VSA
// referrer is admitted; one without is denied; one whose registry is down
// is denied with a message that says the registry could not be reached.
func TestWebhookRegistry(t *testing.T) {
	cfg := requireCluster(t)
	cs := newClient(t, cfg, nil)
	reg := ocitest.Start(t, ocitest.Options{})
	dir := t.TempDir()
	run := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	ns := "e2e-registry-" + run

	certDir := filepath.Join(dir, "certs")
	runHubgate(t, "webhook", "certs", "--dir", certDir, "--hosts", "127.0.0.1,localhost")
	caPEM := readFile(t, filepath.Join(certDir, "ca.crt"))
	keyPrefix := filepath.Join(dir, "vsa")
	runHubgate(t, "keygen", "--out", keyPrefix)
	dockerConfig := filepath.Join(dir, "config.json")
	writeFile(t, dockerConfig, `{"auths":{}}`)

	// CI: push the image, judge it, attach the signed VSA.
	image := func(seed string, attach bool) string {
		ref := reg.PushImage(t, "acme/api", seed)
		if attach {
			digest := ref[strings.LastIndex(ref, "@")+1:]
			vsaFile, _ := makeVSA(t, t.TempDir(), keyPrefix+".key", digest)
			runHubgate(t, "attach", "--image", ref, "--plain-http", "--registry-config", dockerConfig, vsaFile)
		}
		return ref
	}
	good := image("good", true)
	bare := image("bare", false)
	unseen := image("unseen", true)
	_, info := makeVSA(t, dir, keyPrefix+".key", good[strings.LastIndex(good, "@")+1:])

	registry := filepath.Join(dir, "registry.cue")
	writeFile(t, registry, fmt.Sprintf(`repos: "acme/app": {require: ["checksums"]}

admission: {
	default_mode: "enforce"
	exempt: []
	namespaces: %q: {mode: "enforce", failure: "closed"}
	registries: [%q]
	images: %q: repos: ["acme/app"]
	vsa: {
		max_age: "24h"
		policy_digests: [%q]
		verifier_id: %q
	}
}
`, ns, reg.Host, reg.Host+"/acme", info.policyDigest, info.verifierID))

	port := freePort(t)
	w := &webhookServer{
		addr: "127.0.0.1:" + strconv.Itoa(port), caPEM: caPEM, logDir: dir,
		args: []string{"webhook", "serve", "--registry", registry,
			"--tls-cert", filepath.Join(certDir, "tls.crt"), "--tls-key", filepath.Join(certDir, "tls.key"),
			"--addr", "127.0.0.1:" + strconv.Itoa(port), "--vsa-key", keyPrefix + ".pub",
			"--vsa-source", "registry", "--plain-http", "--registry-config", dockerConfig},
	}
	w.start(t)
	for _, n := range []string{ns, nsWebhook} {
		_, err := cs.CoreV1().Namespaces().Create(ctxT(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{})
		if !(n == nsWebhook && apierrors.IsAlreadyExists(err)) {
			require.NoError(t, err, "create namespace %s", n)
		}
	}
	installed := loadShippedVWC(t).DeepCopy()
	installed.Name = "hubgate-registry-" + run
	url := "https://" + w.addr + "/validate"
	for i := range installed.Webhooks {
		installed.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caPEM}
	}
	_, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctxT(t), installed, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(bgCtx(apiTimeout), installed.Name, metav1.DeleteOptions{})
	})
	probe := pod("probe", "registry.example/unpinned:1")
	err = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, propagation, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Pods(ns).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err != nil && strings.Contains(err.Error(), webhookName), nil
	})
	require.NoError(t, err, "the API server never called the webhook within %s", propagation)

	deploys := cs.AppsV1().Deployments(ns)
	deployment := func(name, img string) error {
		d := loadDeployment(t, "deployment_secure.yaml")
		d.Name = name
		d.Spec.Template.Spec.Containers[0].Image = img
		_, err := deploys.Create(ctxT(t), d, metav1.CreateOptions{})
		if err == nil {
			t.Cleanup(func() { _ = deploys.Delete(bgCtx(apiTimeout), name, metav1.DeleteOptions{}) })
		}
		return err
	}
	require.NoError(t, deployment("good", good), "an image with a good VSA referrer")

	err = deployment("bare", bare)
	requireDenied(t, err, "api", ruleVSA)
	assert.Contains(t, err.Error(), "no verification summary")

	reg.Stop()
	err = deployment("unseen", unseen)
	requireDenied(t, err, "api", ruleVSA)
	assert.Contains(t, err.Error(), "could not reach the registry")
	assert.NotContains(t, err.Error(), "no verification summary")
}
