// Package webhook is hubgate's Kubernetes validating admission webhook: an
// [http.Handler] for admission.k8s.io/v1 AdmissionReview, served over TLS.
//
// The handler decodes the review, asks engine/admission for findings, and
// renders them as a response: the request uid echoed; a denial with code 403
// and a message naming each failing container and rule; or, for a namespace
// in audit mode, an allowance with the findings as warnings (each at most 120
// characters) and audit annotations. A request that cannot be evaluated (an
// internal error, a timeout) is denied unless the namespace fails open. A
// malformed review gets HTTP 400.
//
// The admission.vsa rule is answered by a [VSAVerifier]: it reads the
// summary of an image digest from a [Store] (a directory of
// <hex>.vsa.json sigstore bundles), verifies it with engine/vsa against one
// trusted key, and caches verified summaries in a bounded LRU keyed by
// (digest, key id, bundle content). Time, age and policy checks run on every
// request, so a cached summary still expires.
//
// # Goals
//
//   - Fast and offline: no network, verification cached, each distinct image
//     checked once per request.
//   - Fail closed by default: [admission.Failure] is a typed option
//     ([WithFailurePolicy]) and a per-namespace setting.
//   - Observable: /healthz, /readyz, /metrics from a per-server
//     Prometheus registry (request count and latency by outcome), and a
//     decision log line ([WithLogger]) for every request that was not simply
//     allowed.
//   - TLS 1.2 or later only; the certificate is reloaded when its files
//     change ([CertReloader]).
//
// # Non-goals
//
// Policy (engine/admission), signing (engine/vsa), mutating objects, and
// talking to the Kubernetes API: the webhook is stateless and scales by
// replicas.
package webhook
