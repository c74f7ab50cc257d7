// Package admission holds hubgate's Kubernetes admission rules as pure Go
// over k8s.io/api objects: an object in, []policy.Finding out.
//
// [Evaluate] decodes the object of an admission request (Pod, ConfigMap,
// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
// ReplicationController, PodTemplate), lists every
// container, init container and ephemeral container image of its pod spec
// (the pod template of a workload, the job template of a CronJob), and
// applies the rules:
//
//   - admission.digest_pinned: every image is pinned by a sha256 digest;
//   - admission.registry_allowed: every image comes from an allowed
//     registry prefix ([Config.Registries]; empty allows any);
//   - admission.vsa: the image's name falls under an admission.images prefix
//     ([Config.MatchImage], longest prefix wins), and a signed, fresh,
//     PASSED verification summary exists for its digest that was made for
//     one of that entry's repos, with its policy digests and levels when it
//     sets them (checked through a [VSAChecker], once per distinct prefix
//     and digest per request). An image under no prefix is denied with a
//     message saying so: no repo's summary is accepted for it;
//   - admission.referrer_annotations: the object names its SBOM and
//     provenance referrers (ci-intel.dev/sbom-referrer,
//     ci-intel.dev/provenance-referrer) as oci:// references, on its own
//     metadata or its pod template's; objects with a controller
//     ownerReference (the Pods of a ReplicaSet) are left to their owner;
//   - admission.secretless: no secretKeyRef, envFrom secretRef, secret or
//     projected-secret volume, and no secretRef of CSI, flex, RBD, iSCSI or
//     CephFS volumes, unless the object is labelled
//     ci-intel.dev/allow-static-secrets: "true";
//   - admission.pull_request_target: a ConfigMap named workflow-* whose
//     workflow.yaml triggers on pull_request_target.
//
// An UPDATE of an object that was already being deleted (the old object has
// metadata.deletionTimestamp) and whose pod spec (a ConfigMap's data) is
// unchanged has no findings: it starts nothing new, and removing its
// finalizers must not be blocked. Any other object with a deletionTimestamp
// (a CREATE, an UPDATE that changes the spec) is judged like any other.
//
// On any other UPDATE, a container whose image is the one the same
// container (type and name) had in the old object is asked of the checker
// with [Requirement.Unchanged]: the summary's age is not judged again (it
// was when the image was admitted), so a label change or an ephemeral
// container added to a pod older than max_age is not denied for its old
// containers. Every other rule and claim still applies to them; new,
// renamed and changed containers are judged fully.
//
// A pod spec without containers is not something the API server sends (it
// validates objects before validating webhooks see them): [Evaluate]
// returns an error wrapping [ErrInvalid], which the caller denies.
//
// # What a summary is bound to
//
// The admission.vsa rule accepts a summary only when all of these hold:
// its statement subject is the image's digest (engine/vsa checks the
// signature over it); its resourceUri names a repo that admission.images
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
//     same findings, in the order of the spec (init containers, containers,
//     ephemeral containers), with no map iteration in the output.
//   - Fail closed: an image reference that does not parse is not pinned; a
//     workflow.yaml that does not parse is a finding; an object that does not
//     decode is an error the caller must deny on.
//
// # Non-goals
//
// HTTP, AdmissionReview envelopes, modes and warnings (adapters/webhook);
// verifying signatures (engine/vsa); talking to a registry or to the
// Kubernetes API.
package admission
