// Package webhook is hubgate's Kubernetes validating admission webhook: an
// [http.Handler] for admission.k8s.io/v1 AdmissionReview, served over TLS.
//
// The handler decodes the review, asks the engine for a decision
// ([engine.Engine.EvaluateAdmission]: engine/admission's facts judged by the
// hub.admission Rego rules, with the registry's admission.waivers applied at
// the handler's clock, [WithClock]) and maps that [policy.Decision] to the
// response: the request uid echoed; an allowed decision admits, with a
// warning for each warn or waived finding; a denied one is, in enforce mode,
// a denial with code 403 and a message naming each failing container and
// rule, or, for a namespace in audit mode, an allowance with the findings
// as warnings (each at most 120 characters) and audit annotations. The
// engine is the built-in pack unless [WithEngine] gives one. A request that cannot be evaluated (an
// internal error, a timeout) is denied unless the namespace fails open. A
// malformed review gets HTTP 400.
//
// What the API server never sends is denied whatever the namespace's mode
// and failure policy, with code 400: an operation other than CREATE,
// UPDATE, DELETE or CONNECT (DELETE and CONNECT are allowed unjudged), an
// object that does not decode as its kind, and a pod spec without
// containers. A review of the pods/ephemeralcontainers subresource (kind
// Pod, subResource ephemeralcontainers, operation UPDATE) carries the whole
// Pod and is judged like it, ephemeral containers included; the shipped
// webhook configuration must list that subresource, since a rule for pods
// does not match it. A review of that subresource with another kind (the
// EphemeralContainers list of Kubernetes before 1.23) is denied.
//
// The facts the admission.vsa rule judges come from a [VSAVerifier]: it reads the
// summaries of an image digest from a [Store] (a directory of
// <hex>.vsa.json sigstore bundles, or an OCI registry's referrers), verifies
// each one's signature and subject with engine/vsa against one trusted key,
// caches verified summaries in a bounded LRU keyed by (digest, key id,
// bundle content), and reports each one's claims. It judges none of them:
// the time, age, policy and binding checks are the rule's
// (hub.lib.vsa_problems), on every request, so a cached summary still
// expires.
//
// # What a summary is bound to
//
// A summary admits an image only if it is signed by the trusted key over
// the image's digest, says PASSED, is fresh, and was made for a repo that
// the registry's admission.images maps the image's name to (its
// resourceUri, git+https://github.com/<owner>/<name>), under a policy
// digest vsa.policy_digests and the mapping's policy_digests accept, at the
// mapping's required_levels. engine/admission picks the mapping (longest
// prefix) and records it with the image's facts; an image under no
// prefix is denied in enforce mode. `hubgate webhook serve` refuses to
// start in enforce mode with an empty mapping ([admission.Config.CheckServe]).
// On an UPDATE, an image its container already had
// ([admission.Image.Unchanged]) is not judged for age again; every
// other check, the future-time refusal included, still applies.
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
