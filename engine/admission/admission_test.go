package admission_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// testEngine is the built-in pack, compiled once for every test here: the
// admission rules are rego/admission.rego.
var testEngine = sync.OnceValues(func() (*engine.Engine, error) { return engine.New(context.Background()) })

var testNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// evaluate is what the webhook does with an object: collect its facts,
// judge them with the hub.admission rules, and return the findings.
func evaluate(ctx context.Context, cfg admission.Config, obj admission.Object, checker admission.VSAChecker) ([]policy.Finding, error) {
	e, err := testEngine()
	if err != nil {
		return nil, err
	}
	d, err := e.EvaluateAdmission(ctx, engine.AdmissionInput{Config: cfg, Object: obj, Checker: checker, Now: testNow})
	if err != nil {
		return nil, err
	}
	return d.Findings, nil
}

const (
	digA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	digC = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

// fakeChecker answers from a map of digest to the repo its summary is
// for: a digest with no entry has no summary, and a summary for a repo the
// requirement does not list is refused.
type fakeChecker struct {
	mu    sync.Mutex
	ok    map[string]string
	calls map[string]int
	reqs  []admission.Requirement
	// unchanged records req.Unchanged by digest (the last call's).
	unchanged map[string]bool
}

// newChecker has a summary for acme/api of each digest.
func newChecker(ok ...string) *fakeChecker {
	c := &fakeChecker{ok: map[string]string{}, calls: map[string]int{}, unchanged: map[string]bool{}}
	for _, d := range ok {
		c.ok[d] = "acme/api"
	}
	return c
}

func (c *fakeChecker) VerifyVSA(_ context.Context, digest string, req admission.Requirement) admission.VSAResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[digest]++
	c.reqs = append(c.reqs, req)
	c.unchanged[digest] = req.Unchanged
	repo, ok := c.ok[digest]
	if !ok {
		return admission.VSAResult{Error: "no verification summary"}
	}
	// A verified summary for repo, an hour old, that meets every other
	// claim the tests' mappings ask for.
	at := testNow.Add(-time.Hour)
	return admission.VSAResult{Summaries: []admission.VSASummary{{
		Verified: true, Digest: digest, Result: "PASSED", Repo: repo, ResourceURI: "git+https://github.com/" + repo,
		VerifierID: "https://github.com/cicd-hub/hubgate", TimeVerified: at.Format(time.RFC3339), TimeVerifiedNS: at.UnixNano(),
		PolicyDigests: []string{digC}, VerifiedLevels: []string{"SLSA_BUILD_LEVEL_1"},
	}}}
}

// mapped is the default config with every ghcr.io and Docker Hub image
// mapped to acme/api.
func mapped() admission.Config {
	c := admission.DefaultConfig()
	c.Images = map[string]admission.ImageMapping{
		"ghcr.io":   {Repos: []string{"acme/api"}},
		"docker.io": {Repos: []string{"acme/api"}},
	}
	return c
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "admission", name))
	require.NoError(t, err)
	return yamlToJSON(t, b)
}

func yamlToJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v map[string]any
	require.NoError(t, yaml.Unmarshal(b, &v))
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return out
}

