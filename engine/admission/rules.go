package admission

import (
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/cicd-hub/hubgate/policy"
)

// Rule ids.
const (
	RuleDigestPinned        = "admission.digest_pinned"
	RuleRegistryAllowed     = "admission.registry_allowed"
	RuleVSA                 = "admission.vsa"
	RuleReferrerAnnotations = "admission.referrer_annotations"
	RuleSecretless          = "admission.secretless"
	RulePullRequestTarget   = "admission.pull_request_target"
)

// Annotation and label names the rules read.
const (
	AnnotationSBOMReferrer       = "ci-intel.dev/sbom-referrer"
	AnnotationProvenanceReferrer = "ci-intel.dev/provenance-referrer"
	LabelAllowStaticSecrets      = "ci-intel.dev/allow-static-secrets"
)

// MaxWorkflowSize bounds the workflow.yaml a ConfigMap may hold for parsing.
const MaxWorkflowSize = 1 << 20

// Requirement is what the summary of one image must say beyond being
// signed, fresh and PASSED: the image's admission.images entry.
type Requirement struct {
	// Prefix is the admission.images key that matched the image.
	Prefix string
	// Image is the image's normalised name, without tag or digest
	// ("ghcr.io/acme/app"): where a registry store finds its referrers.
	Image string
	ImageMapping
	// Unchanged is set on an UPDATE for an image the same container (same
	// type and name) already had in the old object: it was judged when it
	// was admitted, so the checker must not judge the summary's age again
	// (a label change or `kubectl debug` on a pod older than max_age would
	// otherwise be denied). Every other claim of the summary is still
	// judged, and a summary from the future is still refused.
	Unchanged bool
}

// VSAChecker says whether a valid verification summary exists for an image
// digest ("sha256:<hex>") that meets req (names one of req.Repos, and
// req's policy digests and levels when set, and is fresh unless
// req.Unchanged): nil when it does, an error saying why not otherwise. It must be safe for concurrent use, and must
// fail when req.Repos is empty.
type VSAChecker interface {
	CheckVSA(ctx context.Context, digest string, req Requirement) error
}

// Rules returns the rule catalogue, in the order findings are reported.
func Rules() []policy.RuleInfo {
	return []policy.RuleInfo{
		{ID: RuleReferrerAnnotations, Kind: "admission", Title: "SBOM and provenance referrers are annotated", Severity: policy.SeverityMedium, Remediation: remReferrers},
		{ID: RuleDigestPinned, Kind: "admission", Title: "Images are pinned by digest", Severity: policy.SeverityHigh, Remediation: remPinned},
		{ID: RuleRegistryAllowed, Kind: "admission", Title: "Images come from an allowed registry", Severity: policy.SeverityHigh, Remediation: remRegistry},
		{ID: RuleVSA, Kind: "admission", Title: "Images have a valid signed verification summary", Severity: policy.SeverityCritical, Remediation: remVSA},
		{ID: RuleSecretless, Kind: "admission", Title: "Pods use no static secrets", Severity: policy.SeverityHigh, Remediation: remSecretless},
		{ID: RulePullRequestTarget, Kind: "admission", Title: "Workflows do not run on pull_request_target", Severity: policy.SeverityCritical, Remediation: remPRT},
	}
}

const (
	remReferrers  = "Annotate the object with ci-intel.dev/sbom-referrer and ci-intel.dev/provenance-referrer, each an oci:// reference to the attached artifact."
	remPinned     = "Deploy the image by digest (image@sha256:...), as the release pipeline published it."
	remRegistry   = "Publish the image to an allowed registry, or add the registry prefix to admission.registries."
	remVSA        = "Run hubgate eval --vsa-out in CI for this image digest, for a repo that admission.images maps the image to, and publish the signed summary to the webhook's VSA store."
	remSecretless = "Use workload identity or a secrets CSI driver without static credentials, or label the object ci-intel.dev/allow-static-secrets: \"true\" with an approved exception."
	remPRT        = "Trigger the workflow on pull_request instead; pull_request_target runs untrusted code with the base repository's secrets."
)

