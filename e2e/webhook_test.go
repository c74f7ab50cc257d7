package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	"k8s.io/client-go/rest"

	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// Namespaces the shipped namespaceSelector excludes. (The enforce and audit
// namespaces are per run: harness.nsEnforce, harness.nsAudit.)
const (
	nsWebhook = "hubgate-system"
	nsSystem  = "kube-system"

	// secureDigest is the image digest of deployment_secure.yaml.
	secureDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	secureImage  = "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api@" + secureDigest

	sbomReferrer       = "oci://ghcr.io/ci-intel/platform/sbom@sha256:1111111111111111111111111111111111111111111111111111111111111111"
	provenanceReferrer = "oci://ghcr.io/ci-intel/platform/provenance@sha256:2222222222222222222222222222222222222222222222222222222222222222"

	webhookName = "validate.hubgate.dev"

	// propagation bounds how long the API server may take to pick up a
	// webhook configuration or a restarted webhook.
	propagation = 30 * time.Second
)

// Rule ids the webhook reports (issue 6).
const (
	ruleDigestPinned = "admission.digest_pinned"
	ruleVSA          = "admission.vsa"
	ruleReferrers    = "admission.referrer_annotations"
	ruleSecretless   = "admission.secretless"
)

// harness is the running system: the control plane, one webhook process and
// the shipped ValidatingWebhookConfiguration pointing at it.
type harness struct {
	cfg     *rest.Config
	cs      *kubernetes.Clientset
	webhook *webhookServer
	vwc     *admissionregistrationv1.ValidatingWebhookConfiguration // as shipped
	vsaDir  string                                                  // the webhook's --vsa-dir
	vsaFile string                                                  // signed PASSED VSA for secureDigest, not yet in vsaDir
	vsa     vsaInfo                                                 // what it says
	signKey string                                                  // the CI's private key (PEM file)
	// nsEnforce and nsAudit are this run's namespaces in enforce and audit
	// mode (unique, so that -count=N runs do not collide).
	nsEnforce, nsAudit string
	kubeconf           string // kubeconfig file for kubectl
}

// TestWebhook runs `hubgate webhook serve` behind a real kube-apiserver and
// checks the deployment contract of issue 8 through client-go. The subtests
// share one webhook process and run in order; fail_closed stops the process
// and runs last.
func TestWebhook(t *testing.T) {
	h := setupHarness(t)

	t.Run("deploy_config_as_shipped", h.testDeployConfig)
	t.Run("enforce_hub_deployments", h.testEnforceDeployments)
	t.Run("enforce_bare_pod_unpinned", h.testBarePodUnpinned)
	t.Run("enforce_cronjob_secret_env", h.testCronJobSecretEnv)
	t.Run("ephemeral_containers", h.testEphemeralContainers)
	t.Run("update_container_image", h.testUpdateImage)
	t.Run("every_workload_kind", h.testWorkloadKinds)
	t.Run("patch_paths", h.testPatchPaths)
	t.Run("unchanged_images_on_update", h.testUnchangedOnUpdate)
	t.Run("vsa_bound_to_repo_and_mapping", h.testVSABinding)
	t.Run("terminating_pod", h.testTerminating)
	t.Run("audit_admits_with_warnings", h.testAudit)
	t.Run("kubectl_shows_denial_and_warnings", h.testKubectl)
	t.Run("dry_run_same_verdict", h.testDryRun)
	t.Run("own_and_system_namespaces_not_intercepted", h.testExemptNamespaces)
	t.Run("fail_closed_when_webhook_hangs", h.testHung)
	t.Run("fail_closed_when_webhook_down", h.testFailClosed)
}