func rules(fs []policy.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestEvaluateFixtures(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		checker *fakeChecker
		want    []string
		wantIn  []string // substrings of the messages
	}{
		{name: "secure with vsa", file: "deployment_secure.yaml", checker: newChecker(digA, digB, digC), want: []string{}},
		{name: "secure without vsa", file: "deployment_secure.yaml", checker: newChecker(digB), want: []string{admission.RuleVSA}, wantIn: []string{"container api", digA, "no verification summary"}},
		{name: "tagged", file: "deployment_tagged.yaml", checker: newChecker(digA, digB, digC), want: []string{admission.RuleDigestPinned}, wantIn: []string{"container api", "api:latest is not pinned"}},
		{name: "missing referrers", file: "deployment_missing_referrers.yaml", checker: newChecker(digA, digB, digC),
			want: []string{admission.RuleReferrerAnnotations, admission.RuleReferrerAnnotations}, wantIn: []string{"ci-intel.dev/sbom-referrer is missing", "ci-intel.dev/provenance-referrer is missing"}},
		{name: "secret env", file: "deployment_secret_env.yaml", checker: newChecker(digA, digB, digC),
			want: []string{admission.RuleReferrerAnnotations, admission.RuleReferrerAnnotations, admission.RuleSecretless}, wantIn: []string{"container api uses a static secret (env LEGACY_TOKEN from secret legacy-token)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := evaluate(context.Background(), mapped(),
				admission.Object{Group: "apps", Kind: "Deployment", Namespace: "prod", Raw: fixture(t, tc.file)}, tc.checker)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rules(fs))
			var msgs []string
			for _, f := range fs {
				msgs = append(msgs, f.Message)
				assert.Equal(t, policy.OutcomeFail, f.Outcome)
				assert.NotEqual(t, policy.SeverityUnknown, f.Severity)
				assert.NotEmpty(t, f.Remediation)
				assert.True(t, strings.HasPrefix(f.Evidence, "Deployment.apps prod/ci-intel-"), f.Evidence)
			}
			for _, w := range tc.wantIn {
				assert.Contains(t, strings.Join(msgs, "\n"), w)
			}
		})
	}
	t.Run("secret env path", func(t *testing.T) {
		fs, err := evaluate(context.Background(), mapped(),
			admission.Object{Group: "apps", Kind: "Deployment", Namespace: "prod", Raw: fixture(t, "deployment_secret_env.yaml")}, newChecker(digC))
		require.NoError(t, err)
		require.Len(t, fs, 3)
		assert.Equal(t, "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef", fs[2].Path)
	})
}

func pod(spec string, meta string) []byte {
	return []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"` + meta + `},"spec":` + spec + `}`)
}

const goodMeta = `,"annotations":{"ci-intel.dev/sbom-referrer":"oci://ghcr.io/a/sbom@` + digB + `","ci-intel.dev/provenance-referrer":"oci://ghcr.io/a/prov@` + digC + `"}`