// Evaluate applies every rule to obj and returns the failing findings, in
// the order of [Rules] for object rules and of the spec for container rules.
// cfg supplies the allowed registries; checker answers admission.vsa and is
// asked once per distinct digest. A nil checker fails every image closed.
//
// The error is non-nil only when obj cannot be evaluated at all: an
// unsupported kind, an object that does not decode (wrapping [ErrDecode]),
// a pod spec with no containers (wrapping [ErrInvalid]), or ctx done. The
// caller must deny on [ErrDecode] and [ErrInvalid], and otherwise deny
// unless it fails open.
func Evaluate(ctx context.Context, cfg Config, obj Object, checker VSAChecker) ([]policy.Finding, error) {
	d, err := decode(obj)
	if err != nil {
		return nil, err
	}
	e := &evaluation{
		ctx: ctx, cfg: cfg, checker: checker, d: d,
		evidence: fmt.Sprintf("%s %s", gk(obj.Group, obj.Kind), objName(obj.Namespace, &d.meta)),
		vsa:      map[string]error{},
	}
	old, hasOld := decodeOld(obj)
	if hasOld && stillTerminating(d, old) {
		return nil, nil
	}
	if d.configMap != nil {
		e.pullRequestTarget()
		return e.findings, ctx.Err()
	}
	e.referrers()
	var before map[string]string
	if hasOld {
		before = images(old)
	}
	cs := containers(d.spec, d.specPath)
	for _, c := range cs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", e.evidence, err)
		}
		img, had := before[c.Type+"\x00"+c.Name]
		e.image(c, had && img == c.Image)
	}
	e.secretless(cs)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", e.evidence, err)
	}
	return e.findings, nil
}

// decodeOld decodes the old object of an UPDATE. It reports false for any
// other operation, and for an old object that does not decode: then the
// new object is judged as if created.
func decodeOld(obj Object) (decoded, bool) {
	if obj.Operation != OperationUpdate || len(obj.OldRaw) == 0 {
		return decoded{}, false
	}
	old, err := decoders[obj.Group+"/"+obj.Kind](obj.OldRaw)
	if err != nil {
		return decoded{}, false
	}
	return old, true
}

// images maps "type\x00name" of each container of old's pod spec to its
// image (nil for a ConfigMap).
func images(old decoded) map[string]string {
	if old.spec == nil {
		return nil
	}
	out := map[string]string{}
	for _, c := range containers(old.spec, old.specPath) {
		out[c.Type+"\x00"+c.Name] = c.Image
	}
	return out
}

// stillTerminating reports whether the UPDATE from old to d is of an object
// that was already being deleted and whose pod spec (a ConfigMap's data) did
// not change: its remaining updates (a finalizer removed) start nothing new
// and must not be blocked by, say, an expired summary, or it would never go
// away. Anything else with a deletionTimestamp is judged: a CREATE, or an
// UPDATE that sets it and changes the spec in one go.
func stillTerminating(d, old decoded) bool {
	if d.meta.DeletionTimestamp == nil || old.meta.DeletionTimestamp == nil {
		return false
	}
	if d.configMap != nil {
		return old.configMap != nil &&
			apiequality.Semantic.DeepEqual(d.configMap.Data, old.configMap.Data) &&
			apiequality.Semantic.DeepEqual(d.configMap.BinaryData, old.configMap.BinaryData)
	}
	return old.spec != nil && apiequality.Semantic.DeepEqual(d.spec, old.spec)
}

func objName(ns string, m interface {
	GetName() string
	GetGenerateName() string
}) string {
	n := m.GetName()
	if n == "" {
		n = m.GetGenerateName() + "*"
	}
	if ns == "" {
		return n
	}
	return ns + "/" + n
}

type evaluation struct {
	ctx      context.Context
	cfg      Config
	checker  VSAChecker
	d        decoded
	evidence string
	findings []policy.Finding
	// vsa memoises checker answers by mapping prefix, digest and whether
	// the image is unchanged, for this request.
	vsa map[string]error
}

func (e *evaluation) add(f policy.Finding) {
	f.Outcome = policy.OutcomeFail
	f.Evidence = e.evidence
	for _, r := range Rules() {
		if r.ID == f.Rule {
			f.Severity = r.Severity
			f.Remediation = r.Remediation
		}
	}
	e.findings = append(e.findings, f)
}

func (e *evaluation) referrers() {
	// An object a controller made (a Pod of a ReplicaSet, a ReplicaSet of a
	// Deployment, a Job of a CronJob) was checked through its owner, which
	// carries the annotations; pod templates rarely repeat them. Skipping
	// this one rule for owned objects loses nothing: an ownerReference is
	// not proof of anything, which is why every other rule still applies.
	for _, o := range e.d.meta.OwnerReferences {
		if o.Controller != nil && *o.Controller {
			return
		}
	}
	for _, key := range []string{AnnotationSBOMReferrer, AnnotationProvenanceReferrer} {
		v, path := e.annotation(key)
		switch {
		case v == "":
			e.add(policy.Finding{Rule: RuleReferrerAnnotations, Message: fmt.Sprintf("annotation %s is missing", key),
				Path: "metadata.annotations", Target: key, Expected: "oci://REGISTRY/REPOSITORY@sha256:HEX", Actual: "none"})
		case !strings.HasPrefix(v, "oci://"):
			e.add(policy.Finding{Rule: RuleReferrerAnnotations, Message: fmt.Sprintf("annotation %s is not an oci:// reference", key),
				Path: path, Target: key, Expected: "oci://REGISTRY/REPOSITORY@sha256:HEX", Actual: v})
		default:
			if _, err := ParseImage(strings.TrimPrefix(v, "oci://")); err != nil {
				e.add(policy.Finding{Rule: RuleReferrerAnnotations, Message: fmt.Sprintf("annotation %s: %v", key, err),
					Path: path, Target: key, Expected: "oci://REGISTRY/REPOSITORY@sha256:HEX", Actual: v})
			}
		}
	}
}