func setupHarness(t *testing.T) *harness {
	t.Helper()
	cfg := requireCluster(t)
	h := &harness{cfg: cfg, cs: newClient(t, cfg, nil)}
	dir := t.TempDir()
	run := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	h.nsEnforce, h.nsAudit = "e2e-enforce-"+run, "e2e-audit-"+run

	// TLS for the webhook, from the webhook's own helper.
	certDir := filepath.Join(dir, "certs")
	runHubgate(t, "webhook", "certs", "--dir", certDir, "--hosts", "127.0.0.1,localhost")
	caPEM := readFile(t, filepath.Join(certDir, "ca.crt"))

	// The CI side: a key pair and a signed PASSED VSA for the secure image.
	keyPrefix := filepath.Join(dir, "vsa")
	runHubgate(t, "keygen", "--out", keyPrefix)
	h.signKey = keyPrefix + ".key"
	h.vsaFile, h.vsa = makeVSA(t, dir, h.signKey, secureDigest)
	h.kubeconf = filepath.Join(dir, "kubeconfig")
	require.NotEmpty(t, cluster.env.KubeConfig)
	require.NoError(t, os.WriteFile(h.kubeconf, cluster.env.KubeConfig, 0o600))

	h.vsaDir = filepath.Join(dir, "vsa-store")
	require.NoError(t, os.MkdirAll(h.vsaDir, 0o755))
	registry := filepath.Join(dir, "registry.cue")
	writeFile(t, registry, h.admissionRegistry())

	port := freePort(t)
	h.webhook = &webhookServer{
		addr:   "127.0.0.1:" + strconv.Itoa(port),
		caPEM:  caPEM,
		logDir: dir,
		args: []string{
			"webhook", "serve",
			"--registry", registry,
			"--tls-cert", filepath.Join(certDir, "tls.crt"),
			"--tls-key", filepath.Join(certDir, "tls.key"),
			"--addr", "127.0.0.1:" + strconv.Itoa(port),
			"--vsa-dir", h.vsaDir,
			"--vsa-key", keyPrefix + ".pub",
		},
	}
	h.webhook.start(t)

	for _, ns := range []string{h.nsEnforce, h.nsAudit, nsWebhook} {
		_, err := h.cs.CoreV1().Namespaces().Create(ctxT(t),
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if !(ns == nsWebhook && apierrors.IsAlreadyExists(err)) { // -count=N
			require.NoError(t, err, "create namespace %s", ns)
		}
	}

	// The configuration from deploy/, as shipped except for clientConfig.
	h.vwc = loadShippedVWC(t)
	installed := h.vwc.DeepCopy()
	url := "https://" + h.webhook.addr + "/validate"
	for i := range installed.Webhooks {
		installed.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caPEM}
	}
	_, err := h.cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctxT(t), installed, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = h.cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(bgCtx(apiTimeout), installed.Name, metav1.DeleteOptions{})
	})

	// The API server loads webhook configurations asynchronously: wait until
	// an unpinned pod is denied by our webhook (dry run: nothing is stored).
	probe := pod("probe", "registry.example/unpinned:1")
	err = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, propagation, true, func(ctx context.Context) (bool, error) {
		_, err := h.cs.CoreV1().Pods(h.nsEnforce).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err != nil && strings.Contains(err.Error(), webhookName), nil
	})
	require.NoError(t, err, "the API server never called the webhook within %s", propagation)
	return h
}

// testDeployConfig pins what the fail-closed and dry-run behaviour rely on in
// the shipped file.
func (h *harness) testDeployConfig(t *testing.T) {
	require.NotEmpty(t, h.vwc.Webhooks)
	assert.Equal(t, "hubgate", h.vwc.Name)
	var names []string
	for _, wh := range h.vwc.Webhooks {
		names = append(names, wh.Name)
		require.NotNil(t, wh.FailurePolicy, "%s: failurePolicy unset", wh.Name)
		assert.Equal(t, admissionregistrationv1.Fail, *wh.FailurePolicy, "%s: failurePolicy", wh.Name)
		require.NotNil(t, wh.SideEffects, "%s: sideEffects unset", wh.Name)
		assert.Equal(t, admissionregistrationv1.SideEffectClassNone, *wh.SideEffects, "%s: sideEffects", wh.Name)
		require.NotNil(t, wh.TimeoutSeconds, "%s: timeoutSeconds unset", wh.Name)
		assert.Equal(t, int32(5), *wh.TimeoutSeconds, "%s: timeoutSeconds", wh.Name)
		assert.Equal(t, []string{"v1"}, wh.AdmissionReviewVersions, "%s: admissionReviewVersions", wh.Name)
		if assert.NotNil(t, wh.ClientConfig.Service, "%s: clientConfig.service", wh.Name) {
			assert.Equal(t, nsWebhook, wh.ClientConfig.Service.Namespace)
			assert.Equal(t, "hubgate", wh.ClientConfig.Service.Name)
			if assert.NotNil(t, wh.ClientConfig.Service.Path) {
				assert.Equal(t, "/validate", *wh.ClientConfig.Service.Path)
			}
		}
	}
	assert.Contains(t, names, webhookName)

	// Every path to a pod's images: ephemeral containers come only through
	// the pods/ephemeralcontainers subresource (UPDATE), which "pods" does
	// not match.
	covered := map[string]bool{}
	for _, wh := range h.vwc.Webhooks {
		for _, r := range wh.Rules {
			if !slices.Contains(r.Operations, admissionregistrationv1.Update) && !slices.Contains(r.Operations, admissionregistrationv1.OperationAll) {
				continue
			}
			for _, res := range r.Resources {
				covered[res] = true
			}
		}
	}
	for _, res := range []string{"pods", "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"} {
		assert.True(t, covered[res], "no UPDATE rule for %s", res)
	}
}

