package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/cicd-hub/hubgate/engine/vsa"
)

// Every path by which the images a pod runs can change, through the real
// API server: the API server decides which requests reach the webhook.

// testEphemeralContainers: kubectl debug adds containers only through the
// pods/ephemeralcontainers subresource, which a rule for pods does not
// match. An unpinned ephemeral container is denied; a pinned, summarised
// one is admitted.
func (h *harness) testEphemeralContainers(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	pods := cs.CoreV1().Pods(h.nsEnforce)
	h.installVSA(t)
	p, err := pods.Create(ctxT(t), securePod("debug-target"), metav1.CreateOptions{})
	require.NoError(t, err, "the secure pod must be admitted")
	t.Cleanup(func() { _ = pods.Delete(bgCtx(apiTimeout), p.Name, metav1.DeleteOptions{}) })

	debug := func(name, image string) (*corev1.Pod, error) {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		cur.Spec.EphemeralContainers = append(cur.Spec.EphemeralContainers, corev1.EphemeralContainer{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile},
		})
		return pods.UpdateEphemeralContainers(ctxT(t), p.Name, cur, metav1.UpdateOptions{})
	}
	ephemeral := func() []string {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		var out []string
		for _, c := range cur.Spec.EphemeralContainers {
			out = append(out, c.Name+"="+c.Image)
		}
		return out
	}

	t.Run("unpinned_denied", func(t *testing.T) {
		_, err := debug("debugger", "busybox:1.36")
		requireDenied(t, err, "", ruleDigestPinned)
		assert.Contains(t, err.Error(), "ephemeralContainer debugger: image busybox:1.36 is not pinned by digest")
		assert.Contains(t, err.Error(), "(ephemeralcontainers)", "the denial names the subresource")
		assert.Empty(t, ephemeral(), "the ephemeral container was added")
	})
	t.Run("pinned_unsummarised_denied", func(t *testing.T) {
		_, err := debug("debugger", "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/tools@sha256:"+strings.Repeat("ee", 32))
		requireDenied(t, err, "", ruleVSA)
		assert.Contains(t, err.Error(), "ephemeralContainer debugger")
		assert.Empty(t, ephemeral())
	})
	t.Run("pinned_summarised_admitted", func(t *testing.T) {
		_, err := debug("debugger", secureImage)
		require.NoError(t, err)
		assert.Equal(t, []string{"debugger=" + secureImage}, ephemeral())
	})
}

// testUpdateImage: an UPDATE that points a container at an unpinned image
// is denied, for a bare Pod and for a workload's pod template.
func (h *harness) testUpdateImage(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	h.installVSA(t)
	t.Run("pod", func(t *testing.T) {
		pods := cs.CoreV1().Pods(h.nsEnforce)
		p, err := pods.Create(ctxT(t), securePod("update-target"), metav1.CreateOptions{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = pods.Delete(bgCtx(apiTimeout), p.Name, metav1.DeleteOptions{}) })
		p.Spec.Containers[0].Image = "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api:latest"
		_, err = pods.Update(ctxT(t), p, metav1.UpdateOptions{})
		requireDenied(t, err, "api", ruleDigestPinned)
		got, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, secureImage, got.Spec.Containers[0].Image)

		// The control: an update that keeps the image pinned is admitted.
		got.Labels = map[string]string{"touched": "yes"}
		_, err = pods.Update(ctxT(t), got, metav1.UpdateOptions{})
		require.NoError(t, err)
	})
	t.Run("deployment", func(t *testing.T) {
		deploys := cs.AppsV1().Deployments(h.nsEnforce)
		d := loadDeployment(t, "deployment_secure.yaml")
		d.Name = "update-target"
		created, err := deploys.Create(ctxT(t), d, metav1.CreateOptions{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = deploys.Delete(bgCtx(apiTimeout), d.Name, metav1.DeleteOptions{}) })
		created.Spec.Template.Spec.Containers[0].Image = "registry.example/api:2"
		_, err = deploys.Update(ctxT(t), created, metav1.UpdateOptions{})
		requireDenied(t, err, "api", ruleDigestPinned)
	})
}

