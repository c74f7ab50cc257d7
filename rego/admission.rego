# Admission: the Kubernetes admission webhook's rules, over the facts
# engine/admission collects about one object (input.admission) and the
# registry's admission section (input.config). They are judged by
# engine.EvaluateAdmission with the outcome fold and the waivers
# (admission.waivers) of every other decision.
#
# Nothing is judged of an UPDATE of an object that was already being
# deleted and whose spec did not change (input.admission.terminating): it
# starts nothing new, and its finalizers must come off.
package hub.admission

import data.hub.lib
import input.admission as obj

judged if not obj.terminating

registries := object.get(input, ["config", "registries"], [])

oci_ref := "oci://REGISTRY/REPOSITORY@sha256:HEX"

where(im) := sprintf("%s %s", [im.type, im.name])

# allowed(name): the image name is one of the allowed registry prefixes or
# under one on a path boundary ("ghcr.io/acme" allows "ghcr.io/acme/api",
# not "ghcr.io/acme-evil/api").
allowed(name) if name in allowed_names

allowed(name) if {
	some d in allowed_dirs
	startswith(name, d)
}

# allowed_names are the allowed registry prefixes without a trailing "/",
# and allowed_dirs the same with one: the path boundary of a name under
# them. Built once per evaluation, not per image.
allowed_names contains p if {
	some r in registries
	p := trim_suffix(r, "/")
	p != ""
}

allowed_dirs contains concat("", [p, "/"]) if some p in allowed_names

# METADATA
# title: SBOM and provenance referrers are annotated
# description: The object names its SBOM and provenance referrers (ci-intel.dev/sbom-referrer, ci-intel.dev/provenance-referrer) as oci:// references that parse, on its own metadata or its pod template's. An object a controller made (a controller ownerReference) is checked through its owner.
# custom:
#   severity: medium
#   remediation: Annotate the object with ci-intel.dev/sbom-referrer and ci-intel.dev/provenance-referrer, each an oci:// reference to the attached artifact.
referrer_annotations contains f if {
	judged
	not obj.owned
	some r in obj.referrers
	r.value == ""
	f := {
		"message": sprintf("annotation %s is missing", [r.key]),
		"evidence": obj.object, "path": "metadata.annotations", "target": r.key,
		"expected": oci_ref, "actual": "none",
	}
}

referrer_annotations contains f if {
	judged
	not obj.owned
	some r in obj.referrers
	r.value != ""
	not startswith(r.value, "oci://")
	f := {
		"message": sprintf("annotation %s is not an oci:// reference", [r.key]),
		"evidence": obj.object, "path": r.path, "target": r.key,
		"expected": oci_ref, "actual": r.value,
	}
}

referrer_annotations contains f if {
	judged
	not obj.owned
	some r in obj.referrers
	startswith(r.value, "oci://")
	r.error != ""
	f := {
		"message": sprintf("annotation %s: %s", [r.key, r.error]),
		"evidence": obj.object, "path": r.path, "target": r.key,
		"expected": oci_ref, "actual": r.value,
	}
}

# METADATA
# title: Images are pinned by digest
# description: Every init container, container and ephemeral container image is a reference that parses and is pinned by a digest (image@sha256:...).
# custom:
#   severity: high
#   remediation: Deploy the image by digest (image@sha256:...), as the release pipeline published it.
digest_pinned contains f if {
	judged
	some im in obj.images
	im.error != ""
	f := {
		"message": sprintf("%s: %s", [where(im), im.error]),
		"evidence": obj.object, "path": im.path, "target": im.name,
		"expected": "IMAGE@sha256:HEX", "actual": im.image,
	}
}

digest_pinned contains f if {
	judged
	some im in obj.images
	im.error == ""
	im.ref.digest == ""
	f := {
		"message": sprintf("%s: image %s is not pinned by digest", [where(im), im.image]),
		"evidence": obj.object, "path": im.path, "target": im.name,
		"expected": "IMAGE@sha256:HEX", "actual": im.image,
	}
}

# METADATA
# title: Images come from an allowed registry
# description: Every image's normalised name is under one of admission.registries on a path boundary, when any are set.
# custom:
#   severity: high
#   remediation: Publish the image to an allowed registry, or add the registry prefix to admission.registries.
registry_allowed contains f if {
	judged
	count(registries) > 0
	some im in obj.images
	im.error == ""
	not allowed(im.ref.name)
	f := {
		"message": sprintf("%s: image %s is not from an allowed registry", [where(im), im.ref.name]),
		"evidence": obj.object, "path": im.path, "target": im.name,
		"expected": sprintf("one of [%s]", [concat(" ", registries)]), "actual": im.ref.name,
	}
}

# METADATA
# title: Images have a valid signed verification summary
# description: Every pinned image has a sha256 digest, falls under an admission.images prefix (the longest wins), and a signed, fresh, PASSED verification summary for its digest verified for one of that entry's repos (with its policy digests and levels when set).
# custom:
#   severity: critical
#   remediation: Run hubgate eval --vsa-out in CI for this image digest, for a repo that admission.images maps the image to, and publish the signed summary to the webhook's VSA store.
vsa contains f if {
	judged
	some im in obj.images
	im.error == ""
	im.ref.digest != ""
	not startswith(im.ref.digest, "sha256:")
	f := {
		"message": sprintf("%s: image %s: verification summaries are kept by sha256 digest", [where(im), im.image]),
		"evidence": obj.object, "path": im.path, "target": im.name,
		"expected": "a sha256 digest", "actual": im.ref.digest,
	}
}