// testEnforceDeployments sends the hub's four Deployments to an enforced
// namespace.
func (h *harness) testEnforceDeployments(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	deploys := cs.AppsV1().Deployments(h.nsEnforce)

	// Without a VSA for its digest, even the secure Deployment is denied.
	secure := loadDeployment(t, "deployment_secure.yaml")
	_, err := deploys.Create(ctxT(t), secure, metav1.CreateOptions{})
	requireDenied(t, err, "api", ruleVSA)
	requireAbsent(t, func() error { _, err := deploys.Get(ctxT(t), secure.Name, metav1.GetOptions{}); return err })

	// Nor with a VSA that is not good enough. They follow a good one for the
	// same digest and key: the webhook's verification cache must not answer
	// for a file that changed.
	h.testBadVSAs(t, deploys, secure)

	// With a signed PASSED VSA for its digest in the store, it is admitted.
	h.installVSA(t)
	created, err := deploys.Create(ctxT(t), secure, metav1.CreateOptions{})
	require.NoError(t, err, "deployment_secure with a signed VSA")
	assert.Equal(t, secureImage, created.Spec.Template.Spec.Containers[0].Image)
	t.Cleanup(func() { _ = deploys.Delete(bgCtx(apiTimeout), secure.Name, metav1.DeleteOptions{}) })

	for _, tc := range []struct {
		name, file, container, rule string
	}{
		{name: "tagged", file: "deployment_tagged.yaml", container: "api", rule: ruleDigestPinned},
		{name: "missing_referrers", file: "deployment_missing_referrers.yaml", container: "", rule: ruleReferrers},
		{name: "secret_env", file: "deployment_secret_env.yaml", container: "api", rule: ruleSecretless},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := loadDeployment(t, tc.file)
			_, err := deploys.Create(ctxT(t), d, metav1.CreateOptions{})
			requireDenied(t, err, tc.container, tc.rule)
			requireAbsent(t, func() error { _, err := deploys.Get(ctxT(t), d.Name, metav1.GetOptions{}); return err })
		})
	}
}

