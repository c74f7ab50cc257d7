package admission

import (
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/cicd-hub/hubgate/engine/vsa"
)

// Rule ids of the admission rules (rego/admission.rego, package
// hub.admission). They are stable: waivers and dashboards key on them.
const (
	RuleDigestPinned        = "admission.digest_pinned"
	RuleRegistryAllowed     = "admission.registry_allowed"
	RuleVSA                 = "admission.vsa"
	RuleReferrerAnnotations = "admission.referrer_annotations"
	RuleSecretless          = "admission.secretless"
	RulePullRequestTarget   = "admission.pull_request_target"
)

// Annotation and label names the facts read.
const (
	AnnotationSBOMReferrer       = "ci-intel.dev/sbom-referrer"
	AnnotationProvenanceReferrer = "ci-intel.dev/provenance-referrer"
	LabelAllowStaticSecrets      = "ci-intel.dev/allow-static-secrets"
)

// MaxWorkflowSize bounds the workflow.yaml a ConfigMap may hold for parsing.
const MaxWorkflowSize = 1 << 20

// Requirement names the image whose summaries a [VSAChecker] looks for,
// with its admission.images entry (which the admission.vsa rule judges the
// summaries against, from the facts).
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
	// judged, and a summary from the future is still refused. The rule
	// reads it from [Image.Unchanged].
	Unchanged bool
}

// VSAChecker finds the verification summaries of an image digest
// ("sha256:<hex>") and verifies each one: its signature against the trusted
// key and its subject against digest. It reports facts ([VSAResult]) and
// judges no claim: whether a summary is PASSED, fresh, for an accepted repo,
// policy and verifier, with the required levels, is the admission.vsa
// rule's to judge (hub.lib.vsa_problems). req names the image (a registry
// store finds its referrers by req.Image). It must be safe for concurrent
// use.
type VSAChecker interface {
	VerifyVSA(ctx context.Context, digest string, req Requirement) VSAResult
}

// Facts is input.admission: what the object is and what it holds, read from
// the decoded object, never whether it passes. The rules of
// rego/admission.rego judge them.
type Facts struct {
	// Object names the object ("Deployment.apps prod/api"); every finding's
	// evidence.
	Object string `json:"object"`
	// Terminating is set on an UPDATE of an object that was already being
	// deleted and whose pod spec (a ConfigMap's data) did not change: it
	// starts nothing new, and no other fact is collected.
	Terminating bool `json:"terminating"`
	// Owned is set when the object has a controller ownerReference (a Pod
	// of a ReplicaSet).
	Owned bool `json:"owned"`
	// Referrers are the SBOM and provenance referrer annotations, in that
	// order, read from the object's metadata or its pod template's.
	Referrers []Referrer `json:"referrers"`
	// Images are the images of every init container, container and
	// ephemeral container, in spec order.
	Images []Image `json:"images"`
	// StaticSecretsAllowed is the ci-intel.dev/allow-static-secrets: "true"
	// label on the object or its pod template.
	StaticSecretsAllowed bool `json:"static_secrets_allowed"`
	// Secrets are the static secrets the pod spec uses.
	Secrets []Secret `json:"secrets"`
	// ConfigMap is the name (or generateName) of a ConfigMap, "" for any
	// other kind.
	ConfigMap string `json:"configmap"`
	// Workflows are the workflow.yaml and workflow.yml keys of a ConfigMap.
	Workflows []Workflow `json:"workflows"`
}

// Referrer is one referrer annotation.
type Referrer struct {
	Key string `json:"key"`
	// Value is the annotation's value, "" when it is absent.
	Value string `json:"value"`
	// Path is where it was found, "" when it is absent.
	Path string `json:"path"`
	// Error is why the reference after "oci://" does not parse, "" when
	// it parses or the value is not an oci:// reference.
	Error string `json:"error"`
}

// Image is one container's image.
type Image struct {
	// Type is "initContainer", "container" or "ephemeralContainer".
	Type string `json:"type"`
	Name string `json:"name"`
	// Path is the JSON path of the image field.
	Path  string `json:"path"`
	Image string `json:"image"`
	// Error is why the reference does not parse, "" when it does.
	Error string `json:"error"`
	// Ref is the parsed reference (zero when Error is set).
	Ref ImageRef `json:"ref"`
	// Mapping is the admission.images entry whose prefix covers Ref.Name
	// (the longest), nil when none does.
	Mapping *Mapping `json:"mapping"`
	// Unchanged: the same container had the same image in the old object
	// of an UPDATE (see [Requirement.Unchanged]).
	Unchanged bool `json:"unchanged"`
	// VSA is the checker's answer, nil when it was not asked (no sha256
	// digest, or no mapping).
	VSA *VSAResult `json:"vsa"`
}