// annotation reads key from the object's annotations, then from its pod
// template's.
func (e *evaluation) annotation(key string) (string, string) {
	if v, ok := e.d.meta.Annotations[key]; ok {
		return v, "metadata.annotations." + key
	}
	if e.d.template != nil {
		if v, ok := e.d.template.Annotations[key]; ok {
			return v, strings.TrimSuffix(e.d.specPath, ".spec") + ".metadata.annotations." + key
		}
	}
	return "", ""
}

// image judges the image of c. unchanged says the same container had the
// same image in the old object of an UPDATE: only the summary's age is then
// not judged again (see [Requirement.Unchanged]).
func (e *evaluation) image(c Container, unchanged bool) {
	where := fmt.Sprintf("%s %s", c.Type, c.Name)
	path := c.Path + ".image"
	ref, err := ParseImage(c.Image)
	if err != nil {
		e.add(policy.Finding{Rule: RuleDigestPinned, Message: fmt.Sprintf("%s: %v", where, err),
			Path: path, Target: c.Name, Expected: "IMAGE@sha256:HEX", Actual: c.Image})
		return
	}
	if ref.Digest == "" {
		e.add(policy.Finding{Rule: RuleDigestPinned, Message: fmt.Sprintf("%s: image %s is not pinned by digest", where, c.Image),
			Path: path, Target: c.Name, Expected: "IMAGE@sha256:HEX", Actual: c.Image})
	}
	if len(e.cfg.Registries) > 0 && !ref.AllowedBy(e.cfg.Registries) {
		e.add(policy.Finding{Rule: RuleRegistryAllowed, Message: fmt.Sprintf("%s: image %s is not from an allowed registry", where, ref.Name),
			Path: path, Target: c.Name, Expected: fmt.Sprintf("one of %v", e.cfg.Registries), Actual: ref.Name})
	}
	if ref.Digest == "" {
		return // already denied; there is no digest to look a summary up by
	}
	if !strings.HasPrefix(ref.Digest, "sha256:") {
		e.add(policy.Finding{Rule: RuleVSA, Message: fmt.Sprintf("%s: image %s: verification summaries are kept by sha256 digest", where, c.Image),
			Path: path, Target: c.Name, Expected: "a sha256 digest", Actual: ref.Digest})
		return
	}
	prefix, m, mapped := e.cfg.MatchImage(ref.Name)
	if !mapped {
		e.add(policy.Finding{Rule: RuleVSA, Message: fmt.Sprintf("%s: image %s matches no admission.images prefix, so no repo's summary is accepted for it", where, ref.Name),
			Path: path, Target: c.Name, Expected: "an admission.images prefix of " + ref.Name, Actual: "none"})
		return
	}
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%t", prefix, ref.Name, ref.Digest, unchanged)
	err, seen := e.vsa[key]
	if !seen {
		if e.checker == nil {
			err = fmt.Errorf("no verification summary store is configured")
		} else {
			err = e.checker.CheckVSA(e.ctx, ref.Digest, Requirement{Prefix: prefix, Image: ref.Name, ImageMapping: m, Unchanged: unchanged})
		}
		e.vsa[key] = err
	}
	if err != nil {
		e.add(policy.Finding{Rule: RuleVSA, Message: fmt.Sprintf("%s: image %s: %v", where, ref.Digest, err),
			Path: path, Target: c.Name, Expected: "a signed, fresh, PASSED verification summary", Actual: err.Error()})
	}
}