// testBadVSAs puts, one at a time, a VSA for secure's digest in the store
// that must not admit it, and checks the API server denies secure.
func (h *harness) testBadVSAs(t *testing.T, deploys typedappsv1.DeploymentInterface, secure *appsv1.Deployment) {
	t.Helper()
	otherKey, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	trusted, err := vsa.LoadPrivateKey(readFile(t, h.signKey))
	require.NoError(t, err)
	good := readFile(t, h.vsaFile)
	tampered := tamperPayload(t, good)
	otherPolicy := h.vsa
	otherPolicy.policyDigest = "sha256:" + strings.Repeat("0d", 32)
	otherRepo := h.vsa
	otherRepo.repo = "acme/lax"

	for _, tc := range []struct {
		name   string
		bundle []byte
		admit  bool
	}{
		// The control: signVSA's own good VSA admits, so the denials below
		// are about what each one changes.
		{name: "control_signed_here", bundle: signVSA(t, trusted, secureDigest, h.vsa, time.Now(), true), admit: true},
		{name: "signed_by_another_key", bundle: signVSA(t, otherKey, secureDigest, h.vsa, time.Now(), true)},
		{name: "failed", bundle: signVSA(t, trusted, secureDigest, h.vsa, time.Now(), false)},
		// Older than the registry's max_age (24h), younger than the default (168h).
		{name: "expired", bundle: signVSA(t, trusted, secureDigest, h.vsa, time.Now().Add(-48*time.Hour), true)},
		{name: "tampered", bundle: tampered},
		{name: "unaccepted_policy", bundle: signVSA(t, trusted, secureDigest, otherPolicy, time.Now(), true)},
		// Signed, PASSED and fresh, but made for another repo (one whose
		// registry entry may be lax): not for this image.
		{name: "another_repo", bundle: signVSA(t, trusted, secureDigest, otherRepo, time.Now(), true)},
	} {
		t.Run("vsa_"+tc.name, func(t *testing.T) {
			h.putVSA(t, tc.bundle)
			t.Cleanup(func() { h.removeVSA(t) })
			// Dry run (same verdict, see dry_run_same_verdict): a wrong
			// admission here must not leave an object behind.
			_, err := deploys.Create(ctxT(t), secure, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			if tc.admit {
				require.NoError(t, err)
				return
			}
			requireDenied(t, err, "api", ruleVSA)
		})
	}
}

// tamperPayload raises the verified level in the signed statement and keeps
// the signature: well-formed, but not what was signed.
func tamperPayload(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var b map[string]any
	require.NoError(t, json.Unmarshal(bundle, &b))
	env, ok := b["dsseEnvelope"].(map[string]any)
	require.True(t, ok, "bundle has no dsseEnvelope")
	enc, ok := env["payload"].(string)
	require.True(t, ok, "dsseEnvelope has no payload")
	payload, err := base64.StdEncoding.DecodeString(enc)
	require.NoError(t, err)
	changed := bytes.Replace(payload, []byte(`"SLSA_BUILD_LEVEL_0"`), []byte(`"SLSA_BUILD_LEVEL_3"`), 1)
	require.NotEqual(t, payload, changed, "the statement does not say SLSA_BUILD_LEVEL_0")
	env["payload"] = base64.StdEncoding.EncodeToString(changed)
	out, err := json.Marshal(b)
	require.NoError(t, err)
	return out
}

// testBarePodUnpinned: a Pod outside any controller is checked too.
func (h *harness) testBarePodUnpinned(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	p := pod("bare-unpinned", "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api:latest")
	p.Spec.Containers[0].Name = "web"
	_, err := cs.CoreV1().Pods(h.nsEnforce).Create(ctxT(t), p, metav1.CreateOptions{})
	requireDenied(t, err, "web", ruleDigestPinned)
	requireAbsent(t, func() error {
		_, err := cs.CoreV1().Pods(h.nsEnforce).Get(ctxT(t), p.Name, metav1.GetOptions{})
		return err
	})
}

// testCronJobSecretEnv: the job template of a CronJob is checked.
func (h *harness) testCronJobSecretEnv(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	cj := cronJobSecretEnv("nightly-secret-env", "report")
	_, err := cs.BatchV1().CronJobs(h.nsEnforce).Create(ctxT(t), cj, metav1.CreateOptions{})
	requireDenied(t, err, "report", ruleSecretless)
	requireAbsent(t, func() error {
		_, err := cs.BatchV1().CronJobs(h.nsEnforce).Get(ctxT(t), cj.Name, metav1.GetOptions{})
		return err
	})
}

// testAudit: in an audit-mode namespace the same objects are admitted, and
// the failures reach the client as warnings.
func (h *harness) testAudit(t *testing.T) {
	rec := &warningRecorder{}
	cs := newClient(t, h.cfg, rec)
	for _, tc := range []struct {
		name   string
		create func(t *testing.T) error
		want   []string // substrings some warning must hold
	}{
		{name: "deployment_secure_no_warning", want: nil, create: func(t *testing.T) error {
			h.installVSA(t)
			_, err := cs.AppsV1().Deployments(h.nsAudit).Create(ctxT(t), loadDeployment(t, "deployment_secure.yaml"), metav1.CreateOptions{})
			return err
		}},
		{name: "deployment_tagged", want: []string{ruleDigestPinned}, create: func(t *testing.T) error {
			_, err := cs.AppsV1().Deployments(h.nsAudit).Create(ctxT(t), loadDeployment(t, "deployment_tagged.yaml"), metav1.CreateOptions{})
			return err
		}},
		{name: "deployment_missing_referrers", want: []string{ruleReferrers}, create: func(t *testing.T) error {
			_, err := cs.AppsV1().Deployments(h.nsAudit).Create(ctxT(t), loadDeployment(t, "deployment_missing_referrers.yaml"), metav1.CreateOptions{})
			return err
		}},
		{name: "deployment_secret_env", want: []string{ruleSecretless}, create: func(t *testing.T) error {
			_, err := cs.AppsV1().Deployments(h.nsAudit).Create(ctxT(t), loadDeployment(t, "deployment_secret_env.yaml"), metav1.CreateOptions{})
			return err
		}},
		{name: "bare_pod_unpinned", want: []string{ruleDigestPinned}, create: func(t *testing.T) error {
			_, err := cs.CoreV1().Pods(h.nsAudit).Create(ctxT(t), pod("bare-unpinned", "registry.example/app:1"), metav1.CreateOptions{})
			return err
		}},
		{name: "cronjob_secret_env", want: []string{ruleSecretless}, create: func(t *testing.T) error {
			_, err := cs.BatchV1().CronJobs(h.nsAudit).Create(ctxT(t), cronJobSecretEnv("nightly-secret-env", "report"), metav1.CreateOptions{})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.reset()
			require.NoError(t, tc.create(t), "audit mode must admit")
			var ours []string // the webhook's warnings, not the API server's own
			for _, w := range rec.get() {
				if strings.Contains(w, "admission.") {
					ours = append(ours, w)
					assert.LessOrEqual(t, utf8.RuneCountInString(w), 120, "warning longer than 120 characters: %q", w)
				}
			}
			if len(tc.want) == 0 {
				assert.Empty(t, ours, "a passing object got rule warnings")
				return
			}
			require.NotEmpty(t, ours, "no rule warning reached the client (all: %q)", rec.get())
			for _, want := range tc.want {
				assert.True(t, slices.ContainsFunc(ours, func(w string) bool { return strings.Contains(w, want) }),
					"no warning names %s: %q", want, ours)
			}
		})
	}
}

// testKubectl: a user of kubectl sees the denial, naming the rule and the
// container, and in audit mode the warnings.
func (h *harness) testKubectl(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		kubectl = filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
		if _, err := os.Stat(kubectl); err != nil {
			t.Skip("kubectl is not installed: client-go's view is checked by the other subtests")
		}
	}
	// deployment_tagged under a name no other subtest uses.
	fixture := string(readFile(t, filepath.Join("testdata", "kyverno", "deployment_tagged.yaml")))
	manifest := strings.Replace(fixture, "name: ci-intel-tagged", "name: kubectl-tagged", 1)
	require.NotEqual(t, fixture, manifest)
	run := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), commandTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", h.kubeconf}, args...)...)
		cmd.Stdin = strings.NewReader(manifest)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("enforce_denial", func(t *testing.T) {
		out, err := run(t, "create", "--namespace", h.nsEnforce, "--dry-run=server", "-f", "-")
		require.Error(t, err, "kubectl create was admitted:\n%s", out)
		assert.Contains(t, out, fmt.Sprintf("admission webhook %q denied the request", webhookName))
		assert.Contains(t, out, "["+ruleDigestPinned+"]")
		assert.Contains(t, out, "container api")
	})
	t.Run("audit_warning", func(t *testing.T) {
		out, err := run(t, "create", "--namespace", h.nsAudit, "--dry-run=server", "-f", "-")
		require.NoError(t, err, "kubectl create in audit mode:\n%s", out)
		assert.Regexp(t, `(?m)^Warning: .*`+regexp.QuoteMeta(ruleDigestPinned), out)
	})
}