func TestEvaluatePods(t *testing.T) {
	img := func(d string) string { return "ghcr.io/acme/api@" + d }
	tests := []struct {
		name   string
		cfg    func(*admission.Config)
		raw    []byte
		ok     []string
		want   []string
		paths  []string
		checks map[string]int
	}{
		{
			name:   "all container kinds, each digest checked once",
			raw:    pod(`{"initContainers":[{"name":"i","image":"`+img(digA)+`"}],"containers":[{"name":"a","image":"`+img(digA)+`"},{"name":"b","image":"`+img(digB)+`"},{"name":"c","image":"`+img(digA)+`"}],"ephemeralContainers":[{"name":"e","image":"`+img(digC)+`"}]}`, goodMeta),
			ok:     []string{digA, digB},
			want:   []string{admission.RuleVSA},
			paths:  []string{"spec.ephemeralContainers[0].image"},
			checks: map[string]int{digA: 1, digB: 1, digC: 1},
		},
		{
			name: "unpinned init container and docker hub short name",
			raw:  pod(`{"initContainers":[{"name":"i","image":"busybox"}],"containers":[{"name":"a","image":"nginx:1.27"}]}`, goodMeta),
			want: []string{admission.RuleDigestPinned, admission.RuleDigestPinned},
			// Report order: by rule, then by target (the container name).
			paths: []string{"spec.containers[0].image", "spec.initContainers[0].image"},
		},
		{
			name:  "invalid reference is not pinned",
			raw:   pod(`{"containers":[{"name":"a","image":"ghcr.io/Acme/API@sha256:zz"}]}`, goodMeta),
			want:  []string{admission.RuleDigestPinned},
			paths: []string{"spec.containers[0].image"},
		},
		{
			name:  "registry not allowed, on a path boundary",
			cfg:   func(c *admission.Config) { c.Registries = []string{"ghcr.io/acme"} },
			raw:   pod(`{"containers":[{"name":"a","image":"ghcr.io/acme-evil/api@`+digA+`"},{"name":"b","image":"ghcr.io/acme/api@`+digA+`"}]}`, goodMeta),
			ok:    []string{digA},
			want:  []string{admission.RuleRegistryAllowed},
			paths: []string{"spec.containers[0].image"},
		},
		{
			name: "docker hub prefix",
			cfg:  func(c *admission.Config) { c.Registries = []string{"docker.io/library/"} },
			raw:  pod(`{"containers":[{"name":"a","image":"nginx@`+digA+`"}]}`, goodMeta),
			ok:   []string{digA},
			want: []string{},
		},
		{
			name: "secret volumes of every kind",
			raw: pod(`{"containers":[{"name":"a","image":"`+img(digA)+`","envFrom":[{"secretRef":{"name":"s0"}}]}],"volumes":[
				{"name":"v0","secret":{"secretName":"s1"}},
				{"name":"v1","projected":{"sources":[{"configMap":{"name":"c"}},{"secret":{"name":"s2"}}]}},
				{"name":"v2","csi":{"driver":"d","nodePublishSecretRef":{"name":"s3"}}},
				{"name":"v3","flexVolume":{"driver":"d","secretRef":{"name":"s4"}}},
				{"name":"v4","rbd":{"monitors":["m"],"image":"i","secretRef":{"name":"s5"}}},
				{"name":"v5","iscsi":{"targetPortal":"t","iqn":"q","lun":0,"secretRef":{"name":"s6"}}},
				{"name":"v6","cephfs":{"monitors":["m"],"secretRef":{"name":"s7"}}},
				{"name":"v7","csi":{"driver":"d"}},
				{"name":"v8","emptyDir":{}}]}`, goodMeta),
			ok:   []string{digA},
			want: []string{admission.RuleSecretless, admission.RuleSecretless, admission.RuleSecretless, admission.RuleSecretless, admission.RuleSecretless, admission.RuleSecretless, admission.RuleSecretless, admission.RuleSecretless},
			paths: []string{"spec.containers[0].envFrom[0].secretRef", "spec.volumes[0].secret", "spec.volumes[1].projected.sources[1].secret",
				"spec.volumes[2].csi.nodePublishSecretRef", "spec.volumes[3].flexVolume.secretRef", "spec.volumes[4].rbd.secretRef",
				"spec.volumes[5].iscsi.secretRef", "spec.volumes[6].cephfs.secretRef"},
		},
		{
			name: "static secret exception label",
			raw:  pod(`{"containers":[{"name":"a","image":"`+img(digA)+`","env":[{"name":"T","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}`, goodMeta+`,"labels":{"ci-intel.dev/allow-static-secrets":"true"}`),
			ok:   []string{digA},
			want: []string{},
		},
		{
			name:  "exception label must be exactly true",
			raw:   pod(`{"containers":[{"name":"a","image":"`+img(digA)+`","env":[{"name":"T","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}`, goodMeta+`,"labels":{"ci-intel.dev/allow-static-secrets":"yes"}`),
			ok:    []string{digA},
			want:  []string{admission.RuleSecretless},
			paths: []string{"spec.containers[0].env[0].valueFrom.secretKeyRef"},
		},
		{
			name:  "referrer not oci",
			raw:   pod(`{"containers":[{"name":"a","image":"`+img(digA)+`"}]}`, `,"annotations":{"ci-intel.dev/sbom-referrer":"https://ghcr.io/a/sbom","ci-intel.dev/provenance-referrer":"oci://"}`),
			ok:    []string{digA},
			want:  []string{admission.RuleReferrerAnnotations, admission.RuleReferrerAnnotations},
			paths: []string{"metadata.annotations.ci-intel.dev/provenance-referrer", "metadata.annotations.ci-intel.dev/sbom-referrer"},
		},
		{
			name: "controller-owned pod: referrers come from the owner, every other rule applies",
			raw:  pod(`{"containers":[{"name":"a","image":"ghcr.io/acme/api:1"}]}`, `,"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u","controller":true}]`),
			want: []string{admission.RuleDigestPinned},
		},
		{
			name: "non-controller owner does not count",
			raw:  pod(`{"containers":[{"name":"a","image":"`+img(digA)+`"}]}`, `,"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"u"}]`),
			ok:   []string{digA},
			want: []string{admission.RuleReferrerAnnotations, admission.RuleReferrerAnnotations},
		},
		{
			name:   "nil checker fails closed",
			raw:    pod(`{"containers":[{"name":"a","image":"`+img(digA)+`"}]}`, goodMeta),
			want:   []string{admission.RuleVSA},
			checks: map[string]int{},
		},
		{
			name: "sha512 pinned has no summary",
			raw:  pod(`{"containers":[{"name":"a","image":"ghcr.io/a/b@sha512:`+strings.Repeat("ab", 64)+`"}]}`, goodMeta),
			ok:   []string{digA},
			want: []string{admission.RuleVSA},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mapped()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			c := newChecker(tc.ok...)
			var checker admission.VSAChecker = c
			if tc.name == "nil checker fails closed" {
				checker = nil
			}
			fs, err := evaluate(context.Background(), cfg, admission.Object{Kind: "Pod", Namespace: "ns", Raw: tc.raw}, checker)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rules(fs))
			if tc.paths != nil {
				var paths []string
				for _, f := range fs {
					paths = append(paths, f.Path)
				}
				assert.Equal(t, tc.paths, paths)
			}
			if tc.checks != nil {
				assert.Equal(t, tc.checks, c.calls)
			}
		})
	}
}

