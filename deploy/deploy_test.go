// Package deploy_test checks the manifest files in deploy/ against the
// contract the e2e tests and the README rely on, without kustomize: the files
// are decoded into k8s.io/api types with unknown fields rejected, so a
// misspelt field fails here, in the main module's go test. The e2e module
// (TestDeploy*) builds the kustomizations with the kustomize library, applies
// every object to a real API server and runs the built webhook.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// docs returns the YAML documents of a file, as JSON.
func docs(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out [][]byte
	for {
		var v map[string]any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err, name)
		if v == nil {
			continue
		}
		j, err := json.Marshal(v)
		require.NoError(t, err)
		out = append(out, j)
	}
}

func strict(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), string(b))
}

func one[T any](t *testing.T, name string) T {
	t.Helper()
	d := docs(t, name)
	require.Len(t, d, 1, name)
	var v T
	strict(t, d[0], &v)
	return v
}

// kustomization is the part of a kustomization.yaml these tests read.
type kustomization struct {
	APIVersion   string           `json:"apiVersion"`
	Kind         string           `json:"kind"`
	Namespace    string           `json:"namespace"`
	Resources    []string         `json:"resources"`
	Components   []string         `json:"components"`
	Labels       []any            `json:"labels"`
	SortOptions  map[string]any   `json:"sortOptions"`
	Patches      []map[string]any `json:"patches"`
	Replacements []any            `json:"replacements"`
	Images       []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
		Digest  string `json:"digest"`
	} `json:"images"`
	ConfigMapGenerator []generator `json:"configMapGenerator"`
	SecretGenerator    []generator `json:"secretGenerator"`
}

type generator struct {
	Name      string         `json:"name"`
	Namespace string         `json:"namespace"`
	Type      string         `json:"type"`
	Behavior  string         `json:"behavior"`
	Files     []string       `json:"files"`
	Literals  []string       `json:"literals"`
	Options   map[string]any `json:"options"`
}

func readKustomization(t *testing.T, dir string) kustomization {
	t.Helper()
	var k kustomization
	d := docs(t, dir+"/kustomization.yaml")
	require.Len(t, d, 1)
	strict(t, d[0], &k)
	for _, r := range append(slices.Clone(k.Resources), k.Components...) {
		_, err := os.Stat(dir + "/" + r)
		assert.NoError(t, err, "%s: %s", dir, r)
	}
	return k
}

func TestKustomization(t *testing.T) {
	k := readKustomization(t, "base")
	assert.Equal(t, "Kustomization", k.Kind)
	assert.Equal(t, "hubgate-system", k.Namespace)
	assert.Equal(t, "namespace.yaml", k.Resources[0])
	for _, want := range []string{"deployment.yaml", "poddisruptionbudget.yaml", "service.yaml", "validatingwebhookconfiguration.yaml", "serviceaccount.yaml"} {
		assert.Contains(t, k.Resources, want)
	}
	assert.Equal(t, []string{"../components/cert-manager"}, k.Components, "README: the certificate line")
	// The image by digest, never a tag.
	require.Len(t, k.Images, 1)
	assert.Equal(t, "ghcr.io/cicd-hub/hubgate", k.Images[0].Name)
	assert.Empty(t, k.Images[0].NewTag)
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, k.Images[0].Digest)
	// vsa.pub comes from the user's file, which the repository does not ship.
	require.Len(t, k.SecretGenerator, 1)
	assert.Equal(t, generator{Name: "hubgate-vsa-key", Files: []string{"vsa.pub"}}, k.SecretGenerator[0])
	_, err := os.Stat("base/vsa.pub")
	assert.ErrorIs(t, err, os.ErrNotExist, "deploy/base/vsa.pub is the user's: never ship one")
	require.Len(t, k.ConfigMapGenerator, 1)
	assert.Equal(t, generator{Name: "hubgate-registry", Files: []string{"registry.cue", "mode.cue"}}, k.ConfigMapGenerator[0])
	mode, err := os.ReadFile("base/mode.cue")
	require.NoError(t, err)
	assert.Contains(t, string(mode), `admission: default_mode: "enforce"`)
	reg, err := os.ReadFile("base/registry.cue")
	require.NoError(t, err)
	assert.NotContains(t, string(reg), "default_mode:", "the overlays set it in mode.cue; set here it would conflict")
}