// testDryRun: a server-side dry-run create gets the verdict a real one gets,
// and stores nothing.
func (h *harness) testDryRun(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	h.installVSA(t)

	t.Run("secure_admitted", func(t *testing.T) {
		d := loadDeployment(t, "deployment_secure.yaml")
		d.Name = "dry-run-secure"
		_, err := cs.AppsV1().Deployments(h.nsEnforce).Create(ctxT(t), d, dry)
		require.NoError(t, err)
		requireAbsent(t, func() error {
			_, err := cs.AppsV1().Deployments(h.nsEnforce).Get(ctxT(t), d.Name, metav1.GetOptions{})
			return err
		})
	})
	for _, tc := range []struct {
		name, file, container, rule string
	}{
		{name: "tagged_denied", file: "deployment_tagged.yaml", container: "api", rule: ruleDigestPinned},
		{name: "missing_referrers_denied", file: "deployment_missing_referrers.yaml", container: "", rule: ruleReferrers},
		{name: "secret_env_denied", file: "deployment_secret_env.yaml", container: "api", rule: ruleSecretless},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cs.AppsV1().Deployments(h.nsEnforce).Create(ctxT(t), loadDeployment(t, tc.file), dry)
			requireDenied(t, err, tc.container, tc.rule)
		})
	}
	t.Run("pod_unpinned_denied", func(t *testing.T) {
		_, err := cs.CoreV1().Pods(h.nsEnforce).Create(ctxT(t), pod("dry-unpinned", "registry.example/app:1"), dry)
		requireDenied(t, err, "app", ruleDigestPinned)
	})
	t.Run("cronjob_secret_env_denied", func(t *testing.T) {
		_, err := cs.BatchV1().CronJobs(h.nsEnforce).Create(ctxT(t), cronJobSecretEnv("dry-secret-env", "report"), dry)
		requireDenied(t, err, "report", ruleSecretless)
	})
}