// testWorkloadKinds: the pod template of every workload kind the shipped
// configuration lists is judged: an unpinned image is denied, the secure
// pod admitted.
func (h *harness) testWorkloadKinds(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	h.installVSA(t)
	ns := h.nsEnforce
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	template := func(image string, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
		p := securePod("")
		p.Spec.Containers[0].Image = image
		p.Spec.RestartPolicy = restart
		return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "w"}, Annotations: p.Annotations}, Spec: p.Spec}
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "w"}}
	kinds := []struct {
		name   string
		create func(image string) error
	}{
		{"Deployment", func(image string) error {
			_, err := cs.AppsV1().Deployments(ns).Create(ctxT(t), &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: appsv1.DeploymentSpec{Selector: sel, Template: template(image, corev1.RestartPolicyAlways)}}, dry)
			return err
		}},
		{"StatefulSet", func(image string) error {
			_, err := cs.AppsV1().StatefulSets(ns).Create(ctxT(t), &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: appsv1.StatefulSetSpec{Selector: sel, ServiceName: "w", Template: template(image, corev1.RestartPolicyAlways)}}, dry)
			return err
		}},
		{"DaemonSet", func(image string) error {
			_, err := cs.AppsV1().DaemonSets(ns).Create(ctxT(t), &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: appsv1.DaemonSetSpec{Selector: sel, Template: template(image, corev1.RestartPolicyAlways)}}, dry)
			return err
		}},
		{"ReplicaSet", func(image string) error {
			_, err := cs.AppsV1().ReplicaSets(ns).Create(ctxT(t), &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: appsv1.ReplicaSetSpec{Selector: sel, Template: template(image, corev1.RestartPolicyAlways)}}, dry)
			return err
		}},
		{"Job", func(image string) error {
			_, err := cs.BatchV1().Jobs(ns).Create(ctxT(t), &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: batchv1.JobSpec{Template: template(image, corev1.RestartPolicyNever)}}, dry)
			return err
		}},
		{"ReplicationController", func(image string) error {
			tpl := template(image, corev1.RestartPolicyAlways)
			_, err := cs.CoreV1().ReplicationControllers(ns).Create(ctxT(t), &corev1.ReplicationController{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: corev1.ReplicationControllerSpec{Selector: map[string]string{"app": "w"}, Template: &tpl}}, dry)
			return err
		}},
		{"PodTemplate", func(image string) error {
			_, err := cs.CoreV1().PodTemplates(ns).Create(ctxT(t), &corev1.PodTemplate{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Template: template(image, corev1.RestartPolicyAlways)}, dry)
			return err
		}},
		{"CronJob", func(image string) error {
			_, err := cs.BatchV1().CronJobs(ns).Create(ctxT(t), &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "w"},
				Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template(image, corev1.RestartPolicyOnFailure)}}}}, dry)
			return err
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			requireDenied(t, k.create("ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api:latest"), "api", ruleDigestPinned)
			require.NoError(t, k.create(secureImage), "%s with the secure pod template", k.name)
		})
	}
}