func TestEvaluateWorkloads(t *testing.T) {
	tmpl := `{"metadata":{"annotations":{"ci-intel.dev/sbom-referrer":"oci://ghcr.io/a/sbom@` + digB + `","ci-intel.dev/provenance-referrer":"oci://ghcr.io/a/prov@` + digC + `"}},"spec":{"containers":[{"name":"w","image":"ghcr.io/a/w:1"}]}}`
	tests := []struct {
		group, kind, raw, path string
	}{
		{"apps", "Deployment", `{"spec":{"template":` + tmpl + `}}`, "spec.template.spec.containers[0].image"},
		{"apps", "StatefulSet", `{"spec":{"template":` + tmpl + `}}`, "spec.template.spec.containers[0].image"},
		{"apps", "DaemonSet", `{"spec":{"template":` + tmpl + `}}`, "spec.template.spec.containers[0].image"},
		{"apps", "ReplicaSet", `{"spec":{"template":` + tmpl + `}}`, "spec.template.spec.containers[0].image"},
		{"batch", "Job", `{"spec":{"template":` + tmpl + `}}`, "spec.template.spec.containers[0].image"},
		{"batch", "CronJob", `{"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":` + tmpl + `}}}}`, "spec.jobTemplate.spec.template.spec.containers[0].image"},
		{"", "ReplicationController", `{"spec":{"template":` + tmpl + `}}`, "spec.template.spec.containers[0].image"},
		{"", "PodTemplate", `{"template":` + tmpl + `}`, "template.spec.containers[0].image"},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			fs, err := evaluate(context.Background(), admission.DefaultConfig(), admission.Object{Group: tc.group, Kind: tc.kind, Namespace: "ns", Raw: []byte(tc.raw)}, newChecker())
			require.NoError(t, err)
			// Referrers come from the pod template; the tag is caught.
			require.Equal(t, []string{admission.RuleDigestPinned}, rules(fs))
			assert.Equal(t, tc.path, fs[0].Path)
			assert.Equal(t, "w", fs[0].Target)
		})
	}
}