// Mapping is the admission.images entry of an image.
type Mapping struct {
	Prefix string   `json:"prefix"`
	Repos  []string `json:"repos"`
	// PolicyDigests are the entry's accepted policy digests, on top of
	// admission.vsa.policy_digests; empty adds no constraint.
	PolicyDigests []string `json:"policy_digests"`
	// RequiredLevels must each be met by a summary's verified levels.
	RequiredLevels []string `json:"required_levels"`
}

// VSAResult is what the [VSAChecker] found for an image digest.
type VSAResult struct {
	// Error is why no summary could be looked at (no store configured,
	// none found, the store could not be read), "" when Summaries holds
	// at least one.
	Error string `json:"error"`
	// Summaries are the summaries found, in the store's order.
	Summaries []VSASummary `json:"summaries"`
	// Windows are when the summaries whose claims hold are fresh, set by
	// the engine (hub.admission.vsa_check_windows, judged once per
	// distinct check and kept across reviews); nil when not judged, and
	// the rule then judges the summaries themselves.
	Windows []VSAWindow `json:"windows"`
}

// VSAWindow is when a summary is fresh, in Unix nanoseconds, both ends
// included; Until is nil when its age is not judged.
type VSAWindow struct {
	From  int64  `json:"from"`
	Until *int64 `json:"until"`
}

// VSASummary is one summary of an image digest ([vsa.Facts]): whether it
// verified and, when it did, what it claims, never judged here.
type VSASummary = vsa.Facts

// SummaryFacts is the facts of a summary that verified ([vsa.FactsOf]).
func SummaryFacts(s vsa.Summary) VSASummary { return vsa.FactsOf(s) }

// UnverifiedFacts is the facts of a summary that did not verify
// ([vsa.UnverifiedFacts]).
func UnverifiedFacts(err error) VSASummary { return vsa.UnverifiedFacts(err) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

// Secret is one use of a static secret.
type Secret struct {
	// Target is "container api" or "volume creds".
	Target string `json:"target"`
	Path   string `json:"path"`
	// What says what it is ("env TOKEN from secret legacy").
	What string `json:"what"`
}

// Workflow is one workflow key of a ConfigMap.
type Workflow struct {
	Key  string `json:"key"`
	Path string `json:"path"`
	// PullRequestTarget: the workflow triggers on pull_request_target.
	PullRequestTarget bool `json:"pull_request_target"`
	// Error is why the workflow does not parse, "" when it does.
	Error string `json:"error"`
}

// Collect decodes obj and returns its facts. cfg supplies the image
// mappings; checker is asked once per distinct prefix, digest and
// unchanged flag, for each image with a sha256 digest and a mapping. A nil
// checker answers every image with an error.
//
// The error is non-nil only when obj cannot be judged at all: an
// unsupported kind, an object that does not decode (wrapping [ErrDecode]),
// a pod spec with no containers (wrapping [ErrInvalid]), or ctx done. The
// caller must deny on [ErrDecode] and [ErrInvalid], and otherwise deny
// unless it fails open.
func Collect(ctx context.Context, cfg Config, obj Object, checker VSAChecker) (*Facts, error) {
	d, err := decode(obj)
	if err != nil {
		return nil, err
	}
	f := &Facts{
		Object:    fmt.Sprintf("%s %s", gk(obj.Group, obj.Kind), objName(obj.Namespace, &d.meta)),
		Referrers: []Referrer{}, Images: []Image{}, Secrets: []Secret{}, Workflows: []Workflow{},
	}
	old, hasOld := decodeOld(obj)
	if hasOld && stillTerminating(d, old) {
		f.Terminating = true
		return f, nil
	}
	if d.configMap != nil {
		f.ConfigMap = d.configMap.Name
		if f.ConfigMap == "" {
			f.ConfigMap = d.configMap.GenerateName
		}
		f.Workflows = workflows(d.configMap)
		return f, ctx.Err()
	}
	for _, o := range d.meta.OwnerReferences {
		if o.Controller != nil && *o.Controller {
			f.Owned = true
		}
	}
	for _, key := range []string{AnnotationSBOMReferrer, AnnotationProvenanceReferrer} {
		r := Referrer{Key: key}
		r.Value, r.Path = annotation(d, key)
		if rest, ok := strings.CutPrefix(r.Value, "oci://"); ok {
			if _, err := ParseImage(rest); err != nil {
				r.Error = err.Error()
			}
		}
		f.Referrers = append(f.Referrers, r)
	}
	var before map[string]string
	if hasOld {
		before = images(old)
	}
	memo := &imageMemo{vsa: map[string]*VSAResult{}, mappings: map[string]*Mapping{}}
	cs := containers(d.spec, d.specPath)
	for _, c := range cs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", f.Object, err)
		}
		img, had := before[c.Type+"\x00"+c.Name]
		f.Images = append(f.Images, image(ctx, cfg, checker, memo, c, had && img == c.Image))
	}
	f.StaticSecretsAllowed = d.meta.Labels[LabelAllowStaticSecrets] == "true" ||
		(d.template != nil && d.template.Labels[LabelAllowStaticSecrets] == "true")
	f.Secrets = secrets(d, cs)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", f.Object, err)
	}
	return f, nil
}

