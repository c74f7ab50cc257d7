// Package e2e tests hubgate's admission webhook against a real Kubernetes API
// server.
//
// The tests start etcd and kube-apiserver with controller-runtime's envtest
// (binaries from KUBEBUILDER_ASSETS, built by build-k8s.sh), run
// `hubgate webhook serve` over TLS on a loopback port, install the
// ValidatingWebhookConfiguration that kustomize builds from deploy/ (only
// clientConfig is rewritten to the local URL and CA), and drive the API server
// with client-go.
//
// The TestDeploy tests build deploy/ (each overlay, each certificate path)
// with the kustomize library (krusty), server-side apply every object to the
// API server, decode the objects of CRDs it lacks (cert-manager, Prometheus
// Operator) strictly into those projects' Go types, and run the webhook with
// the built Deployment's arguments and files.
//
// # Goals
//
//   - Prove the deployment contract, not just the handler: the API server
//     calls the webhook, honours failurePolicy and the namespace selector,
//     shows our denial messages and warnings to the client, and blocks pods
//     when the webhook is down.
//   - Bounded: every wait has a timeout and every process is stopped.
//
// # Non-goals
//
//   - Handler unit tests and load tests (adapters/webhook has those).
//   - Running without the binaries: the tests skip when KUBEBUILDER_ASSETS is
//     unset. Run e2e/run.sh to build them and run the tests.
package e2e