// testExemptNamespaces: objects that would be denied anywhere else are
// admitted in kube-system and in the webhook's own namespace, without the
// webhook being asked (its request counters do not move).
func (h *harness) testExemptNamespaces(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	for _, ns := range []string{nsSystem, nsWebhook} {
		t.Run(ns, func(t *testing.T) {
			before := h.requestCounters(t)
			p := pod("unpinned-in-"+ns, "registry.example/app:1")
			_, err := cs.CoreV1().Pods(ns).Create(ctxT(t), p, metav1.CreateOptions{})
			require.NoError(t, err, "namespace %s must not be intercepted", ns)
			t.Cleanup(func() { _ = cs.CoreV1().Pods(ns).Delete(bgCtx(apiTimeout), p.Name, metav1.DeleteOptions{}) })
			d := loadDeployment(t, "deployment_secret_env.yaml")
			_, err = cs.AppsV1().Deployments(ns).Create(ctxT(t), d, metav1.CreateOptions{})
			require.NoError(t, err, "namespace %s must not be intercepted", ns)
			t.Cleanup(func() { _ = cs.AppsV1().Deployments(ns).Delete(bgCtx(apiTimeout), d.Name, metav1.DeleteOptions{}) })
			if before == "" {
				t.Log("webhook /metrics has no hubgate request counters: not checking that it was not called")
				return
			}
			assert.Equal(t, before, h.requestCounters(t), "the webhook was called for namespace %s", ns)
		})
	}
	// The counters do move for an intercepted request, so the check above
	// can fail.
	t.Run("counters_move_when_intercepted", func(t *testing.T) {
		before := h.requestCounters(t)
		if before == "" {
			t.Skip("webhook /metrics has no hubgate request counters")
		}
		_, err := cs.CoreV1().Pods(h.nsEnforce).Create(ctxT(t), pod("counted", "registry.example/app:1"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		requireDenied(t, err, "app", ruleDigestPinned)
		assert.NotEqual(t, before, h.requestCounters(t))
	})
}

// testHung: a webhook that accepts the connection but never answers is cut
// off after the shipped timeoutSeconds, and the request is denied.
func (h *harness) testHung(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	pods := cs.CoreV1().Pods(h.nsEnforce)
	h.installVSA(t)
	p := securePod("secure-while-hung")

	h.webhook.signal(t, syscall.SIGSTOP)
	stopped := true
	t.Cleanup(func() {
		if stopped {
			h.webhook.signal(t, syscall.SIGCONT)
		}
	})
	start := time.Now()
	_, err := pods.Create(ctxT(t), p, metav1.CreateOptions{})
	took := time.Since(start)
	h.webhook.signal(t, syscall.SIGCONT)
	stopped = false

	require.Error(t, err, "a pod was admitted while the webhook hung: the configuration fails open")
	assert.Contains(t, err.Error(), webhookName)
	assert.Contains(t, err.Error(), "failed calling webhook")
	limit := time.Duration(*h.vwc.Webhooks[0].TimeoutSeconds) * time.Second
	assert.GreaterOrEqual(t, took, limit-time.Second, "denied before the webhook's timeout")
	assert.Less(t, took, limit+10*time.Second, "the API server did not honour timeoutSeconds")
	requireAbsent(t, func() error { _, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{}); return err })

	// Resumed, the webhook admits the same pod.
	err = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, propagation, true, func(ctx context.Context) (bool, error) {
		_, err := pods.Create(ctx, p, metav1.CreateOptions{})
		return err == nil, nil
	})
	require.NoError(t, err, "the secure pod was not admitted within %s of the webhook resuming", propagation)
}

// testFailClosed: with the webhook process stopped, a Pod that the webhook
// would admit cannot be created; once it is back, it can.
func (h *harness) testFailClosed(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	pods := cs.CoreV1().Pods(h.nsEnforce)
	h.installVSA(t)

	up := securePod("secure-while-up")
	_, err := pods.Create(ctxT(t), up, metav1.CreateOptions{})
	require.NoError(t, err, "the secure pod must be admitted while the webhook runs")

	h.webhook.stop(t)
	down := securePod("secure-while-down")
	_, err = pods.Create(ctxT(t), down, metav1.CreateOptions{})
	require.Error(t, err, "a pod was admitted while the webhook was down: the configuration fails open")
	assert.Contains(t, err.Error(), webhookName)
	assert.Contains(t, err.Error(), "failed calling webhook")
	requireAbsent(t, func() error { _, err := pods.Get(ctxT(t), down.Name, metav1.GetOptions{}); return err })

	// The denial was the webhook being down, not the pod: restart and retry.
	h.webhook.start(t)
	err = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, propagation, true, func(ctx context.Context) (bool, error) {
		_, err := pods.Create(ctx, down, metav1.CreateOptions{})
		return err == nil, nil
	})
	require.NoError(t, err, "the secure pod was not admitted within %s of the webhook's restart", propagation)
}

// installVSA puts the good signed VSA for secureDigest into the store.
func (h *harness) installVSA(t *testing.T) {
	t.Helper()
	h.putVSA(t, readFile(t, h.vsaFile))
}

// putVSA writes bundle as the VSA of secureDigest, under the name the
// contract gives: <vsa-dir>/<sha256-hex>.vsa.json.
func (h *harness) putVSA(t *testing.T, bundle []byte) {
	t.Helper()
	writeFile(t, h.vsaPath(), string(bundle))
}

func (h *harness) removeVSA(t *testing.T) {
	t.Helper()
	if err := os.Remove(h.vsaPath()); err != nil && !os.IsNotExist(err) {
		t.Errorf("remove VSA: %v", err)
	}
}