func (e *evaluation) secretless(cs []Container) {
	if e.d.meta.Labels[LabelAllowStaticSecrets] == "true" ||
		(e.d.template != nil && e.d.template.Labels[LabelAllowStaticSecrets] == "true") {
		return
	}
	deny := func(target, path, what string) {
		e.add(policy.Finding{Rule: RuleSecretless, Message: fmt.Sprintf("%s uses a static secret (%s)", target, what),
			Path: path, Target: target, Expected: "no static secret", Actual: what})
	}
	for _, c := range cs {
		for i, env := range c.Env {
			if env.ValueFrom != nil && env.ValueFrom.SecretKeyRef != nil {
				deny(fmt.Sprintf("%s %s", c.Type, c.Name), fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", c.Path, i),
					fmt.Sprintf("env %s from secret %s", env.Name, env.ValueFrom.SecretKeyRef.Name))
			}
		}
		for i, ef := range c.EnvFrom {
			if ef.SecretRef != nil {
				deny(fmt.Sprintf("%s %s", c.Type, c.Name), fmt.Sprintf("%s.envFrom[%d].secretRef", c.Path, i),
					fmt.Sprintf("envFrom secret %s", ef.SecretRef.Name))
			}
		}
	}
	for i, v := range e.d.spec.Volumes {
		p := fmt.Sprintf("%s.volumes[%d]", e.d.specPath, i)
		t := "volume " + v.Name
		for _, s := range volumeSecrets(v) {
			deny(t, p+"."+s.field, s.what)
		}
	}
}

type volumeSecret struct{ field, what string }

func volumeSecrets(v corev1.Volume) []volumeSecret {
	var out []volumeSecret
	vs := v.VolumeSource
	if vs.Secret != nil {
		out = append(out, volumeSecret{"secret", "secret volume " + vs.Secret.SecretName})
	}
	if vs.Projected != nil {
		for j, src := range vs.Projected.Sources {
			if src.Secret != nil {
				out = append(out, volumeSecret{fmt.Sprintf("projected.sources[%d].secret", j), "projected secret " + src.Secret.Name})
			}
		}
	}
	if vs.CSI != nil && vs.CSI.NodePublishSecretRef != nil {
		out = append(out, volumeSecret{"csi.nodePublishSecretRef", "CSI secret " + vs.CSI.NodePublishSecretRef.Name})
	}
	if vs.FlexVolume != nil && vs.FlexVolume.SecretRef != nil {
		out = append(out, volumeSecret{"flexVolume.secretRef", "flex volume secret " + vs.FlexVolume.SecretRef.Name})
	}
	if vs.RBD != nil && vs.RBD.SecretRef != nil {
		out = append(out, volumeSecret{"rbd.secretRef", "RBD secret " + vs.RBD.SecretRef.Name})
	}
	if vs.ISCSI != nil && vs.ISCSI.SecretRef != nil {
		out = append(out, volumeSecret{"iscsi.secretRef", "iSCSI secret " + vs.ISCSI.SecretRef.Name})
	}
	if vs.CephFS != nil && vs.CephFS.SecretRef != nil {
		out = append(out, volumeSecret{"cephfs.secretRef", "CephFS secret " + vs.CephFS.SecretRef.Name})
	}
	return out
}

func (e *evaluation) pullRequestTarget() {
	cm := e.d.configMap
	name := cm.Name
	if name == "" {
		name = cm.GenerateName
	}
	if !strings.HasPrefix(name, "workflow-") {
		return
	}
	for _, key := range []string{"workflow.yaml", "workflow.yml"} {
		src, ok := cm.Data[key]
		if !ok {
			continue
		}
		path := "data." + key
		uses, err := usesPullRequestTarget([]byte(src))
		switch {
		case err != nil:
			e.add(policy.Finding{Rule: RulePullRequestTarget, Message: fmt.Sprintf("configmap %s: %s: %v", name, key, err),
				Path: path, Target: name, Expected: "a workflow that parses", Actual: err.Error()})
		case uses:
			e.add(policy.Finding{Rule: RulePullRequestTarget, Message: fmt.Sprintf("configmap %s: %s triggers on pull_request_target", name, key),
				Path: path + ".on", Target: name, Expected: "no pull_request_target trigger", Actual: "pull_request_target"})
		}
	}
}

// usesPullRequestTarget reports whether a GitHub Actions workflow triggers
// on pull_request_target: "on" as a string, a list or a map of events.
func usesPullRequestTarget(src []byte) (bool, error) {
	if len(src) > MaxWorkflowSize {
		return false, fmt.Errorf("larger than %d bytes", MaxWorkflowSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return false, fmt.Errorf("parse workflow: %w", err)
	}
	if doc.Kind == 0 {
		return false, nil // empty document
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return false, fmt.Errorf("parse workflow: not a mapping")
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		// YAML 1.1 readers see an unquoted on as true; accept both spellings.
		if k.Value != "on" && k.Value != "true" {
			continue
		}
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Value == "pull_request_target" {
				return true, nil
			}
		case yaml.SequenceNode:
			for _, ev := range v.Content {
				if ev.Value == "pull_request_target" {
					return true, nil
				}
			}
		case yaml.MappingNode:
			for j := 0; j < len(v.Content); j += 2 {
				if v.Content[j].Value == "pull_request_target" {
					return true, nil
				}
			}
		}
	}
	return false, nil
}