// imageMemo is what the images of one object share: the checker's answer
// per prefix, name, digest and unchanged flag, and the mapping per
// admission.images prefix (images under one prefix share the pointer).
type imageMemo struct {
	vsa      map[string]*VSAResult
	mappings map[string]*Mapping
}

// image collects the facts of c's image, asking checker (memoised in memo)
// when the image has a sha256 digest and a mapping.
func image(ctx context.Context, cfg Config, checker VSAChecker, memo *imageMemo, c Container, unchanged bool) Image {
	im := Image{Type: c.Type, Name: c.Name, Path: c.Path + ".image", Image: c.Image, Unchanged: unchanged}
	ref, err := ParseImage(c.Image)
	if err != nil {
		im.Error = err.Error()
		return im
	}
	im.Ref = ref
	prefix, m, mapped := cfg.MatchImage(ref.Name)
	if mapped {
		im.Mapping = memo.mappings[prefix]
		if im.Mapping == nil {
			im.Mapping = &Mapping{Prefix: prefix, Repos: nonNil(m.Repos), PolicyDigests: nonNil(m.PolicyDigests), RequiredLevels: nonNil(m.RequiredLevels)}
			memo.mappings[prefix] = im.Mapping
		}
	}
	if !mapped || !strings.HasPrefix(ref.Digest, "sha256:") {
		return im
	}
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%t", prefix, ref.Name, ref.Digest, unchanged)
	r, seen := memo.vsa[key]
	if !seen {
		var res VSAResult
		if checker == nil {
			res.Error = "no verification summary store is configured"
		} else {
			res = checker.VerifyVSA(ctx, ref.Digest, Requirement{Prefix: prefix, Image: ref.Name, ImageMapping: m, Unchanged: unchanged})
		}
		if res.Summaries == nil {
			res.Summaries = []VSASummary{}
		}
		if res.Error == "" && len(res.Summaries) == 0 {
			res.Error = "no verification summary for " + ref.Digest
		}
		r = &res
		memo.vsa[key] = r
	}
	im.VSA = r
	return im
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

// annotation reads key from the object's annotations, then from its pod
// template's, with the path it was found at.
func annotation(d decoded, key string) (string, string) {
	if v, ok := d.meta.Annotations[key]; ok {
		return v, "metadata.annotations." + key
	}
	if d.template != nil {
		if v, ok := d.template.Annotations[key]; ok {
			return v, strings.TrimSuffix(d.specPath, ".spec") + ".metadata.annotations." + key
		}
	}
	return "", ""
}

// secrets lists every static secret of the containers cs and the volumes of
// d's pod spec.
func secrets(d decoded, cs []Container) []Secret {
	out := []Secret{}
	for _, c := range cs {
		target := fmt.Sprintf("%s %s", c.Type, c.Name)
		for i, env := range c.Env {
			if env.ValueFrom != nil && env.ValueFrom.SecretKeyRef != nil {
				out = append(out, Secret{Target: target, Path: fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", c.Path, i),
					What: fmt.Sprintf("env %s from secret %s", env.Name, env.ValueFrom.SecretKeyRef.Name)})
			}
		}
		for i, ef := range c.EnvFrom {
			if ef.SecretRef != nil {
				out = append(out, Secret{Target: target, Path: fmt.Sprintf("%s.envFrom[%d].secretRef", c.Path, i),
					What: fmt.Sprintf("envFrom secret %s", ef.SecretRef.Name)})
			}
		}
	}
	for i, v := range d.spec.Volumes {
		p := fmt.Sprintf("%s.volumes[%d]", d.specPath, i)
		for _, s := range volumeSecrets(v) {
			out = append(out, Secret{Target: "volume " + v.Name, Path: p + "." + s.field, What: s.what})
		}
	}
	return out
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

// workflows reads the workflow keys of a ConfigMap.
func workflows(cm *corev1.ConfigMap) []Workflow {
	out := []Workflow{}
	for _, key := range []string{"workflow.yaml", "workflow.yml"} {
		src, ok := cm.Data[key]
		if !ok {
			continue
		}
		w := Workflow{Key: key, Path: "data." + key}
		uses, err := usesPullRequestTarget([]byte(src))
		if err != nil {
			w.Error = err.Error()
		}
		w.PullRequestTarget = uses
		out = append(out, w)
	}
	return out
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