func TestEvaluateConfigMaps(t *testing.T) {
	cm := func(name, wf string) []byte {
		b, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}, "data": map[string]string{"workflow.yaml": wf}})
		if err != nil {
			panic(err)
		}
		return b
	}
	tests := []struct {
		name string
		raw  []byte
		want []string
	}{
		{"string trigger", cm("workflow-a", "on: pull_request_target\njobs: {}\n"), []string{admission.RulePullRequestTarget}},
		{"list trigger", cm("workflow-a", "on: [push, pull_request_target]\n"), []string{admission.RulePullRequestTarget}},
		{"map trigger", cm("workflow-a", "name: x\non:\n  pull_request_target:\n    types: [opened]\n"), []string{admission.RulePullRequestTarget}},
		{"quoted on", cm("workflow-a", "\"on\":\n  pull_request_target: {}\n"), []string{admission.RulePullRequestTarget}},
		{"pull_request is fine", cm("workflow-a", "on:\n  pull_request: {}\njobs:\n  x:\n    name: pull_request_target\n"), []string{}},
		{"other names are not workflows", cm("settings", "on: pull_request_target\n"), []string{}},
		{"unparsable workflow fails closed", cm("workflow-b", "on: [\n"), []string{admission.RulePullRequestTarget}},
		{"not a mapping fails closed", cm("workflow-b", "- a\n"), []string{admission.RulePullRequestTarget}},
		{"generateName", []byte(`{"metadata":{"generateName":"workflow-"},"data":{"workflow.yaml":"on: pull_request_target"}}`), []string{admission.RulePullRequestTarget}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := evaluate(context.Background(), admission.DefaultConfig(), admission.Object{Kind: "ConfigMap", Namespace: "ns", Raw: tc.raw}, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rules(fs))
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		obj  admission.Object
		is   error
		want string
	}{
		{name: "unsupported", ctx: context.Background(), obj: admission.Object{Kind: "Secret", Raw: []byte(`{}`)}, want: "unsupported kind"},
		{name: "empty", ctx: context.Background(), obj: admission.Object{Kind: "Pod"}, is: admission.ErrDecode},
		{name: "bad json", ctx: context.Background(), obj: admission.Object{Kind: "Pod", Raw: []byte(`{"spec":{"containers":"x"}}`)}, is: admission.ErrDecode},
		{name: "cancelled", ctx: ctx, obj: admission.Object{Kind: "Pod", Raw: pod(`{"containers":[{"name":"a","image":"x"}]}`, goodMeta)}, is: context.Canceled},
		{name: "pod without containers", ctx: context.Background(), obj: admission.Object{Kind: "Pod", Raw: pod(`{"containers":[]}`, goodMeta)}, is: admission.ErrInvalid, want: "spec.containers is empty"},
		{name: "pod with only init and ephemeral containers", ctx: context.Background(), obj: admission.Object{Kind: "Pod", Raw: pod(`{"initContainers":[{"name":"i","image":"x"}],"ephemeralContainers":[{"name":"e","image":"y"}]}`, goodMeta)}, is: admission.ErrInvalid, want: "spec.containers is empty"},
		{name: "deployment template without containers", ctx: context.Background(), obj: admission.Object{Group: "apps", Kind: "Deployment", Raw: []byte(`{"spec":{"template":{"spec":{}}}}`)}, is: admission.ErrInvalid, want: "spec.template.spec.containers is empty"},
		{name: "cronjob without containers", ctx: context.Background(), obj: admission.Object{Group: "batch", Kind: "CronJob", Raw: []byte(`{"spec":{}}`)}, is: admission.ErrInvalid, want: "spec.jobTemplate.spec.template.spec.containers is empty"},
		{name: "replication controller without template", ctx: context.Background(), obj: admission.Object{Kind: "ReplicationController", Raw: []byte(`{"spec":{"replicas":1}}`)}, is: admission.ErrInvalid, want: "spec.template.spec.containers is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evaluate(tc.ctx, admission.DefaultConfig(), tc.obj, newChecker())
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestTerminating: only an UPDATE of an object that was already being
// deleted, with its pod spec unchanged, skips the checks.
func TestTerminating(t *testing.T) {
	const del = `,"deletionTimestamp":"2026-11-28T00:00:00Z","finalizers":["x"]`
	bad := pod(`{"containers":[{"name":"a","image":"nginx"}]}`, goodMeta+del)
	badOther := pod(`{"containers":[{"name":"a","image":"nginx:2"}]}`, goodMeta+del)
	badLive := pod(`{"containers":[{"name":"a","image":"nginx"}]}`, goodMeta)
	// The same object with its finalizer removed: metadata changes only.
	badDone := pod(`{"containers":[{"name":"a","image":"nginx"}]}`, goodMeta+`,"deletionTimestamp":"2026-11-28T00:00:00Z"`)
	cm := func(wf, meta string) []byte {
		return []byte(`{"metadata":{"name":"workflow-a"` + meta + `},"data":{"workflow.yaml":"` + wf + `"}}`)
	}
	tests := []struct {
		name     string
		kind     string
		op       string
		raw, old []byte
		skipped  bool
	}{
		{name: "update of a terminating pod, spec unchanged", kind: "Pod", op: admission.OperationUpdate, raw: badDone, old: bad, skipped: true},
		{name: "create with deletionTimestamp", kind: "Pod", op: admission.OperationCreate, raw: bad},
		{name: "no operation with deletionTimestamp", kind: "Pod", raw: bad},
		{name: "update that sets deletionTimestamp", kind: "Pod", op: admission.OperationUpdate, raw: bad, old: badLive},
		{name: "update of a terminating pod that changes an image", kind: "Pod", op: admission.OperationUpdate, raw: badOther, old: bad},
		{name: "update without the old object", kind: "Pod", op: admission.OperationUpdate, raw: bad},
		{name: "update with an old object that does not decode", kind: "Pod", op: admission.OperationUpdate, raw: bad, old: []byte(`{"spec":{"containers":"x"}}`)},
		{name: "update of a terminating configmap, data unchanged", kind: "ConfigMap", op: admission.OperationUpdate, raw: cm("on: pull_request_target", del), old: cm("on: pull_request_target", del), skipped: true},
		{name: "update of a terminating configmap that changes its data", kind: "ConfigMap", op: admission.OperationUpdate, raw: cm("on: pull_request_target", del), old: cm("on: push", del)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := evaluate(context.Background(), mapped(), admission.Object{Kind: tc.kind, Namespace: "ns", Raw: tc.raw, Operation: tc.op, OldRaw: tc.old}, newChecker())
			require.NoError(t, err)
			if tc.skipped {
				assert.Empty(t, fs)
				return
			}
			assert.NotEmpty(t, fs, "judged, and the object is bad")
		})
	}
}

// TestUnchangedImages: on an UPDATE, the checker is told which images the
// same container (type and name) already had, so that it does not judge
// their summaries' age again; new, renamed and changed containers, and
// every container of a CREATE, are judged fully.
func TestUnchangedImages(t *testing.T) {
	img := func(d string) string { return "ghcr.io/acme/api@" + d }
	spec := func(cs ...string) string {
		return `{"initContainers":[{"name":"init","image":"` + img(digC) + `"}],"containers":[` + strings.Join(cs, ",") + `]}`
	}
	c := func(name, image string) string { return `{"name":"` + name + `","image":"` + image + `"}` }
	old := pod(spec(c("api", img(digA)), c("side", img(digB))), goodMeta)
	tests := []struct {
		name string
		op   string
		raw  []byte
		old  []byte
		want map[string]bool // digest -> Unchanged
	}{
		{name: "create", op: admission.OperationCreate, raw: old, want: map[string]bool{digA: false, digB: false, digC: false}},
		{name: "update, images unchanged", op: admission.OperationUpdate, raw: pod(spec(c("api", img(digA)), c("side", img(digB))), goodMeta+`,"labels":{"x":"y"}`), old: old,
			want: map[string]bool{digA: true, digB: true, digC: true}},
		{name: "update swaps two containers' images", op: admission.OperationUpdate, raw: pod(spec(c("api", img(digB)), c("side", img(digA))), goodMeta), old: old,
			want: map[string]bool{digA: false, digB: false, digC: true}},
		{name: "update renames a container", op: admission.OperationUpdate, raw: pod(spec(c("api2", img(digA)), c("side", img(digB))), goodMeta), old: old,
			want: map[string]bool{digA: false, digB: true, digC: true}},
		{name: "update without the old object", op: admission.OperationUpdate, raw: old, want: map[string]bool{digA: false, digB: false, digC: false}},
		{name: "old object does not decode", op: admission.OperationUpdate, raw: old, old: []byte(`{"spec":{"containers":"x"}}`), want: map[string]bool{digA: false, digB: false, digC: false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := newChecker(digA, digB, digC)
			fs, err := evaluate(context.Background(), mapped(), admission.Object{Kind: "Pod", Namespace: "ns", Raw: tc.raw, Operation: tc.op, OldRaw: tc.old}, ch)
			require.NoError(t, err)
			assert.Empty(t, fs)
			assert.Equal(t, tc.want, ch.unchanged)
		})
	}

	t.Run("same digest unchanged in one container and new in another", func(t *testing.T) {
		ch := newChecker(digA, digC)
		raw := pod(spec(c("api", img(digA)), c("new", img(digA))), goodMeta)
		_, err := evaluate(context.Background(), mapped(), admission.Object{Kind: "Pod", Namespace: "ns", Raw: raw, Operation: admission.OperationUpdate,
			OldRaw: pod(spec(c("api", img(digA))), goodMeta)}, ch)
		require.NoError(t, err)
		assert.Equal(t, 2, ch.calls[digA], "asked once as unchanged and once as new")
		require.Len(t, ch.reqs, 3)
		assert.True(t, ch.reqs[1].Unchanged)
		assert.False(t, ch.reqs[2].Unchanged)
	})
}

// TestImageMapping: the longest admission.images prefix decides whose
// summaries an image accepts; an image under no prefix has none.
func TestImageMapping(t *testing.T) {
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{
		"ghcr.io":          {Repos: []string{"acme/lax"}},
		"ghcr.io/acme":     {Repos: []string{"acme/api"}, PolicyDigests: []string{digC}, RequiredLevels: []string{"SLSA_BUILD_LEVEL_1"}},
		"ghcr.io/acme/web": {Repos: []string{"acme/web"}},
	}
	for _, tc := range []struct {
		image, prefix string
		repos         []string
		ok            bool
	}{
		{"ghcr.io/acme/api", "ghcr.io/acme", []string{"acme/api"}, true},
		{"ghcr.io/acme/web", "ghcr.io/acme/web", []string{"acme/web"}, true},
		{"ghcr.io/acme/web/sub", "ghcr.io/acme/web", []string{"acme/web"}, true},
		{"ghcr.io/acme/webshop", "ghcr.io/acme", []string{"acme/api"}, true},
		{"ghcr.io/acme-evil/api", "ghcr.io", []string{"acme/lax"}, true},
		{"ghcr.io.evil/acme/api", "", nil, false},
		{"quay.io/acme/api", "", nil, false},
	} {
		p, m, ok := cfg.MatchImage(tc.image)
		assert.Equal(t, tc.ok, ok, tc.image)
		assert.Equal(t, tc.prefix, p, tc.image)
		assert.Equal(t, tc.repos, m.Repos, tc.image)
	}

	c := newChecker(digA)
	c.ok[digB] = "acme/lax"
	raw := pod(`{"containers":[
		{"name":"api","image":"ghcr.io/acme/api@`+digA+`"},
		{"name":"api2","image":"ghcr.io/acme/api2@`+digA+`"},
		{"name":"lax","image":"ghcr.io/acme/api@`+digB+`"},
		{"name":"other","image":"ghcr.io/other/x@`+digA+`"},
		{"name":"quay","image":"quay.io/acme/api@`+digA+`"}]}`, goodMeta)
	fs, err := evaluate(context.Background(), cfg, admission.Object{Kind: "Pod", Namespace: "ns", Raw: raw}, c)
	require.NoError(t, err)
	var got []string
	for _, f := range fs {
		got = append(got, f.Target+": "+f.Message)
	}
	assert.Equal(t, []string{
		"lax: container lax: image " + digB + ": repository not accepted: summary is for acme/lax, want one of [acme/api]",
		"other: container other: image " + digA + ": repository not accepted: summary is for acme/api, want one of [acme/lax]",
		"quay: container quay: image quay.io/acme/api matches no admission.images prefix, so no repo's summary is accepted for it",
	}, got)
	// One call per (prefix, image name, digest): a registry store finds
	// summaries under the image's own repository. None for the unmapped
	// image.
	assert.Equal(t, map[string]int{digA: 3, digB: 1}, c.calls)
	assert.Equal(t, admission.Requirement{Prefix: "ghcr.io/acme", Image: "ghcr.io/acme/api", ImageMapping: cfg.Images["ghcr.io/acme"]}, c.reqs[0])
	assert.Equal(t, "ghcr.io/acme", c.reqs[1].Prefix)
	assert.Equal(t, "ghcr.io/acme/api2", c.reqs[1].Image)
	assert.Equal(t, "ghcr.io", c.reqs[3].Prefix)
}

func TestCheckServe(t *testing.T) {
	c := admission.DefaultConfig()
	_, err := c.CheckServe()
	require.ErrorIs(t, err, admission.ErrNoImages, "enforce by default")
	assert.Contains(t, err.Error(), "admission.images is empty")

	c.DefaultMode = admission.ModeAudit
	c.Namespaces = map[string]admission.NamespaceConfig{"dev": {Mode: admission.ModeAudit}}
	w, err := c.CheckServe()
	require.NoError(t, err, "audit everywhere")
	require.Len(t, w, 1)
	assert.Contains(t, w[0], "admission.images is empty")

	c.Namespaces["prod"] = admission.NamespaceConfig{Mode: admission.ModeEnforce}
	_, err = c.CheckServe()
	require.ErrorIs(t, err, admission.ErrNoImages, "one enforced namespace")

	c.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}}}
	w, err = c.CheckServe()
	require.NoError(t, err)
	assert.Empty(t, w)
}