// testPatchPaths: the other requests by which a pod's images change are
// PATCHes, which reach the webhook as UPDATEs of the patched object:
// `kubectl set image` (a strategic merge patch), a JSON patch, a
// server-side apply, and `kubectl debug` (a strategic merge patch of
// pods/ephemeralcontainers). Each is denied for an unpinned image. The
// scale subresource changes no image and the shipped rules do not send it.
func (h *harness) testPatchPaths(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	h.installVSA(t)
	const unpinned = "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api:latest"
	deploys := cs.AppsV1().Deployments(h.nsEnforce)
	d := loadDeployment(t, "deployment_secure.yaml")
	d.Name = "patch-target"
	_, err := deploys.Create(ctxT(t), d, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = deploys.Delete(bgCtx(apiTimeout), d.Name, metav1.DeleteOptions{}) })
	pods := cs.CoreV1().Pods(h.nsEnforce)
	p, err := pods.Create(ctxT(t), securePod("patch-target"), metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pods.Delete(bgCtx(apiTimeout), p.Name, metav1.DeleteOptions{}) })
	deployImage := func() string {
		got, err := deploys.Get(ctxT(t), d.Name, metav1.GetOptions{})
		require.NoError(t, err)
		return got.Spec.Template.Spec.Containers[0].Image
	}
	want := d.Spec.Template.Spec.Containers[0].Image

	t.Run("set_image_strategic_merge_denied", func(t *testing.T) {
		patch := `{"spec":{"template":{"spec":{"containers":[{"name":"api","image":"` + unpinned + `"}]}}}}`
		_, err := deploys.Patch(ctxT(t), d.Name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
		requireDenied(t, err, "api", ruleDigestPinned)
		assert.Equal(t, want, deployImage())
	})
	t.Run("label_strategic_merge_admitted", func(t *testing.T) {
		// The control: a patch that keeps the images is admitted.
		_, err := deploys.Patch(ctxT(t), d.Name, types.StrategicMergePatchType, []byte(`{"metadata":{"labels":{"patched":"yes"}}}`), metav1.PatchOptions{})
		require.NoError(t, err)
	})
	t.Run("json_patch_pod_denied", func(t *testing.T) {
		patch := `[{"op":"replace","path":"/spec/containers/0/image","value":"` + unpinned + `"}]`
		_, err := pods.Patch(ctxT(t), p.Name, types.JSONPatchType, []byte(patch), metav1.PatchOptions{})
		requireDenied(t, err, "api", ruleDigestPinned)
	})
	t.Run("server_side_apply_denied", func(t *testing.T) {
		apply := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"` + d.Name + `"},"spec":{"template":{"spec":{"containers":[{"name":"api","image":"` + unpinned + `"}]}}}}`
		force := true
		_, err := deploys.Patch(ctxT(t), d.Name, types.ApplyPatchType, []byte(apply), metav1.PatchOptions{FieldManager: "e2e-apply", Force: &force})
		requireDenied(t, err, "api", ruleDigestPinned)
		assert.Equal(t, want, deployImage())
	})
	t.Run("debug_strategic_merge_ephemeral_denied", func(t *testing.T) {
		patch := `{"spec":{"ephemeralContainers":[{"name":"dbg","image":"busybox:1.36","imagePullPolicy":"IfNotPresent","terminationMessagePolicy":"File"}]}}`
		_, err := pods.Patch(ctxT(t), p.Name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "ephemeralcontainers")
		requireDenied(t, err, "", ruleDigestPinned)
		assert.Contains(t, err.Error(), "ephemeralContainer dbg: image busybox:1.36 is not pinned by digest")
		got, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Empty(t, got.Spec.EphemeralContainers)
	})
	t.Run("scale_not_sent", func(t *testing.T) {
		// Without its summary any judged update of the Deployment is
		// denied; scaling is not judged, so it still succeeds.
		h.removeVSA(t)
		t.Cleanup(func() { h.installVSA(t) })
		before := h.requestCounters(t)
		_, err := deploys.Patch(ctxT(t), d.Name, types.MergePatchType, []byte(`{"spec":{"replicas":3}}`), metav1.PatchOptions{}, "scale")
		require.NoError(t, err)
		got, err := deploys.GetScale(ctxT(t), d.Name, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, int32(3), got.Spec.Replicas)
		assert.Equal(t, before, h.requestCounters(t), "the scale subresource reached the webhook")

		// The control: the same change through the Deployment itself is
		// an UPDATE the webhook judges.
		_, err = deploys.Patch(ctxT(t), d.Name, types.MergePatchType, []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{})
		requireDenied(t, err, "api", ruleVSA)
	})
}

// testUnchangedOnUpdate: an UPDATE does not judge the summary age of an
// image its container already ran. On a pod whose summary has expired since
// it was admitted, a label change and an ephemeral container with a fresh
// summary are admitted; the new container is judged in full, and the same
// pod is denied when created anew.
func (h *harness) testUnchangedOnUpdate(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	pods := cs.CoreV1().Pods(h.nsEnforce)
	h.installVSA(t)
	p, err := pods.Create(ctxT(t), securePod("long-running"), metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pods.Delete(bgCtx(apiTimeout), p.Name, metav1.DeleteOptions{}) })

	trusted, err := vsa.LoadPrivateKey(readFile(t, h.signKey))
	require.NoError(t, err)
	// The pod's summary is now older than the registry's max_age (24h).
	h.putVSA(t, signVSA(t, trusted, secureDigest, h.vsa, time.Now().Add(-48*time.Hour), true))
	t.Cleanup(func() { h.installVSA(t) })
	// A debug image with a fresh summary of its own.
	debugDigest := "sha256:" + strings.Repeat("de", 32)
	debugImage := "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/debug@" + debugDigest
	debugVSA := filepath.Join(h.vsaDir, strings.TrimPrefix(debugDigest, "sha256:")+".vsa.json")
	writeFile(t, debugVSA, string(signVSA(t, trusted, debugDigest, h.vsa, time.Now(), true)))
	t.Cleanup(func() { _ = os.Remove(debugVSA) })

	debug := func(name, image string) error {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		cur.Spec.EphemeralContainers = append(cur.Spec.EphemeralContainers, corev1.EphemeralContainer{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile},
		})
		_, err = pods.UpdateEphemeralContainers(ctxT(t), p.Name, cur, metav1.UpdateOptions{})
		return err
	}

	t.Run("create_with_expired_summary_denied", func(t *testing.T) {
		_, err := pods.Create(ctxT(t), securePod("long-running-2"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		requireDenied(t, err, "api", ruleVSA)
		assert.Contains(t, err.Error(), "summary is not fresh")
	})
	t.Run("label_update_admitted", func(t *testing.T) {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		cur.Labels = map[string]string{"touched": "yes"}
		_, err = pods.Update(ctxT(t), cur, metav1.UpdateOptions{})
		require.NoError(t, err)
	})
	t.Run("new_ephemeral_with_expired_image_denied", func(t *testing.T) {
		err := debug("stale", secureImage)
		requireDenied(t, err, "", ruleVSA)
		assert.Contains(t, err.Error(), "ephemeralContainer stale: image "+secureDigest+": summary is not fresh")
		assert.NotContains(t, err.Error(), "container api:", "the unchanged container was judged for age")
	})
	t.Run("new_ephemeral_judged_alone_admitted", func(t *testing.T) {
		require.NoError(t, debug("debugger", debugImage))
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		require.Len(t, cur.Spec.EphemeralContainers, 1)
		assert.Equal(t, debugImage, cur.Spec.EphemeralContainers[0].Image)
	})
}

// testVSABinding: the good summary of secureDigest admits the image only
// under the admission.images prefix that maps it to the summary's repo.
func (h *harness) testVSABinding(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	h.installVSA(t)
	pods := cs.CoreV1().Pods(h.nsEnforce)
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	for _, tc := range []struct {
		name, image, inMsg string
	}{
		{name: "mapped_admitted", image: secureImage},
		{name: "unmapped_denied", image: "quay.io/jguida941/api@" + secureDigest, inMsg: "image quay.io/jguida941/api matches no admission.images prefix"},
		// eval's summary of a checksums-only entry is SLSA_BUILD_LEVEL_0.
		{name: "lax_summary_for_strict_mapping_denied", image: "ghcr.io/jguida941/strict/api@" + secureDigest, inMsg: "required level not verified: SLSA_BUILD_LEVEL_1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := securePod("bound")
			p.Spec.Containers[0].Image = tc.image
			_, err := pods.Create(ctxT(t), p, dry)
			if tc.inMsg == "" {
				require.NoError(t, err)
				return
			}
			requireDenied(t, err, "api", ruleVSA)
			assert.Contains(t, err.Error(), tc.inMsg)
		})
	}
	t.Run("unmapped_audit_warns", func(t *testing.T) {
		rec := &warningRecorder{}
		acs := newClient(t, h.cfg, rec)
		p := securePod("bound")
		p.Spec.Containers[0].Image = "quay.io/jguida941/api@" + secureDigest
		_, err := acs.CoreV1().Pods(h.nsAudit).Create(ctxT(t), p, dry)
		require.NoError(t, err, "audit mode admits")
		assert.True(t, slices.ContainsFunc(rec.get(), func(w string) bool {
			return strings.Contains(w, "["+ruleVSA+"]") && strings.Contains(w, "matches no admission")
		}), "no warning says the image matches no mapping: %q", rec.get())
	})
}

// testTerminating: a pod that is being deleted (held by a finalizer) may
// still have its metadata updated and its finalizer removed without checks,
// even once its summary is gone; an update that changes its image is judged.
func (h *harness) testTerminating(t *testing.T) {
	cs := newClient(t, h.cfg, nil)
	pods := cs.CoreV1().Pods(h.nsEnforce)
	h.installVSA(t)
	p := securePod("terminating")
	p.Finalizers = []string{"e2e.hubgate.dev/hold"}
	_, err := pods.Create(ctxT(t), p, metav1.CreateOptions{})
	require.NoError(t, err)
	release := func() error {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Finalizers = nil
		_, err = pods.Update(ctxT(t), cur, metav1.UpdateOptions{})
		return err
	}
	t.Cleanup(func() {
		h.installVSA(t)
		_ = release()
	})
	require.NoError(t, pods.Delete(ctxT(t), p.Name, metav1.DeleteOptions{}))
	cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
	require.NoError(t, err)
	require.NotNil(t, cur.DeletionTimestamp, "the finalizer holds the pod")

	// Without its summary, any judged update of this pod would be denied.
	h.removeVSA(t)
	t.Run("unpinned_image_update_judged", func(t *testing.T) {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		cur.Spec.Containers[0].Image = "registry.example/api:2"
		_, err = pods.Update(ctxT(t), cur, metav1.UpdateOptions{})
		requireDenied(t, err, "api", ruleDigestPinned)
	})
	t.Run("metadata_update_not_judged", func(t *testing.T) {
		cur, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		cur.Labels = map[string]string{"draining": "yes"}
		_, err = pods.Update(ctxT(t), cur, metav1.UpdateOptions{})
		require.NoError(t, err)
	})
	t.Run("finalizer_removed", func(t *testing.T) {
		require.NoError(t, release())
		requireAbsent(t, func() error { _, err := pods.Get(ctxT(t), p.Name, metav1.GetOptions{}); return err })
	})
}

// TestWebhookServeStartup: `webhook serve` refuses a registry with no
// admission.images mapping in enforce mode (exit 2, saying why), and only
// warns when every namespace is in audit mode. No cluster needed.
func TestWebhookServeStartup(t *testing.T) {
	dir := t.TempDir()
	certDir := filepath.Join(dir, "certs")
	runHubgate(t, "webhook", "certs", "--dir", certDir, "--hosts", "127.0.0.1")
	runHubgate(t, "keygen", "--out", filepath.Join(dir, "vsa"))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "store"), 0o755))
	args := func(registry string, port int) []string {
		return []string{"webhook", "serve", "--registry", registry,
			"--tls-cert", filepath.Join(certDir, "tls.crt"), "--tls-key", filepath.Join(certDir, "tls.key"),
			"--addr", "127.0.0.1:" + strconv.Itoa(port), "--vsa-dir", filepath.Join(dir, "store"), "--vsa-key", filepath.Join(dir, "vsa.pub")}
	}

	t.Run("enforce_refused", func(t *testing.T) {
		reg := filepath.Join(dir, "enforce.cue")
		writeFile(t, reg, `repos: "acme/app": {}`+"\n")
		_, stderr, err := runHubgateCode(t, args(reg, freePort(t))...)
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "webhook serve started with an empty mapping in enforce mode: %v\n%s", err, stderr)
		assert.Equal(t, 2, exit.ExitCode(), stderr)
		assert.Contains(t, stderr, "admission.images is empty")
	})
	t.Run("mapped_starts", func(t *testing.T) {
		reg := filepath.Join(dir, "mapped.cue")
		writeFile(t, reg, `repos: "acme/app": {}`+"\n"+`admission: images: "ghcr.io/acme": repos: ["acme/app"]`+"\n")
		port := freePort(t)
		w := &webhookServer{args: args(reg, port), addr: "127.0.0.1:" + strconv.Itoa(port), caPEM: readFile(t, filepath.Join(certDir, "ca.crt")), logDir: t.TempDir()}
		w.start(t)
		w.stop(t)
	})
	t.Run("audit_warns", func(t *testing.T) {
		reg := filepath.Join(dir, "audit.cue")
		writeFile(t, reg, `repos: "acme/app": {}`+"\n"+`admission: default_mode: "audit"`+"\n")
		port := freePort(t)
		logDir := t.TempDir()
		w := &webhookServer{args: args(reg, port), addr: "127.0.0.1:" + strconv.Itoa(port), caPEM: readFile(t, filepath.Join(certDir, "ca.crt")), logDir: logDir}
		w.start(t)
		w.stop(t)
		deadline := time.Now().Add(5 * time.Second)
		var log []byte
		for time.Now().Before(deadline) {
			log = readFile(t, filepath.Join(logDir, "webhook-1.log"))
			if strings.Contains(string(log), "admission.images is empty") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		assert.Contains(t, string(log), `"level":"WARN"`)
		assert.Contains(t, string(log), "admission.images is empty")
	})
}
