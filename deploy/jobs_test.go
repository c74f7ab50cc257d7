package deploy_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

// The job-admission Deployment: `hubgate job serve`, 2 replicas, a
// Service, an external Redis named in one ConfigMap literal.
func TestJobsKustomization(t *testing.T) {
	k := readKustomization(t, "jobs")
	assert.Equal(t, "hubgate-system", k.Namespace)
	require.Len(t, k.Images, 1)
	assert.True(t, strings.HasPrefix(k.Images[0].Digest, "sha256:"), "by digest only")
	assert.Empty(t, k.Images[0].NewTag)
	require.Len(t, k.ConfigMapGenerator, 1)
	g := k.ConfigMapGenerator[0]
	assert.Equal(t, "hubgate-jobs-redis", g.Name)
	require.Len(t, g.Literals, 1)
	assert.True(t, strings.HasPrefix(g.Literals[0], "redis-addr="), g.Literals[0])
	for _, r := range k.Resources {
		assert.NotContains(t, strings.ToLower(r), "redis", "no home-made Redis: it is an external address")
	}
}

func TestJobsDeployment(t *testing.T) {
	d := one[appsv1.Deployment](t, "jobs/deployment.yaml")
	require.NotNil(t, d.Spec.Replicas)
	assert.Equal(t, int32(2), *d.Spec.Replicas)
	spec := d.Spec.Template.Spec
	require.Len(t, spec.Containers, 1)
	c := spec.Containers[0]
	assert.Equal(t, []string{"job", "serve"}, c.Args[:2])
	assert.Contains(t, c.Args, "--redis=$(HUBGATE_REDIS_ADDR)")
	var addr, pass *corev1.EnvVar
	for i := range c.Env {
		switch c.Env[i].Name {
		case "HUBGATE_REDIS_ADDR":
			addr = &c.Env[i]
		case "HUBGATE_REDIS_PASSWORD":
			pass = &c.Env[i]
		}
	}
	require.NotNil(t, addr)
	require.NotNil(t, addr.ValueFrom.ConfigMapKeyRef)
	assert.Equal(t, "hubgate-jobs-redis", addr.ValueFrom.ConfigMapKeyRef.Name)
	assert.Equal(t, "redis-addr", addr.ValueFrom.ConfigMapKeyRef.Key)
	require.NotNil(t, pass, "the password comes from a Secret, never a flag")
	require.NotNil(t, pass.ValueFrom.SecretKeyRef)
	assert.False(t, slices.ContainsFunc(c.Args, func(a string) bool { return strings.Contains(a, "password") }))

	require.Len(t, c.Ports, 1)
	port := c.Ports[0]
	assert.Contains(t, c.Args, "--addr=:"+itoa(port.ContainerPort))
	require.NotNil(t, c.ReadinessProbe)
	assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	require.NotNil(t, c.LivenessProbe)
	assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	assert.Equal(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	require.NotNil(t, c.SecurityContext)
	assert.True(t, *c.SecurityContext.ReadOnlyRootFilesystem)
	assert.False(t, *c.SecurityContext.AllowPrivilegeEscalation)
	assert.False(t, *spec.AutomountServiceAccountToken)

	svc := one[corev1.Service](t, "jobs/service.yaml")
	assert.Equal(t, d.Spec.Template.Labels, svc.Spec.Selector)
	require.Len(t, svc.Spec.Ports, 1)
	assert.Equal(t, port.Name, svc.Spec.Ports[0].TargetPort.StrVal)

	pdb := one[policyv1.PodDisruptionBudget](t, "jobs/poddisruptionbudget.yaml")
	assert.Equal(t, d.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)
	assert.Less(t, pdb.Spec.MinAvailable.IntValue(), int(*d.Spec.Replicas))

	sa := one[corev1.ServiceAccount](t, "jobs/serviceaccount.yaml")
	assert.Equal(t, spec.ServiceAccountName, sa.Name)
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