func (h *harness) vsaPath() string {
	return filepath.Join(h.vsaDir, strings.TrimPrefix(secureDigest, "sha256:")+".vsa.json")
}

// requestCounters returns the webhook's hubgate_* counter samples from
// /metrics, one per line in the order served ("" when there are none).
func (h *harness) requestCounters(t *testing.T) string {
	t.Helper()
	resp, err := h.webhook.httpClient(t).Get("https://" + h.webhook.addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	var lines []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "hubgate") && (strings.Contains(line, "_total") || strings.Contains(line, "_count")) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// requireDenied checks that err is our webhook's denial with code 403 and
// that the message names the rule ("[admission.x]") and, unless container is
// "" (a rule about the object, such as its annotations), the container.
func requireDenied(t *testing.T, err error, container, rule string) {
	t.Helper()
	require.Error(t, err, "admitted; want denied by %s", rule)
	var status apierrors.APIStatus
	require.ErrorAs(t, err, &status, "not an API status error: %v", err)
	msg := err.Error()
	assert.Contains(t, msg, fmt.Sprintf("admission webhook %q denied the request", webhookName))
	assert.Equal(t, int32(http.StatusForbidden), status.Status().Code, "status code: %s", msg)
	assert.Contains(t, msg, "["+rule+"]", "the message does not name the rule")
	if container != "" {
		assert.Contains(t, msg, "container "+container, "the message does not name the container")
	}
}

// requireAbsent checks that get reports NotFound.
func requireAbsent(t *testing.T, get func() error) {
	t.Helper()
	err := get()
	require.True(t, apierrors.IsNotFound(err), "object stored after a denial or a dry run (get: %v)", err)
}

// warningRecorder is a rest.WarningHandler that keeps what the API server
// sent.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (r *warningRecorder) HandleWarningHeader(code int, agent, text string) {
	if code != 299 || text == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, text)
}

func (r *warningRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = nil
}

func (r *warningRecorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.warnings)
}

// loadDeployment reads one of the hub's Deployments from testdata/kyverno.
func loadDeployment(t *testing.T, file string) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	path := filepath.Join("testdata", "kyverno", file)
	require.NoError(t, k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(readFile(t, path)), 4096).Decode(&d), "decode %s", path)
	require.Equal(t, "Deployment", d.Kind, "%s", path)
	return &d
}

// pod is a one-container Pod named "app".
func pod(name, image string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}
}

// securePod is deployment_secure's pod as a bare Pod: pinned to secureDigest,
// with both referrer annotations and no secrets.
func securePod(name string) *corev1.Pod {
	p := pod(name, secureImage)
	p.Spec.Containers[0].Name = "api"
	p.Annotations = map[string]string{
		"ci-intel.dev/sbom-referrer":       sbomReferrer,
		"ci-intel.dev/provenance-referrer": provenanceReferrer,
	}
	return p
}

// cronJobSecretEnv is a CronJob whose job template reads a secret into an
// env var; otherwise it is like deployment_secure (pinned, annotated).
func cronJobSecretEnv(name, container string) *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Annotations: map[string]string{
				"ci-intel.dev/sbom-referrer":       sbomReferrer,
				"ci-intel.dev/provenance-referrer": provenanceReferrer,
			},
		},
		Spec: batchv1.CronJobSpec{
			Schedule: "0 3 * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyOnFailure,
				Containers: []corev1.Container{{
					Name:  container,
					Image: secureImage,
					Env: []corev1.EnvVar{{Name: "LEGACY_TOKEN", ValueFrom: &corev1.EnvVarSource{
						SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "legacy-token"}, Key: "token"},
					}}},
				}},
			}}}},
		},
	}
}

// admissionRegistry is the webhook's registry: enforce and audit namespaces,
// the allowed registries, and VSAs signed for vsa. exempt is empty on purpose:
// kube-system and the webhook's own namespace must be kept out by the shipped
// namespaceSelector alone.
func (h *harness) admissionRegistry() string {
	return fmt.Sprintf(`repos: "acme/app": {require: ["checksums"]}

admission: {
	default_mode: "enforce"
	exempt: []
	namespaces: {
		%q: {mode: "enforce", failure: "closed"}
		%q: {mode: "audit", failure: "closed"}
	}
	registries: ["ghcr.io", "registry.example", "quay.io"]
	images: {
		// secureImage's repository: summaries made by eval for acme/app.
		"ghcr.io/jguida941/ci-cd-bst-demo-github-actions": repos: ["acme/app"]
		// A stricter mapping: checksums-only summaries (level 0) do not do.
		"ghcr.io/jguida941/strict": {repos: ["acme/app"], required_levels: ["SLSA_BUILD_LEVEL_1"]}
	}
	vsa: {
		max_age: "24h"
		policy_digests: [%q]
		verifier_id: %q
	}
}
`, h.nsEnforce, h.nsAudit, h.vsa.policyDigest, h.vsa.verifierID)
}

