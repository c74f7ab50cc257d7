// Package admission holds hubgate's Kubernetes admission rules as pure Go
// over k8s.io/api objects: an object in, []policy.Finding out.
//
// [Evaluate] decodes the object of an admission request (Pod, ConfigMap,
// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), lists every
// container, init container and ephemeral container image of its pod spec
// (the pod template of a workload, the job template of a CronJob), and
// applies the rules:
//
//   - admission.digest_pinned: every image is pinned by a sha256 digest;
//   - admission.registry_allowed: every image comes from an allowed
//     registry prefix ([Config.Registries]; empty allows any);
//   - admission.vsa: a signed, fresh, PASSED verification summary exists for
//     every image digest (checked through a [VSAChecker], once per distinct
//     digest per request);
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
// An object being deleted (metadata.deletionTimestamp set) has no findings:
// it starts nothing new, and removing its finalizers must not be blocked.
//
// [Config] is the registry's top-level admission section: per-namespace
// modes (enforce or audit) and failure policies (closed or open), exempt
// namespaces, allowed registries and what a VSA must satisfy.
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
