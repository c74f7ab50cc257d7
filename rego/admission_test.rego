package hub.admission_test

import data.hub.admission

dig := "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

referrers := [
	{"key": "ci-intel.dev/sbom-referrer", "value": concat("", ["oci://ghcr.io/acme/sbom@", dig]), "path": "metadata.annotations.ci-intel.dev/sbom-referrer", "error": ""},
	{"key": "ci-intel.dev/provenance-referrer", "value": concat("", ["oci://ghcr.io/acme/prov@", dig]), "path": "metadata.annotations.ci-intel.dev/provenance-referrer", "error": ""},
]

# now_ns is 2026-11-28T12:00:00Z; good_summary was verified an hour
# before, for acme/api.
now_ns := 1795867200000000000

good_summary := {
	"verified": true, "error": "", "digest": dig, "key_id": "k", "verifier_id": "https://github.com/cicd-hub/hubgate",
	"time_verified": "2026-11-28T11:00:00Z", "time_verified_ns": now_ns - 3600000000000,
	"resource_uri": "git+https://github.com/acme/api", "repo": "acme/api",
	"policy_digests": ["sha256:1111111111111111111111111111111111111111111111111111111111111111"],
	"result": "PASSED", "verified_levels": ["SLSA_BUILD_LEVEL_1"],
}

verified := {"error": "", "summaries": [good_summary]}

vsa_config := {"max_age": "168h0m0s", "max_age_ns": 604800000000000, "policy_digests": [], "verifier_id": ""}

img(name, digest, vsa) := {
	"type": "container", "name": "app", "path": "spec.containers[0].image",
	"image": concat("", [name, "@", digest]), "error": "",
	"ref": {"name": name, "digest": digest, "tag": ""},
	"mapping": {"prefix": "ghcr.io/acme", "repos": ["acme/api"]},
	"unchanged": false, "vsa": vsa,
}

good_image := img("ghcr.io/acme/api", dig, verified)

pod(images) := {
	"object": "Pod ns/web", "terminating": false, "owned": false,
	"referrers": referrers, "images": images,
	"static_secrets_allowed": false, "secrets": [], "configmap": "", "workflows": [],
}

inp(o) := {"admission": o, "now_ns": now_ns, "config": {"registries": [], "vsa": vsa_config}}

all_findings(i) := fs if {
	rules := [
		admission.referrer_annotations, admission.digest_pinned, admission.registry_allowed,
		admission.vsa, admission.secretless, admission.pull_request_target,
	] with input as i
	fs := {f | some r in rules; some f in r}
}

test_good_pod_passes if {
	count(all_findings(inp(pod([good_image])))) == 0
}

test_missing_referrer_is_denied if {
	o := object.union(pod([good_image]), {"referrers": [
		referrers[0],
		{"key": "ci-intel.dev/provenance-referrer", "value": "", "path": "", "error": ""},
	]})
	fs := admission.referrer_annotations with input as inp(o)
	count(fs) == 1
	some f in fs
	f.message == "annotation ci-intel.dev/provenance-referrer is missing"
	f.actual == "none"
}

test_referrer_not_oci_is_denied if {
	o := object.union(pod([good_image]), {"referrers": [
		referrers[0],
		{"key": "ci-intel.dev/provenance-referrer", "value": "https://x", "path": "p", "error": ""},
	]})
	fs := admission.referrer_annotations with input as inp(o)
	some f in fs
	f.message == "annotation ci-intel.dev/provenance-referrer is not an oci:// reference"
}

test_owned_object_skips_referrers if {
	o := object.union(pod([good_image]), {"owned": true, "referrers": [
		{"key": "ci-intel.dev/sbom-referrer", "value": "", "path": "", "error": ""},
	]})
	count(admission.referrer_annotations) == 0 with input as inp(o)
}

test_tag_is_not_pinned if {
	im := object.union(good_image, {"image": "ghcr.io/acme/api:1", "ref": {"name": "ghcr.io/acme/api", "digest": "", "tag": "1"}, "vsa": null})
	fs := admission.digest_pinned with input as inp(pod([im]))
	count(fs) == 1
	some f in fs
	f.message == "container app: image ghcr.io/acme/api:1 is not pinned by digest"
	count(admission.vsa) == 0 with input as inp(pod([im]))
}