func TestOverlays(t *testing.T) {
	for _, name := range []string{"audit", "enforce"} {
		k := readKustomization(t, "overlays/"+name)
		assert.Equal(t, []string{"../../base"}, k.Resources, name)
		assert.Equal(t, map[string]any{"order": "legacy"}, k.SortOptions, "%s: namespace first, webhook configuration last", name)
	}
	k := readKustomization(t, "overlays/audit")
	require.Len(t, k.ConfigMapGenerator, 1)
	assert.Equal(t, generator{Name: "hubgate-registry", Namespace: "hubgate-system", Behavior: "merge", Files: []string{"mode.cue"}}, k.ConfigMapGenerator[0])
	mode, err := os.ReadFile("overlays/audit/mode.cue")
	require.NoError(t, err)
	assert.Contains(t, string(mode), `admission: default_mode: "audit"`)
	require.Len(t, k.Patches, 2)
	assert.Contains(t, k.Patches[0]["patch"], "value: Ignore")
	assert.Contains(t, k.Patches[1]["patch"], "value: --failure-policy=open")
}

func TestComponents(t *testing.T) {
	for _, name := range []string{"cert-manager", "self-signed", "monitoring"} {
		k := readKustomization(t, "components/"+name)
		assert.Equal(t, "Component", k.Kind, name)
	}
	k := readKustomization(t, "components/self-signed")
	require.Len(t, k.SecretGenerator, 1)
	g := k.SecretGenerator[0]
	assert.Equal(t, "hubgate-tls", g.Name)
	assert.Equal(t, "kubernetes.io/tls", g.Type)
	assert.ElementsMatch(t, []string{"tls.crt=certs/tls.crt", "tls.key=certs/tls.key", "ca.crt=certs/ca.crt"}, g.Files)
	assert.Equal(t, true, g.Options["disableNameSuffixHash"])
	require.Len(t, k.Replacements, 1)
	var dash map[string]any
	b, err := os.ReadFile("components/monitoring/dashboard.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &dash))
	assert.Equal(t, "hubgate-webhook", dash["uid"])
}

func TestDeployment(t *testing.T) {
	d := one[appsv1.Deployment](t, "base/deployment.yaml")
	assert.Equal(t, "hubgate", d.Name)
	assert.Equal(t, "hubgate-system", d.Namespace)
	require.NotNil(t, d.Spec.Replicas)
	assert.EqualValues(t, 2, *d.Spec.Replicas)
	ps := d.Spec.Template.Spec
	require.NotNil(t, ps.Affinity)
	require.NotNil(t, ps.Affinity.PodAntiAffinity)
	terms := ps.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	require.NotEmpty(t, terms)
	assert.Equal(t, "kubernetes.io/hostname", terms[0].PodAffinityTerm.TopologyKey)
	assert.Equal(t, d.Spec.Selector.MatchLabels, terms[0].PodAffinityTerm.LabelSelector.MatchLabels)
	require.NotNil(t, ps.SecurityContext.RunAsNonRoot)
	assert.True(t, *ps.SecurityContext.RunAsNonRoot)
	require.Len(t, ps.Containers, 1)
	c := ps.Containers[0]
	require.NotNil(t, c.SecurityContext)
	assert.True(t, *c.SecurityContext.ReadOnlyRootFilesystem)
	assert.False(t, *c.SecurityContext.AllowPrivilegeEscalation)
	assert.True(t, *c.SecurityContext.RunAsNonRoot)
	assert.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop)
	assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	assert.Equal(t, corev1.URISchemeHTTPS, c.ReadinessProbe.HTTPGet.Scheme)
	assert.Equal(t, intstr.FromString("https"), c.ReadinessProbe.HTTPGet.Port)
	require.Len(t, c.Ports, 1)
	assert.EqualValues(t, 8443, c.Ports[0].ContainerPort)
	assert.Equal(t, []string{"webhook", "serve"}, c.Args[:2])
	for _, flag := range []string{"--registry=", "--tls-cert=", "--tls-key=", "--addr=:8443", "--vsa-dir=", "--vsa-key=", "--namespace=hubgate-system"} {
		assert.True(t, slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, flag) }), flag)
	}
	// deploy/overlays/audit replaces this argument by index.
	assert.Equal(t, "--failure-policy=closed", c.Args[9])
	assert.Equal(t, "system-cluster-critical", ps.PriorityClassName)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, ps.SecurityContext.SeccompProfile.Type)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, c.SecurityContext.SeccompProfile.Type)
	assert.False(t, c.Resources.Limits.Cpu().IsZero())
	assert.False(t, c.Resources.Limits.Memory().IsZero())
	assert.False(t, c.Resources.Requests.Cpu().IsZero())
	assert.False(t, c.Resources.Requests.Memory().IsZero())
	assert.Equal(t, "true", d.Spec.Template.Annotations["prometheus.io/scrape"])
	// Every mounted volume exists.
	for _, m := range c.VolumeMounts {
		assert.True(t, m.ReadOnly, m.Name)
		assert.True(t, slices.ContainsFunc(ps.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name }), m.Name)
	}
	assert.False(t, *ps.AutomountServiceAccountToken)
}

