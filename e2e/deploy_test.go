package e2e

import (
	"bytes"
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
	"testing"
	"time"

	certmanagerv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/kustomize/api/resource"
)

// TestDeployBuildNeedsUserFiles: a build without the user's vsa.pub (or,
// on the self-signed path, without the certificate files) fails and names the
// missing file; it never yields an empty key.
func TestDeployBuildNeedsUserFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    deployOptions
		missing string
	}{
		{"no_vsa_pub", deployOptions{noVSAPub: true}, filepath.Join("base", "vsa.pub")},
		{"no_vsa_pub_self_signed", deployOptions{noVSAPub: true, certs: selfSigned}, filepath.Join("base", "vsa.pub")},
		{"self_signed_no_certs", deployOptions{certs: selfSigned, noCerts: true}, filepath.Join("components", "self-signed", "certs", "tls.crt")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := copyDeploy(t, tc.opts)
			for _, overlay := range []string{"overlays/audit", "overlays/enforce"} {
				_, err := tree.build(t, overlay)
				require.Error(t, err, overlay)
				assert.Contains(t, err.Error(), filepath.Join(tree.dir, tc.missing), overlay)
				assert.Contains(t, err.Error(), "no such file or directory", overlay)
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		tree := copyDeploy(t, deployOptions{})
		rs := tree.mustBuild(t, "overlays/audit")
		var s corev1.Secret
		require.NoError(t, decodeStrict(find(t, rs, "Secret", "hubgate-vsa-key"), &s))
		assert.Equal(t, tree.vsaPub, s.Data["vsa.pub"], "the Secret holds the user's file")
	})
}

// deployVariants are the installs the README offers: each overlay with each
// certificate path (and the monitoring component with one of them).
var deployVariants = []struct {
	name    string
	overlay string // audit or enforce
	opts    deployOptions
}{
	{"audit_cert_manager", "audit", deployOptions{certs: certManager, monitoring: true}},
	{"enforce_cert_manager", "enforce", deployOptions{certs: certManager}},
	{"audit_self_signed", "audit", deployOptions{certs: selfSigned}},
	{"enforce_self_signed", "enforce", deployOptions{certs: selfSigned, monitoring: true}},
	{"enforce_registry_source", "enforce", deployOptions{certs: certManager, registrySource: true}},
}

// TestDeployBuild checks what each variant builds, without an API server.
func TestDeployBuild(t *testing.T) {
	for _, v := range deployVariants {
		t.Run(v.name, func(t *testing.T) {
			tree := copyDeploy(t, v.opts)
			rs := tree.mustBuild(t, "overlays/"+v.overlay)
			checkBuild(t, tree, rs, v.overlay, v.opts)
		})
	}
}

// TestDeploySetDigest is step 2 of deploy/README.md: the digest that
// `go run ./deploy/image` printed (and where it was pushed), set in
// deploy/base/kustomization.yaml, is the image of the built Deployment.
func TestDeploySetDigest(t *testing.T) {
	const (
		digest = "sha256:b821535f8f9da153fcf7da3c5378106cce6aedc3f47165eb7b25f1af54ac0d7f"
		pushed = "registry.example/acme/hubgate"
	)
	tree := copyDeploy(t, deployOptions{})
	kust := filepath.Join(tree.dir, "base", "kustomization.yaml")
	b := string(readFile(t, kust))
	const (
		shippedName   = "    newName: ghcr.io/cicd-hub/hubgate\n"
		shippedDigest = "    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
	)
	require.Contains(t, b, shippedName)
	require.Contains(t, b, shippedDigest)
	b = strings.Replace(b, shippedName, "    newName: "+pushed+"\n", 1)
	b = strings.Replace(b, shippedDigest, "    digest: "+digest+"\n", 1)
	writeFile(t, kust, b)
	for _, overlay := range []string{"overlays/audit", "overlays/enforce"} {
		var d appsv1.Deployment
		require.NoError(t, decodeStrict(find(t, tree.mustBuild(t, overlay), "Deployment", "hubgate"), &d))
		assert.Equal(t, pushed+"@"+digest, d.Spec.Template.Spec.Containers[0].Image, overlay)
	}
}