func TestConfig(t *testing.T) {
	c, err := admission.ParseConfig([]byte(`{"namespaces":{"dev":{"mode":"audit","failure":"open"}},"registries":["ghcr.io/acme"],"vsa":{"max_age":"24h","policy_digests":["` + digA + `"],"verifier_id":"v"}}`))
	require.NoError(t, err)
	nc, exempt := c.Namespace("dev")
	assert.False(t, exempt)
	assert.Equal(t, admission.NamespaceConfig{Mode: admission.ModeAudit, Failure: admission.FailOpen}, nc)
	nc, exempt = c.Namespace("prod")
	assert.False(t, exempt)
	assert.Equal(t, admission.NamespaceConfig{Mode: admission.ModeEnforce, Failure: admission.FailClosed}, nc)
	_, exempt = c.Namespace("kube-system")
	assert.True(t, exempt, "defaults survive a partial section")
	assert.EqualValues(t, 24*60*60*1e9, c.VSA.MaxAge)

	def := admission.DefaultConfig()
	_, exempt = def.Namespace("hubgate-system")
	assert.True(t, exempt)
	nc, _ = def.Namespace("anything")
	assert.Equal(t, admission.ModeEnforce, nc.Mode)
	assert.Equal(t, admission.FailClosed, nc.Failure)

	for _, bad := range []struct{ name, json, want string }{
		{"bad mode", `{"default_mode":"warn"}`, "want enforce or audit"},
		{"bad failure", `{"namespaces":{"a":{"failure":"maybe"}}}`, "want closed or open"},
		{"bad age", `{"vsa":{"max_age":"forever"}}`, "duration"},
		{"zero age", `{"vsa":{"max_age":"0s"}}`, "must be positive"},
		{"bad digest", `{"vsa":{"policy_digests":["sha256:AB"]}}`, "policy_digests[0]"},
		{"bad registry", `{"registries":["oci://ghcr.io"]}`, "registries[0]"},
		{"image prefix with a tag", `{"images":{"ghcr.io/acme/api:1":{"repos":["acme/api"]}}}`, `images["ghcr.io/acme/api:1"]: not an image name prefix`},
		{"image prefix with a slash", `{"images":{"ghcr.io/acme/":{"repos":["acme/api"]}}}`, "not an image name prefix"},
		{"image prefix without registry", `{"images":{"nginx":{"repos":["acme/api"]}}}`, "not an image name prefix"},
		{"image prefix with scheme", `{"images":{"oci://ghcr.io":{"repos":["acme/api"]}}}`, "not an image name prefix"},
		{"image without repos", `{"images":{"ghcr.io/acme":{}}}`, `images["ghcr.io/acme"].repos: empty`},
		{"image bad repo", `{"images":{"ghcr.io/acme":{"repos":["acme"]}}}`, `.repos[0]: "acme": want owner/name`},
		{"image bad digest", `{"images":{"ghcr.io/acme":{"repos":["acme/api"],"policy_digests":["sha256:AB"]}}}`, ".policy_digests[0]"},
		{"image empty level", `{"images":{"ghcr.io/acme":{"repos":["acme/api"],"required_levels":[""]}}}`, ".required_levels[0]: empty"},
		{"unknown field", `{"mode":"audit"}`, "unknown field"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := admission.ParseConfig([]byte(bad.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), bad.want)
		})
	}
}

func TestParseImage(t *testing.T) {
	tests := []struct {
		in, name, digest, tag, err string
	}{
		{in: "nginx", name: "docker.io/library/nginx", tag: ""},
		{in: "nginx:1.27", name: "docker.io/library/nginx", tag: "1.27"},
		{in: "acme/api@" + digA, name: "docker.io/acme/api", digest: digA},
		{in: "localhost/api:1", name: "localhost/api", tag: "1"},
		{in: "localhost:5000/api@" + digA, name: "localhost:5000/api", digest: digA},
		{in: "ghcr.io/a/b:v1@" + digA, name: "ghcr.io/a/b", digest: digA, tag: "v1"},
		{in: "", err: "empty"},
		{in: "ghcr.io/a/b@sha256:abc", err: "invalid digest"},
		{in: "ghcr.io/A/b:1", err: "invalid repository"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := admission.ParseImage(tc.in)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.name, r.Name)
			assert.Equal(t, tc.digest, r.Digest)
			assert.Equal(t, tc.tag, r.Tag)
		})
	}
}