test_unparsable_image_is_not_pinned if {
	im := object.union(good_image, {"image": "UPPER", "error": "bad reference", "ref": {"name": "", "digest": "", "tag": ""}})
	fs := admission.digest_pinned with input as inp(pod([im]))
	some f in fs
	f.message == "container app: bad reference"
}

test_registry_allowed_on_a_path_boundary if {
	i := {"admission": pod([good_image]), "config": {"registries": ["ghcr.io/acme/"]}}
	count(admission.registry_allowed) == 0 with input as i
}

test_registry_lookalike_is_denied if {
	im := object.union(good_image, {"ref": {"name": "ghcr.io/acme-evil/api", "digest": dig, "tag": ""}})
	i := {"admission": pod([im]), "config": {"registries": ["ghcr.io/acme"]}}
	fs := admission.registry_allowed with input as i
	some f in fs
	f.expected == "one of [ghcr.io/acme]"
	f.actual == "ghcr.io/acme-evil/api"
}

test_vsa_error_is_denied if {
	im := object.union(good_image, {"vsa": {"error": "no verification summary", "summaries": []}})
	fs := admission.vsa with input as inp(pod([im]))
	some f in fs
	f.message == concat("", ["container app: image ", dig, ": no verification summary"])
}

test_vsa_not_asked_is_denied if {
	im := object.union(good_image, {"vsa": null})
	count(admission.vsa) == 1 with input as inp(pod([im]))
}

test_unmapped_image_is_denied if {
	im := object.union(good_image, {"mapping": null, "vsa": null})
	fs := admission.vsa with input as inp(pod([im]))
	some f in fs
	contains(f.message, "matches no admission.images prefix")
}

test_sha512_digest_is_denied if {
	im := object.union(good_image, {"ref": {"name": "ghcr.io/acme/api", "digest": "sha512:00", "tag": ""}, "vsa": null})
	fs := admission.vsa with input as inp(pod([im]))
	some f in fs
	f.expected == "a sha256 digest"
}

secret := {"target": "container app", "path": "spec.containers[0].env[0].valueFrom.secretKeyRef", "what": "env T from secret s"}

test_static_secret_is_denied if {
	fs := admission.secretless with input as inp(object.union(pod([good_image]), {"secrets": [secret]}))
	some f in fs
	f.message == "container app uses a static secret (env T from secret s)"
}

test_static_secret_allowed_by_label if {
	o := object.union(pod([good_image]), {"secrets": [secret], "static_secrets_allowed": true})
	count(admission.secretless) == 0 with input as inp(o)
}

cm(name, wfs) := object.union(pod([]), {"configmap": name, "workflows": wfs, "referrers": []})

prt := {"key": "workflow.yaml", "path": "data.workflow.yaml", "pull_request_target": true, "error": ""}

test_pull_request_target_is_denied if {
	fs := admission.pull_request_target with input as inp(cm("workflow-ci", [prt]))
	some f in fs
	f.path == "data.workflow.yaml.on"
}

test_pull_request_target_outside_workflow_configmaps_passes if {
	count(admission.pull_request_target) == 0 with input as inp(cm("settings", [prt]))
}

test_pull_request_workflow_passes if {
	w := object.union(prt, {"pull_request_target": false})
	count(admission.pull_request_target) == 0 with input as inp(cm("workflow-ci", [w]))
}

test_unparsable_workflow_is_denied if {
	w := object.union(prt, {"pull_request_target": false, "error": "parse workflow: not a mapping"})
	fs := admission.pull_request_target with input as inp(cm("workflow-ci", [w]))
	some f in fs
	f.expected == "a workflow that parses"
}

test_terminating_object_is_not_judged if {
	im := object.union(good_image, {"vsa": {"error": "no verification summary", "summaries": []}})
	o := object.union(pod([im]), {"terminating": true, "secrets": [secret]})
	count(all_findings(inp(o))) == 0
}