vsa contains f if {
	judged
	some im in obj.images
	im.error == ""
	startswith(im.ref.digest, "sha256:")
	im.mapping == null
	f := {
		"message": sprintf("%s: image %s matches no admission.images prefix, so no repo's summary is accepted for it", [where(im), im.ref.name]),
		"evidence": obj.object, "path": im.path, "target": im.name,
		"expected": sprintf("an admission.images prefix of %s", [im.ref.name]), "actual": "none",
	}
}

vsa contains f if {
	judged
	some im in obj.images
	im.error == ""
	startswith(im.ref.digest, "sha256:")
	is_object(im.mapping)
	# One summary without a problem admits the image.
	not vsa_admitted(im)
	# What a summary of im must claim, for the reason: the registry's
	# admission.vsa section (input.config.vsa) and the image's
	# admission.images entry (im.mapping). An image its container already
	# had on an UPDATE (im.unchanged) is not judged on its summary's age.
	req := vsa_requirement(im.mapping, object.get(im, "unchanged", false) == true)
	reason := lib.vsa_reason(im.vsa, req, input.now_ns)
	f := {
		"message": sprintf("%s: image %s: %s", [where(im), im.ref.digest, reason]),
		"evidence": obj.object, "path": im.path, "target": im.name,
		"expected": "a signed, fresh, PASSED verification summary", "actual": reason,
	}
}

# vsa_admitted(im) holds when the checker's answer im.vsa holds a summary
# accepted at input.now_ns. The engine judges the claims of each distinct
# image check once, and keeps them across reviews: im.vsa.windows are then
# vsa_check_windows of the check, and only the time is judged here.
# Without windows, the whole summary is (hub.lib.vsa_passes), against the
# requirement of the image.
vsa_admitted(im) := vsa_in_windows(im.vsa.windows) if {
	is_array(im.vsa.windows)
} else := lib.vsa_passes(im.vsa, vsa_requirement(im.mapping, object.get(im, "unchanged", false) == true), input.now_ns)

vsa_in_windows(ws) if {
	some w in ws
	lib.vsa_in_window(w, input.now_ns)
}

# vsa_check_windows is what the engine keeps of the judgement of one image
# check (input.check: its admission.images entry, unchanged flag and the
# checker's answer) under input.config: when each summary whose claims
# hold is fresh (hub.lib.vsa_windows). It depends on neither the object
# nor the time, so one evaluation serves every review of the same check.
vsa_check_windows := lib.vsa_windows(input.check.result, vsa_requirement(input.check.mapping, input.check.unchanged))

# vsa_requirement(m, unchanged) is what a summary of an image with the
# admission.images entry m must claim (the argument req of
# hub.lib.vsa_problems): the registry's admission.vsa section and m's
# repos, policy digests and levels. Built once per distinct entry: the
# images of a pod share it (a function's result is cached per arguments).
vsa_requirement(m, unchanged) := {
	"max_age": vsa_config.max_age, "max_age_ns": vsa_config.max_age_ns,
	"policy_digests": vsa_config.policy_digests, "verifier_id": vsa_config.verifier_id,
	"prefix": object.get(m, "prefix", ""),
	"repos": object.get(m, "repos", []),
	"mapping_policy_digests": object.get(m, "policy_digests", []),
	"required_levels": object.get(m, "required_levels", []),
	"unchanged": unchanged,
}

# vsa_config is the registry's admission.vsa section, every field present.
vsa_config := {
	"max_age": object.get(vsa_section, "max_age", ""),
	"max_age_ns": object.get(vsa_section, "max_age_ns", 0),
	"policy_digests": object.get(vsa_section, "policy_digests", []),
	"verifier_id": object.get(vsa_section, "verifier_id", ""),
}

vsa_section := object.get(input, ["config", "vsa"], {})

# METADATA
# title: Pods use no static secrets
# description: No secretKeyRef, envFrom secretRef, secret or projected-secret volume, and no secretRef of CSI, flex, RBD, iSCSI or CephFS volumes, unless the object or its pod template is labelled ci-intel.dev/allow-static-secrets "true".
# custom:
#   severity: high
#   remediation: 'Use workload identity or a secrets CSI driver without static credentials, or label the object ci-intel.dev/allow-static-secrets: "true" with an approved exception.'
secretless contains f if {
	judged
	not obj.static_secrets_allowed
	some s in obj.secrets
	f := {
		"message": sprintf("%s uses a static secret (%s)", [s.target, s.what]),
		"evidence": obj.object, "path": s.path, "target": s.target,
		"expected": "no static secret", "actual": s.what,
	}
}

# METADATA
# title: Workflows do not run on pull_request_target
# description: A ConfigMap named workflow-* holds a workflow.yaml (or workflow.yml) that parses and does not trigger on pull_request_target.
# custom:
#   severity: critical
#   remediation: Trigger the workflow on pull_request instead; pull_request_target runs untrusted code with the base repository's secrets.
pull_request_target contains f if {
	judged
	startswith(obj.configmap, "workflow-")
	some w in obj.workflows
	w.error != ""
	f := {
		"message": sprintf("configmap %s: %s: %s", [obj.configmap, w.key, w.error]),
		"evidence": obj.object, "path": w.path, "target": obj.configmap,
		"expected": "a workflow that parses", "actual": w.error,
	}
}

pull_request_target contains f if {
	judged
	startswith(obj.configmap, "workflow-")
	some w in obj.workflows
	w.error == ""
	w.pull_request_target
	f := {
		"message": sprintf("configmap %s: %s triggers on pull_request_target", [obj.configmap, w.key]),
		"evidence": obj.object, "path": concat("", [w.path, ".on"]), "target": obj.configmap,
		"expected": "no pull_request_target trigger", "actual": "pull_request_target",
	}
}
