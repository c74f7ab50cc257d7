// Package deploy_test checks the manifests in deploy/ against the contract
// the e2e tests and the README rely on. The manifests are decoded into
// k8s.io/api types with unknown fields rejected, so a misspelt field fails.
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

func TestKustomization(t *testing.T) {
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
		Labels     []any    `json:"labels"`
		Images     []any    `json:"images"`
	}
	d := docs(t, "kustomization.yaml")
	require.Len(t, d, 1)
	strict(t, d[0], &k)
	assert.Equal(t, "hubgate-system", k.Namespace)
	for _, want := range []string{"deployment.yaml", "poddisruptionbudget.yaml", "service.yaml", "validatingwebhookconfiguration.yaml", "namespace.yaml"} {
		assert.Contains(t, k.Resources, want)
	}
	for _, r := range k.Resources {
		_, err := os.Stat(r)
		assert.NoError(t, err, r)
	}
	assert.NotContains(t, k.Resources, "cert-manager.yaml", "the base must apply without cert-manager")
}

func TestDeployment(t *testing.T) {
	d := one[appsv1.Deployment](t, "deployment.yaml")
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
	// Every mounted volume exists.
	for _, m := range c.VolumeMounts {
		assert.True(t, m.ReadOnly, m.Name)
		assert.True(t, slices.ContainsFunc(ps.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name }), m.Name)
	}
	assert.False(t, *ps.AutomountServiceAccountToken)
}

func TestPDBAndService(t *testing.T) {
	d := one[appsv1.Deployment](t, "deployment.yaml")
	pdb := one[policyv1.PodDisruptionBudget](t, "poddisruptionbudget.yaml")
	assert.Equal(t, d.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)
	require.NotNil(t, pdb.Spec.MinAvailable)
	assert.Equal(t, intstr.FromInt32(1), *pdb.Spec.MinAvailable)

	svc := one[corev1.Service](t, "service.yaml")
	assert.Equal(t, "hubgate", svc.Name)
	assert.Equal(t, "hubgate-system", svc.Namespace)
	assert.Equal(t, d.Spec.Template.Labels["app"], svc.Spec.Selector["app"])
	require.Len(t, svc.Spec.Ports, 1)
	assert.EqualValues(t, 443, svc.Spec.Ports[0].Port)
	assert.Equal(t, intstr.FromInt32(8443), svc.Spec.Ports[0].TargetPort)
}

func TestValidatingWebhookConfiguration(t *testing.T) {
	v := one[admissionregistrationv1.ValidatingWebhookConfiguration](t, "validatingwebhookconfiguration.yaml")
	assert.Equal(t, "hubgate", v.Name)
	assert.Equal(t, "hubgate-system/hubgate-serving-cert", v.Annotations["cert-manager.io/inject-ca-from"])
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
	assert.ElementsMatch(t, []string{"pods", "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "configmaps"}, resources)
	require.NotNil(t, w.NamespaceSelector)
	require.Len(t, w.NamespaceSelector.MatchExpressions, 1)
	e := w.NamespaceSelector.MatchExpressions[0]
	assert.Equal(t, "kubernetes.io/metadata.name", e.Key)
	assert.EqualValues(t, "NotIn", e.Operator)
	assert.ElementsMatch(t, []string{"hubgate-system", "kube-system"}, e.Values)
}

func TestCertManager(t *testing.T) {
	var names []string
	for _, d := range docs(t, "cert-manager.yaml") {
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