// checkBuild pins the install contract of deploy/README.md on one build.
func checkBuild(t *testing.T, tree *deployTree, rs []*resource.Resource, overlay string, opts deployOptions) {
	t.Helper()
	// Order: the namespace before anything in it, the webhook configuration
	// after the Service and Deployment it calls.
	require.Equal(t, "Namespace", rs[0].GetKind())
	require.Equal(t, nsWebhook, rs[0].GetName())
	last := rs[len(rs)-1]
	require.Equal(t, "ValidatingWebhookConfiguration", last.GetKind())
	var kinds []string
	for _, r := range rs {
		kinds = append(kinds, r.GetKind())
		if r.GetKind() != "Namespace" && r.GetKind() != "ValidatingWebhookConfiguration" {
			assert.Equal(t, nsWebhook, r.GetNamespace(), "%s %s", r.GetKind(), r.GetName())
		}
	}
	wantKinds := []string{"Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "PodDisruptionBudget", "ValidatingWebhookConfiguration"}
	if opts.certs != selfSigned {
		wantKinds = append(wantKinds, "Certificate", "Issuer")
	}
	if opts.monitoring {
		wantKinds = append(wantKinds, "ServiceMonitor", "PrometheusRule")
	}
	for _, k := range wantKinds {
		assert.Contains(t, kinds, k)
	}

	// The Deployment: image by digest, hardened, probes, args the real
	// `hubgate webhook serve` takes (TestDeployWebhookServes runs them).
	var d appsv1.Deployment
	require.NoError(t, decodeStrict(find(t, rs, "Deployment", "hubgate"), &d))
	ps := d.Spec.Template.Spec
	require.Len(t, ps.Containers, 1)
	c := ps.Containers[0]
	name, digest, ok := strings.Cut(c.Image, "@sha256:")
	assert.True(t, ok && len(digest) == 64, "image %q is not pinned by digest", c.Image)
	assert.NotEmpty(t, name)
	assert.Equal(t, "system-cluster-critical", ps.PriorityClassName)
	require.NotNil(t, ps.SecurityContext.RunAsNonRoot)
	assert.True(t, *ps.SecurityContext.RunAsNonRoot)
	sc := c.SecurityContext
	require.NotNil(t, sc)
	assert.True(t, *sc.ReadOnlyRootFilesystem)
	assert.True(t, *sc.RunAsNonRoot)
	assert.False(t, *sc.AllowPrivilegeEscalation)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, sc.SeccompProfile.Type)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	assert.EqualValues(t, 65532, *sc.RunAsUser)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, lim := c.Resources.Requests[r], c.Resources.Limits[r]
		assert.False(t, req.IsZero(), "requests.%s", r)
		assert.False(t, lim.IsZero(), "limits.%s", r)
	}
	assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	wantFailure := map[string]string{"audit": "--failure-policy=open", "enforce": "--failure-policy=closed"}[overlay]
	assert.Contains(t, c.Args, wantFailure)
	if opts.registrySource {
		// components/registry-source: referrers instead of the folder, and
		// the optional Docker config Secret where oras-go looks for it.
		assert.Contains(t, c.Args, "--vsa-source=registry")
		assert.False(t, slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, "--vsa-dir") }), "--vsa-dir goes with --vsa-source dir: %q", c.Args)
		assert.Contains(t, c.Env, corev1.EnvVar{Name: "DOCKER_CONFIG", Value: "/etc/hubgate/docker"})
		i := slices.IndexFunc(ps.Volumes, func(v corev1.Volume) bool { return v.Name == "registry-credentials" })
		require.GreaterOrEqual(t, i, 0, "no registry-credentials volume")
		sec := ps.Volumes[i].Secret
		require.NotNil(t, sec)
		assert.Equal(t, "hubgate-registry-credentials", sec.SecretName)
		require.NotNil(t, sec.Optional)
		assert.True(t, *sec.Optional, "anonymous pulls work without the Secret")
		assert.Equal(t, []corev1.KeyToPath{{Key: ".dockerconfigjson", Path: "config.json"}}, sec.Items)
	} else {
		assert.NotContains(t, c.Args, "--vsa-source=registry")
	}
	// Every volume names an object of the build (generated names included).
	for _, vol := range ps.Volumes {
		switch {
		case vol.Secret != nil && vol.Secret.Optional != nil && *vol.Secret.Optional:
			// The user's, created beside the install (registry credentials).
		case vol.Secret != nil && vol.Secret.SecretName == "hubgate-tls" && opts.certs != selfSigned:
			// cert-manager writes it, from the Certificate of the build.
			var cert certmanagerv1.Certificate
			require.NoError(t, decodeStrict(find(t, rs, "Certificate", "hubgate-serving-cert"), &cert))
			assert.Equal(t, "hubgate-tls", cert.Spec.SecretName)
			assert.Contains(t, cert.Spec.DNSNames, "hubgate.hubgate-system.svc")
		case vol.Secret != nil:
			find(t, rs, "Secret", vol.Secret.SecretName)
		case vol.ConfigMap != nil:
			find(t, rs, "ConfigMap", vol.ConfigMap.Name)
		}
	}

	// The registry: the mode comes from the overlay.
	var reg corev1.ConfigMap
	require.NoError(t, decodeStrict(find(t, rs, "ConfigMap", "hubgate-registry"), &reg))
	assert.Contains(t, reg.Data["mode.cue"], fmt.Sprintf("admission: default_mode: %q", overlay))
	assert.Contains(t, reg.Data, "registry.cue")

	// The webhook configuration.
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	require.NoError(t, decodeStrict(find(t, rs, "ValidatingWebhookConfiguration", "hubgate"), &vwc))
	require.Len(t, vwc.Webhooks, 1)
	w := vwc.Webhooks[0]
	wantPolicy := map[string]admissionregistrationv1.FailurePolicyType{"audit": admissionregistrationv1.Ignore, "enforce": admissionregistrationv1.Fail}[overlay]
	assert.Equal(t, wantPolicy, *w.FailurePolicy)
	assert.EqualValues(t, 5, *w.TimeoutSeconds)
	var resources []string
	for _, r := range w.Rules {
		resources = append(resources, r.Resources...)
	}
	assert.ElementsMatch(t, []string{"pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates", "configmaps", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"}, resources)
	require.NotNil(t, w.NamespaceSelector)
	assert.Contains(t, w.NamespaceSelector.MatchExpressions, metav1.LabelSelectorRequirement{
		Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{nsWebhook, nsSystem, "cert-manager"},
	})
	assert.Contains(t, w.NamespaceSelector.MatchExpressions, metav1.LabelSelectorRequirement{
		Key: optOutLabel, Operator: metav1.LabelSelectorOpNotIn, Values: []string{"off"},
	})
	switch opts.certs {
	case selfSigned:
		assert.Equal(t, tree.caPEM, w.ClientConfig.CABundle, "caBundle is the ca.crt of `hubgate webhook certs`")
		assert.NotContains(t, vwc.Annotations, "cert-manager.io/inject-ca-from")
		var tls corev1.Secret
		require.NoError(t, decodeStrict(find(t, rs, "Secret", "hubgate-tls"), &tls))
		assert.Equal(t, "hubgate-tls", tls.Name, "fixed name: the ServiceMonitor and the reloading pods rely on it")
		assert.Equal(t, corev1.SecretTypeTLS, tls.Type)
	default:
		assert.Empty(t, w.ClientConfig.CABundle, "cert-manager injects it")
		assert.Equal(t, "hubgate-system/hubgate-serving-cert", vwc.Annotations["cert-manager.io/inject-ca-from"])
	}
}

// optOutLabel is the documented namespace label that keeps a namespace away
// from the webhook (value "off").
const optOutLabel = "hubgate.dev/admission"

// TestDeployApply server-side applies every object of every variant to the
// real API server, in the order kustomize emits (so a namespace that came
// after its objects would fail), and decodes the objects of CRDs the bare
// API server lacks (cert-manager, Prometheus Operator) strictly into those
// projects' Go types. The variants apply one after another onto the same
// objects, as a user switching from audit to enforce does. Then, with no
// webhook running, it checks what each mode blocks.
func TestDeployApply(t *testing.T) {
	cfg := requireCluster(t)
	cs := newClient(t, cfg, nil)
	dyn, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery()))
	t.Cleanup(func() {
		// Cluster-wide and (in enforce mode, with no webhook behind it)
		// blocking: remove it. The namespaced objects stay: envtest runs no
		// namespace controller, so a deleted namespace would never go away.
		_ = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(bgCtx(apiTimeout), "hubgate", metav1.DeleteOptions{})
		// Give back the labels this test applied to the webhook's namespace
		// (Pod Security "restricted" would refuse TestWebhook's bare pods
		// there): applying the namespace without them removes what this
		// field manager owns.
		bare := []byte(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"` + nsWebhook + `"}}`)
		_, _ = cs.CoreV1().Namespaces().Patch(bgCtx(apiTimeout), nsWebhook, types.ApplyPatchType, bare, metav1.PatchOptions{FieldManager: fieldManager, Force: new(true)})
	})

	// Namespaces to probe what the installed configuration blocks.
	run := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36) // unique per -count run
	nsApp, nsOptOut := "e2e-deploy-app-"+run, "e2e-deploy-optout-"+run
	for _, ns := range []*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: nsApp}},
		{ObjectMeta: metav1.ObjectMeta{Name: nsOptOut, Labels: map[string]string{optOutLabel: "off"}}},
	} {
		_, err := cs.CoreV1().Namespaces().Create(ctxT(t), ns, metav1.CreateOptions{})
		require.NoError(t, err)
	}

	for _, v := range deployVariants {
		t.Run(v.name, func(t *testing.T) {
			tree := copyDeploy(t, v.opts)
			rs := tree.mustBuild(t, "overlays/"+v.overlay)
			var applied, decoded []string
			for _, r := range rs {
				id := r.GetKind() + "/" + r.GetName()
				b, err := r.MarshalJSON()
				require.NoError(t, err)
				switch r.GetGvk().Group {
				case "cert-manager.io", "monitoring.coreos.com":
					require.NoError(t, decodeCRDObject(r.GetKind(), b), "%s: strict decode", id)
					decoded = append(decoded, id)
					continue
				}
				obj := &unstructured.Unstructured{}
				require.NoError(t, obj.UnmarshalJSON(b), id)
				m, err := mapper.RESTMapping(obj.GroupVersionKind().GroupKind(), obj.GroupVersionKind().Version)
				require.NoError(t, err, "%s: the API server does not serve it", id)
				var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
				if m.Scope.Name() == meta.RESTScopeNameNamespace {
					ri = dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
				}
				_, err = ri.Patch(ctxT(t), obj.GetName(), types.ApplyPatchType, b, metav1.PatchOptions{FieldManager: fieldManager, Force: new(true)})
				require.NoError(t, err, "server-side apply %s", id)
				applied = append(applied, id)
			}
			t.Logf("applied %d objects: %s; decoded %d: %s", len(applied), strings.Join(applied, ", "), len(decoded), strings.Join(decoded, ", "))
			if v.opts.certs != selfSigned {
				assert.Contains(t, decoded, "Certificate/hubgate-serving-cert")
			}
			if v.opts.monitoring {
				assert.Contains(t, decoded, "ServiceMonitor/hubgate")
				assert.Contains(t, decoded, "PrometheusRule/hubgate")
			}

			// The webhook's own pod, as the Deployment would create it, is
			// admitted in its namespace: Pod Security "restricted" (the
			// namespace's label), the priority class, the service account.
			var d appsv1.Deployment
			require.NoError(t, decodeStrict(find(t, rs, "Deployment", "hubgate"), &d))
			own := &corev1.Pod{ObjectMeta: *d.Spec.Template.ObjectMeta.DeepCopy(), Spec: *d.Spec.Template.Spec.DeepCopy()}
			own.Name = "hubgate-template"
			created, err := cs.CoreV1().Pods(nsWebhook).Create(ctxT(t), own, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			require.NoError(t, err, "the webhook's own pod is refused in %s", nsWebhook)
			require.NotNil(t, created.Spec.Priority, "priority class resolved")
			assert.Equal(t, int32(2000000000), *created.Spec.Priority, "system-cluster-critical")

			// What the stored configuration does with no webhook answering
			// (the Service has no endpoints): audit blocks nothing, enforce
			// blocks the application namespace only.
			stored, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctxT(t), "hubgate", metav1.GetOptions{})
			require.NoError(t, err)
			var want admissionregistrationv1.ValidatingWebhookConfiguration
			require.NoError(t, decodeStrict(find(t, rs, "ValidatingWebhookConfiguration", "hubgate"), &want))
			require.Equal(t, *want.Webhooks[0].FailurePolicy, *stored.Webhooks[0].FailurePolicy)
			h := &harness{cs: cs}
			probe := restrictedPod("probe", "registry.example/unpinned:1")
			if v.overlay == "enforce" {
				h.requireEventuallyDenied(t, nsApp, probe)
			} else {
				h.requireEventuallyAdmitted(t, nsApp, probe)
			}
			for _, ns := range []string{nsOptOut, nsSystem, nsWebhook} {
				_, err := cs.CoreV1().Pods(ns).Create(ctxT(t), probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
				assert.NoError(t, err, "namespace %s must never be blocked", ns)
			}
		})
	}
}

// fieldManager is the server-side apply field manager of TestDeployApply.
const fieldManager = "hubgate-e2e-deploy"

// restrictedPod is pod with the settings Pod Security "restricted" (the
// label of the webhook's namespace) requires.
func restrictedPod(name, image string) *corev1.Pod {
	p := pod(name, image)
	p.Spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   new(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{
		AllowPrivilegeEscalation: new(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
	return p
}

// requireEventuallyDenied waits until the API server, having loaded the
// configuration, rejects p in ns because it cannot call the webhook (fail
// closed).
func (h *harness) requireEventuallyDenied(t *testing.T, ns string, p *corev1.Pod) {
	t.Helper()
	var last error
	require.Eventually(t, func() bool {
		_, last = h.cs.CoreV1().Pods(ns).Create(ctxT(t), p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return last != nil && strings.Contains(last.Error(), webhookName)
	}, propagation, 250*time.Millisecond, "never denied by %s: last %v", webhookName, last)
}

// requireEventuallyAdmitted waits until the API server, having loaded the
// configuration (failurePolicy Ignore), calls the webhook for p in ns, fails
// to reach it and admits p anyway: its fail-open counter for the webhook
// moves, and every attempt is admitted.
func (h *harness) requireEventuallyAdmitted(t *testing.T, ns string, p *corev1.Pod) {
	t.Helper()
	before := h.failOpenCount(t)
	var last float64
	require.Eventually(t, func() bool {
		_, err := h.cs.CoreV1().Pods(ns).Create(ctxT(t), p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.NoError(t, err, "audit mode blocked a pod")
		last = h.failOpenCount(t)
		return last > before
	}, propagation, 250*time.Millisecond, "the API server never called %s and failed open (count %v)", webhookName, last)
}

// failOpenCount is the API server's apiserver_admission_webhook_fail_open_count
// for the webhook (0 before its first fail-open).
func (h *harness) failOpenCount(t *testing.T) float64 {
	t.Helper()
	b, err := h.cs.RESTClient().Get().AbsPath("/metrics").DoRaw(ctxT(t))
	require.NoError(t, err)
	sum := 0.0
	for line := range strings.Lines(string(b)) {
		if !strings.HasPrefix(line, "apiserver_admission_webhook_fail_open_count{") || !strings.Contains(line, `name="`+webhookName+`"`) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		require.NoError(t, err, line)
		sum += v
	}
	return sum
}

// decodeCRDObject decodes an object of a CRD the bare API server lacks into
// the owning project's Go type, strictly.
func decodeCRDObject(kind string, b []byte) error {
	var v any
	switch kind {
	case "Certificate":
		v = &certmanagerv1.Certificate{}
	case "Issuer":
		v = &certmanagerv1.Issuer{}
	case "ServiceMonitor":
		v = &monitoringv1.ServiceMonitor{}
	case "PrometheusRule":
		v = &monitoringv1.PrometheusRule{}
	default:
		return fmt.Errorf("no Go type for kind %s", kind)
	}
	if err := decodeStrict(b, v); err != nil {
		return err
	}
	if pr, ok := v.(*monitoringv1.PrometheusRule); ok {
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				if r.Expr.String() == "" || (r.Alert == "" && r.Record == "") {
					return fmt.Errorf("group %s: rule %q: empty", g.Name, r.Alert)
				}
			}
		}
	}
	return nil
}

// TestDeployWebhookServes runs `hubgate webhook serve` with the arguments,
// files and mounts of the built Deployment (paths moved under a temporary
// folder, the port to loopback): the arguments are real, the audit overlay
// starts the webhook in audit mode and the enforce overlay in enforce mode,
// and the metric names the PrometheusRule and the dashboard use are the ones
// it serves. An empty vsa.pub builds, but the webhook refuses to start.
func TestDeployWebhookServes(t *testing.T) {
	for _, overlay := range []string{"audit", "enforce"} {
		t.Run(overlay, func(t *testing.T) {
			tree := copyDeploy(t, deployOptions{certs: selfSigned, monitoring: true})
			rs := tree.mustBuild(t, "overlays/"+overlay)
			w := serveBuilt(t, rs, tree.caPEM)
			w.start(t)

			// Every kind the webhook configuration's core rule sends: a
			// pod, and the pod templates of a ReplicationController and a
			// PodTemplate.
			unpinned := pod("app", "registry.example/unpinned:1")
			for _, obj := range []struct {
				kind, resource string
				v              any
			}{
				{"Pod", "pods", unpinned},
				{"ReplicationController", "replicationcontrollers", &corev1.ReplicationController{
					TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ReplicationController"},
					ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "team-a"},
					Spec: corev1.ReplicationControllerSpec{Template: &corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "app"}}, Spec: unpinned.Spec,
					}},
				}},
				{"PodTemplate", "podtemplates", &corev1.PodTemplate{
					TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PodTemplate"},
					ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "team-a"},
					Template:   corev1.PodTemplateSpec{Spec: unpinned.Spec},
				}},
			} {
				resp := postReview(t, w, "team-a", obj.kind, obj.resource, obj.v)
				if overlay == "audit" {
					assert.True(t, resp.Allowed, "%s: audit mode admits", obj.kind)
					assert.NotEmpty(t, resp.Warnings, "%s: audit mode warns", obj.kind)
				} else {
					assert.False(t, resp.Allowed, "%s: enforce mode denies an unpinned image", obj.kind)
					require.NotNil(t, resp.Result, obj.kind)
					assert.Contains(t, resp.Result.Message, "admission.digest_pinned", obj.kind)
				}
			}

			metrics := getMetrics(t, w)
			for _, name := range builtMetricNames(t, rs) {
				assert.Contains(t, metrics, name, "the alerts and the dashboard use %s", name)
			}
		})
	}
	t.Run("registry_source", func(t *testing.T) {
		// The built args with --vsa-source registry start the real
		// webhook, which still denies an unpinned image before any lookup.
		tree := copyDeploy(t, deployOptions{certs: selfSigned, registrySource: true})
		rs := tree.mustBuild(t, "overlays/enforce")
		w := serveBuilt(t, rs, tree.caPEM)
		require.Contains(t, w.args, "--vsa-source=registry")
		w.start(t)
		resp := postReview(t, w, "team-a", "Pod", "pods", pod("app", "registry.example/unpinned:1"))
		assert.False(t, resp.Allowed)
		require.NotNil(t, resp.Result)
		assert.Contains(t, resp.Result.Message, "admission.digest_pinned")
	})
	t.Run("empty_vsa_pub", func(t *testing.T) {
		tree := copyDeploy(t, deployOptions{certs: selfSigned})
		writeFile(t, filepath.Join(tree.dir, "base", "vsa.pub"), "")
		w := serveBuilt(t, tree.mustBuild(t, "overlays/audit"), tree.caPEM)
		_, stderr, err := runHubgateCode(t, w.args...)
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode())
		assert.Contains(t, stderr, "--vsa-key")
		assert.Contains(t, stderr, "vsa.pub")
	})
}

// serveBuilt writes the files the built Deployment mounts into a temporary
// folder and returns the webhook process its container would run.
func serveBuilt(t *testing.T, rs []*resource.Resource, caPEM []byte) *webhookServer {
	t.Helper()
	var d appsv1.Deployment
	require.NoError(t, decodeStrict(find(t, rs, "Deployment", "hubgate"), &d))
	ps := d.Spec.Template.Spec
	c := ps.Containers[0]
	root := t.TempDir()
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(ps.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		require.GreaterOrEqual(t, i, 0, "volume %s", m.Name)
		files := map[string][]byte{}
		switch v := ps.Volumes[i]; {
		case v.Secret != nil && v.Secret.Optional != nil && *v.Secret.Optional:
			// The user's own (registry credentials), absent here: the
			// container sees an empty folder.
		case v.Secret != nil:
			var s corev1.Secret
			require.NoError(t, decodeStrict(find(t, rs, "Secret", v.Secret.SecretName), &s))
			files = s.Data
		case v.ConfigMap != nil:
			var cm corev1.ConfigMap
			require.NoError(t, decodeStrict(find(t, rs, "ConfigMap", v.ConfigMap.Name), &cm))
			for k, v := range cm.Data {
				files[k] = []byte(v)
			}
		default:
			t.Fatalf("volume %s: neither Secret nor ConfigMap", m.Name)
		}
		dir := filepath.Join(root, m.MountPath)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for k, b := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, k), b, 0o600))
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	var args []string
	for _, a := range c.Args {
		if a == "--addr=:8443" {
			a = "--addr=" + addr
		}
		args = append(args, strings.ReplaceAll(a, "=/etc/hubgate/", "="+root+"/etc/hubgate/"))
	}
	require.Equal(t, []string{"webhook", "serve"}, args[:2])
	return &webhookServer{args: args, addr: addr, caPEM: caPEM, logDir: root}
}

// postReview sends one AdmissionReview (CREATE of obj, a core/v1 kind, in
// ns) to /validate.
func postReview(t *testing.T, w *webhookServer, ns, kind, res string, obj any) *admissionv1.AdmissionResponse {
	t.Helper()
	if p, ok := obj.(*corev1.Pod); ok {
		p = p.DeepCopy()
		p.Namespace = ns
		obj = p
	}
	raw, err := json.Marshal(obj)
	require.NoError(t, err)
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       "e2e-deploy",
			Kind:      metav1.GroupVersionKind{Version: "v1", Kind: kind},
			Resource:  metav1.GroupVersionResource{Version: "v1", Resource: res},
			Name:      "app",
			Namespace: ns,
			Operation: admissionv1.Create,
			Object:    runtime.RawExtension{Raw: raw},
		},
	}
	body, err := json.Marshal(review)
	require.NoError(t, err)
	resp, err := w.httpClient(t).Post("https://"+w.addr+"/validate", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	var out admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(b, &out), "%s", b)
	require.NotNil(t, out.Response, "%s", b)
	return out.Response
}

// getMetrics returns GET /metrics.
func getMetrics(t *testing.T, w *webhookServer) string {
	t.Helper()
	resp, err := w.httpClient(t).Get("https://" + w.addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(b)
}

// builtMetricNames are the hubgate_* metric names the PrometheusRule and
// the Grafana dashboard of the build query (histogram series suffixes
// removed), at least one from each.
func builtMetricNames(t *testing.T, rs []*resource.Resource) []string {
	t.Helper()
	var rule monitoringv1.PrometheusRule
	require.NoError(t, decodeStrict(find(t, rs, "PrometheusRule", "hubgate"), &rule))
	var cm corev1.ConfigMap
	require.NoError(t, decodeStrict(find(t, rs, "ConfigMap", "hubgate-grafana-dashboard"), &cm))
	assert.Equal(t, "1", cm.Labels["grafana_dashboard"])
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal([]byte(cm.Data["hubgate.json"]), &dash), "dashboard JSON")
	var ruleExprs, dashExprs []string
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			ruleExprs = append(ruleExprs, r.Expr.String())
		}
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			dashExprs = append(dashExprs, tg.Expr)
		}
	}
	var names []string
	for _, exprs := range [][]string{ruleExprs, dashExprs} {
		n := 0
		for _, e := range exprs {
			for _, m := range metricName.FindAllString(e, -1) {
				m = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_sum"), "_count")
				n++
				if !slices.Contains(names, m) {
					names = append(names, m)
				}
			}
		}
		require.NotZero(t, n, "no hubgate_* metric queried")
	}
	return names
}

var metricName = regexp.MustCompile(`hubgate_[a-z_]+`)
