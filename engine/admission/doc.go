// Package admission reads Kubernetes admission objects into facts: an
// object in, [Facts] out. It judges nothing: the admission rules are Rego,
// package hub.admission (rego/admission.rego), evaluated by
// engine.EvaluateAdmission with the outcome fold and the waivers
// (admission.waivers) of every other hubgate decision.
//
// [Collect] decodes the object of an admission request (Pod, ConfigMap,
// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
// ReplicationController, PodTemplate), lists every
// container, init container and ephemeral container image of its pod spec
// (the pod template of a workload, the job template of a CronJob), and
// records for the rules:
//
//   - each image's reference, parsed as the kubelet pulls it ([ParseImage]),
//     or why it does not parse (admission.digest_pinned,
//     admission.registry_allowed);
//   - the admission.images entry whose prefix covers the image's name
//     ([Config.MatchImage], longest prefix wins), and, for an image with a
//     sha256 digest and an entry, what the [VSAChecker] found: each
//     verification summary of the digest, whether it verified and what it
//     claims, asked once per distinct image name and digest per request
//     (admission.vsa);
//   - the SBOM and provenance referrer annotations (ci-intel.dev/sbom-referrer,
//     ci-intel.dev/provenance-referrer), on the object's own metadata or its
//     pod template's, and whether the object has a controller
//     ownerReference (admission.referrer_annotations);
//   - every static secret: secretKeyRef, envFrom secretRef, secret or
//     projected-secret volume, secretRef of CSI, flex, RBD, iSCSI or CephFS
//     volumes, and the ci-intel.dev/allow-static-secrets label
//     (admission.secretless);
//   - a ConfigMap's name and whether its workflow.yaml triggers on
//     pull_request_target (admission.pull_request_target).
//
// An UPDATE of an object that was already being deleted (the old object has
// metadata.deletionTimestamp) and whose pod spec (a ConfigMap's data) is
// unchanged is [Facts.Terminating], and no rule judges it: it starts nothing new, and removing its
// finalizers must not be blocked. Any other object with a deletionTimestamp
// (a CREATE, an UPDATE that changes the spec) is judged like any other.
//
// On any other UPDATE, a container whose image is the one the same
// container (type and name) had in the old object is [Image.Unchanged]:
// the rule does not judge the summary's age again (it
// was when the image was admitted), so a label change or an ephemeral
// container added to a pod older than max_age is not denied for its old
// containers. Every other rule and claim still applies to them; new,
// renamed and changed containers are judged fully.
//
// A pod spec without containers is not something the API server sends (it
// validates objects before validating webhooks see them): [Collect]
// returns an error wrapping [ErrInvalid], which the caller denies.
//
// # What a summary is bound to
//
// The [VSAChecker] (adapters/webhook's VSAVerifier) verifies each summary's
// signature and that its statement subject is the image's digest
// (engine/vsa); the admission.vsa rule (hub.lib.vsa_problems) admits the
// image when one verified summary also has all of these: its resourceUri
// names a repo that admission.images
// maps the image's name to; its policy digest is one vsa.policy_digests and
// the entry's policy_digests accept (when set); its verifiedLevels meet the
// entry's required_levels; it says PASSED, is younger than vsa.max_age, and
// names vsa.verifier_id when set. A summary for another repo, even one
// passed under a lax registry entry, does not admit an image mapped to a
// different repo. [Config.CheckServe] refuses an empty mapping in enforce
// mode, since it would deny every pinned image.
//
// [Config] is the registry's top-level admission section: per-namespace
// modes (enforce or audit) and failure policies (closed or open), exempt
// namespaces, allowed registries, the image-to-repo mapping and what a VSA
// must satisfy.
//
// # Goals
//
//   - Pure and deterministic: the same object and checker answers give the
//     same facts, in the order of the spec (init containers, containers,
//     ephemeral containers), with no map iteration in the output.
//   - Facts, not verdicts: an image reference or a workflow.yaml that does
//     not parse is recorded with its error, for the rules to deny; an
//     object that does not decode is an error the caller must deny on.
//
// # Non-goals
//
// Judging (rego/admission.rego); HTTP, AdmissionReview envelopes, modes and
// warnings (adapters/webhook); verifying signatures (engine/vsa); talking to
// a registry or to the Kubernetes API.
package admission