// makeVSA is the CI side: `hubgate eval` judges a release whose checksums
// list the image digest, passes, and writes a VSA for it signed with the key
// from `hubgate keygen` (--vsa-out, --sign-key). It returns the VSA file and
// what the registry must accept.
func makeVSA(t *testing.T, dir, signKey, digest string) (string, vsaInfo) {
	t.Helper()
	evalRegistry := filepath.Join(dir, "eval-registry.cue")
	writeFile(t, evalRegistry, `repos: "acme/app": {require: ["checksums"]}`+"\n")
	checksums := filepath.Join(dir, "SHA256SUMS")
	writeFile(t, checksums, strings.TrimPrefix(digest, "sha256:")+"  api\n")
	out := filepath.Join(dir, "api.vsa.json")
	runHubgate(t, "eval",
		"--registry", evalRegistry,
		"--repo", "acme/app",
		"--subject-digest", "api="+digest,
		"--checksums", checksums,
		"--now", time.Now().UTC().Format(time.RFC3339),
		"--vsa-out", out,
		"--sign-key", signKey,
	)
	return out, readVSA(t, out, digest)
}

// signVSA signs a VSA for digest with key as hubgate eval would: PASSED when
// passed, verified at at, naming info's repo (default acme/app), policy
// digest and verifier.
func signVSA(t *testing.T, key *vsa.Key, digest string, info vsaInfo, at time.Time, passed bool) []byte {
	t.Helper()
	repo := info.repo
	if repo == "" {
		repo = "acme/app"
	}
	d := &policy.Decision{
		Outcome: policy.OutcomePass,
		Allowed: true,
		Repo:    repo,
		Policy:  policy.PolicyRef{Digest: info.policyDigest},
		Time:    at.UTC().Truncate(time.Second),
	}
	if !passed {
		d.Outcome, d.Allowed = policy.OutcomeFail, false
	}
	subject := policy.Subject{
		Name:   "api",
		Digest: policy.Digest{"sha256": strings.TrimPrefix(digest, "sha256:")},
	}
	bundle, err := vsa.Sign(d, subject, key, vsa.Options{VerifierID: info.verifierID})
	require.NoError(t, err)
	return bundle
}

// readVSA opens the DSSE envelope of a sigstore bundle (unverified: the
// webhook verifies) and returns the VSA predicate's policy digest and
// verifier id. It also checks the VSA is a PASSED one about digest.
func readVSA(t *testing.T, path, digest string) vsaInfo {
	t.Helper()
	var bundle struct {
		DSSEEnvelope struct {
			PayloadType string `json:"payloadType"`
			Payload     string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, path), &bundle), "decode %s", path)
	require.Equal(t, vsa.PayloadType, bundle.DSSEEnvelope.PayloadType, "%s: dsseEnvelope.payloadType", path)
	payload, err := base64.StdEncoding.DecodeString(bundle.DSSEEnvelope.Payload)
	require.NoError(t, err, "%s: dsseEnvelope.payload", path)
	var stmt struct {
		PredicateType string `json:"predicateType"`
		Predicate     struct {
			Verifier struct {
				ID string `json:"id"`
			} `json:"verifier"`
			ResourceURI        string `json:"resourceUri"`
			VerificationResult string `json:"verificationResult"`
			Policy             struct {
				Digest map[string]string `json:"digest"`
			} `json:"policy"`
		} `json:"predicate"`
	}
	require.NoError(t, json.Unmarshal(payload, &stmt), "%s: statement", path)
	require.Equal(t, vsa.PredicateType, stmt.PredicateType, "%s", path)
	require.Equal(t, "PASSED", stmt.Predicate.VerificationResult, "%s: verificationResult", path)
	require.Equal(t, "git+https://github.com/acme/app", stmt.Predicate.ResourceURI, "%s: resourceUri names the repo", path)
	hex := stmt.Predicate.Policy.Digest["sha256"]
	require.NotEmpty(t, hex, "%s: predicate.policy.digest.sha256", path)
	require.NotEmpty(t, stmt.Predicate.Verifier.ID, "%s: predicate.verifier.id", path)
	return vsaInfo{policyDigest: "sha256:" + hex, verifierID: stmt.Predicate.Verifier.ID}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// vsaInfo is what the registry needs to know of the CI's VSAs.
type vsaInfo struct {
	policyDigest string // "sha256:HEX"
	verifierID   string
	repo         string // "" for acme/app
}