func TestPDBAndService(t *testing.T) {
	d := one[appsv1.Deployment](t, "base/deployment.yaml")
	pdb := one[policyv1.PodDisruptionBudget](t, "base/poddisruptionbudget.yaml")
	assert.Equal(t, d.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)
	require.NotNil(t, pdb.Spec.MinAvailable)
	assert.Equal(t, intstr.FromInt32(1), *pdb.Spec.MinAvailable)

	svc := one[corev1.Service](t, "base/service.yaml")
	assert.Equal(t, "hubgate", svc.Name)
	assert.Equal(t, "hubgate-system", svc.Namespace)
	assert.Equal(t, d.Spec.Template.Labels["app"], svc.Spec.Selector["app"])
	require.Len(t, svc.Spec.Ports, 1)
	assert.EqualValues(t, 443, svc.Spec.Ports[0].Port)
	assert.Equal(t, intstr.FromInt32(8443), svc.Spec.Ports[0].TargetPort)
}

func TestValidatingWebhookConfiguration(t *testing.T) {
	v := one[admissionregistrationv1.ValidatingWebhookConfiguration](t, "base/validatingwebhookconfiguration.yaml")
	assert.Equal(t, "hubgate", v.Name)
	assert.Empty(t, v.Annotations, "the certificate components add the caBundle source")
	require.Len(t, v.Webhooks, 1)
	w := v.Webhooks[0]
	assert.Equal(t, "validate.hubgate.dev", w.Name)
	require.NotNil(t, w.ClientConfig.Service)
	assert.Equal(t, "hubgate-system", w.ClientConfig.Service.Namespace)
	assert.Equal(t, "hubgate", w.ClientConfig.Service.Name)
	assert.Equal(t, "/validate", *w.ClientConfig.Service.Path)
	assert.EqualValues(t, 443, *w.ClientConfig.Service.Port)
	assert.Equal(t, admissionregistrationv1.Fail, *w.FailurePolicy)
	assert.Equal(t, admissionregistrationv1.SideEffectClassNone, *w.SideEffects)
	assert.EqualValues(t, 5, *w.TimeoutSeconds)
	assert.Equal(t, []string{"v1"}, w.AdmissionReviewVersions)
	var resources []string
	for _, r := range w.Rules {
		assert.ElementsMatch(t, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}, r.Operations)
		resources = append(resources, r.Resources...)
	}
	assert.ElementsMatch(t, []string{"pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "configmaps"}, resources)
	require.NotNil(t, w.NamespaceSelector)
	require.Len(t, w.NamespaceSelector.MatchExpressions, 2)
	e := w.NamespaceSelector.MatchExpressions[0]
	assert.Equal(t, "kubernetes.io/metadata.name", e.Key)
	assert.EqualValues(t, "NotIn", e.Operator)
	assert.ElementsMatch(t, []string{"hubgate-system", "kube-system", "cert-manager"}, e.Values)
	optOut := w.NamespaceSelector.MatchExpressions[1]
	assert.Equal(t, "hubgate.dev/admission", optOut.Key, "the documented opt-out label")
	assert.EqualValues(t, "NotIn", optOut.Operator)
	assert.Equal(t, []string{"off"}, optOut.Values)
}

func TestCertManager(t *testing.T) {
	var names []string
	for _, d := range docs(t, "components/cert-manager/certificates.yaml") {
		var o struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Spec struct {
				SecretName string   `json:"secretName"`
				DNSNames   []string `json:"dnsNames"`
			} `json:"spec"`
		}
		require.NoError(t, json.Unmarshal(d, &o))
		assert.Equal(t, "hubgate-system", o.Metadata.Namespace)
		names = append(names, o.Kind+"/"+o.Metadata.Name)
		if o.Metadata.Name == "hubgate-serving-cert" {
			assert.Equal(t, "hubgate-tls", o.Spec.SecretName)
			assert.Contains(t, o.Spec.DNSNames, "hubgate.hubgate-system.svc")
		}
	}
	assert.Contains(t, names, "Certificate/hubgate-serving-cert")
}
