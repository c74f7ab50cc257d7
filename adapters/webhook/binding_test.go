package webhook_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
)

const (
	imgA = "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api@sha256:" + hexA
	imgB = "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api@sha256:" + hexB
	meta = `"name":"p","annotations":{"ci-intel.dev/sbom-referrer":"oci://ghcr.io/a/sbom@sha256:` + hexB + `","ci-intel.dev/provenance-referrer":"oci://ghcr.io/a/prov@sha256:` + hexC + `"}`
)

// podJSON is an annotated Pod with one container of image main, the
// ephemeral containers eph (JSON list items), and extra metadata.
func podJSON(main, eph, extraMeta string) []byte {
	s := `{"apiVersion":"v1","kind":"Pod","metadata":{` + meta + extraMeta + `},"spec":{"containers":[{"name":"api","image":"` + main + `"}]`
	if eph != "" {
		s += `,"ephemeralContainers":[` + eph + `]`
	}
	return []byte(s + `}}`)
}

// TestEphemeralContainers: a review of the pods/ephemeralcontainers
// subresource (kind Pod, the whole Pod as its object, operation UPDATE) is
// judged like the Pod, ephemeral containers included.
func TestEphemeralContainers(t *testing.T) {
	e := newEnv(t, mappedConfig(), nil)
	hour := now.Add(-time.Hour)
	writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, hour, true))
	writeVSA(t, e.dir, hexB, mint(t, e.key, hexB, hour, true))
	old := podJSON(imgA, "", "")
	tests := []struct {
		name    string
		eph     string
		allowed bool
		inMsg   []string
	}{
		{name: "unpinned", eph: `{"name":"debugger","image":"busybox:1.36"}`,
			inMsg: []string{"hubgate denied Pod prod/x (ephemeralcontainers):", "[admission.digest_pinned] ephemeralContainer debugger: image busybox:1.36 is not pinned"}},
		{name: "pinned without summary", eph: `{"name":"debugger","image":"ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api@sha256:` + hexC + `"}`,
			inMsg: []string{"[admission.vsa] ephemeralContainer debugger", "no verification summary"}},
		{name: "pinned, unmapped", eph: `{"name":"debugger","image":"quay.io/tools/debug@sha256:` + hexB + `"}`,
			inMsg: []string{"[admission.vsa] ephemeralContainer debugger: image quay.io/tools/debug matches no admission.images prefix"}},
		{name: "pinned and summarised", eph: `{"name":"debugger","image":"` + imgB + `"}`, allowed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := post(t, e.h, reviewJSON(t, podJSON(imgA, tc.eph, ""), reviewOpts{group: "", kind: "Pod", op: admissionv1.Update, subResource: "ephemeralcontainers", old: old}))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, tc.allowed, out.Response.Allowed)
			if tc.allowed {
				return
			}
			assert.EqualValues(t, http.StatusForbidden, out.Response.Result.Code)
			for _, s := range tc.inMsg {
				assert.Contains(t, out.Response.Result.Message, s)
			}
		})
	}
	t.Run("old EphemeralContainers kind fails closed", func(t *testing.T) {
		body := reviewJSON(t, []byte(`{"kind":"EphemeralContainers","ephemeralContainers":[{"name":"d","image":"busybox"}]}`), reviewOpts{group: "", kind: "EphemeralContainers", op: admissionv1.Update, subResource: "ephemeralcontainers"})
		body = []byte(strings.Replace(string(body), `"resource":"ephemeralcontainerss"`, `"resource":"pods"`, 1))
		code, out := post(t, e.h, body)
		require.Equal(t, http.StatusOK, code)
		assert.False(t, out.Response.Allowed)
		assert.Contains(t, out.Response.Result.Message, "kind EphemeralContainers is not evaluated")
	})
	t.Run("update of a container image", func(t *testing.T) {
		code, out := post(t, e.h, reviewJSON(t, podJSON("ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api:latest", "", ""), reviewOpts{group: "", kind: "Pod", op: admissionv1.Update, old: old}))
		require.Equal(t, http.StatusOK, code)
		assert.False(t, out.Response.Allowed)
		assert.Contains(t, out.Response.Result.Message, "[admission.digest_pinned] container api")
	})
}

// TestOperations: an operation the API server never sends is denied.
func TestOperations(t *testing.T) {
	e := newEnv(t, mappedConfig(), nil)
	obj := podJSON(imgA, "", "")
	for _, tc := range []struct {
		op      admissionv1.Operation
		allowed bool
	}{
		{op: "-"}, // empty
		{op: "PATCH"},
		{op: "create"},
		{op: admissionv1.Delete, allowed: true},
		{op: admissionv1.Connect, allowed: true},
	} {
		t.Run(string(tc.op), func(t *testing.T) {
			code, out := post(t, e.h, reviewJSON(t, obj, reviewOpts{group: "", kind: "Pod", op: tc.op, namespace: "kube-system"}))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, tc.allowed, out.Response.Allowed)
			if tc.allowed {
				return
			}
			assert.EqualValues(t, http.StatusBadRequest, out.Response.Result.Code)
			assert.Contains(t, out.Response.Result.Message, "is not one the API server sends")
		})
	}
}

// TestInvalidObjects: objects the API server never sends are denied, even
// in a namespace that fails open.
func TestInvalidObjects(t *testing.T) {
	cfg := mappedConfig()
	cfg.Namespaces = map[string]admission.NamespaceConfig{"lab": {Mode: admission.ModeAudit, Failure: admission.FailOpen}}
	e := newEnv(t, cfg, nil)
	for _, tc := range []struct {
		name, group, kind, obj, inMsg string
	}{
		{name: "pod without containers", kind: "Pod", obj: `{"metadata":{"name":"p"},"spec":{"containers":[]}}`, inMsg: "spec.containers is empty"},
		{name: "pod with only ephemeral containers", kind: "Pod", obj: `{"metadata":{"name":"p"},"spec":{"ephemeralContainers":[{"name":"e","image":"busybox"}]}}`, inMsg: "spec.containers is empty"},
		{name: "deployment without containers", group: "apps", kind: "Deployment", obj: `{"metadata":{"name":"d"},"spec":{"template":{"spec":{}}}}`, inMsg: "spec.template.spec.containers is empty"},
		{name: "pod that does not decode", kind: "Pod", obj: `{"spec":{"containers":"x"}}`, inMsg: "does not decode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, ns := range []string{"prod", "lab"} {
				code, out := post(t, e.h, reviewJSON(t, []byte(tc.obj), reviewOpts{group: tc.group, kind: tc.kind, namespace: ns}))
				require.Equal(t, http.StatusOK, code)
				assert.False(t, out.Response.Allowed, ns)
				assert.EqualValues(t, http.StatusBadRequest, out.Response.Result.Code, ns)
				assert.Contains(t, out.Response.Result.Message, tc.inMsg, ns)
			}
		})
	}
}

// TestTerminatingReviews: only an UPDATE of an already terminating object
// whose pod spec is unchanged skips the checks.
func TestTerminatingReviews(t *testing.T) {
	e := newEnv(t, mappedConfig(), nil) // the store is empty: every pinned image fails admission.vsa
	const del = `,"deletionTimestamp":"2026-11-28T00:00:00Z"`
	terminating := podJSON(imgA, "", del+`,"finalizers":["x"]`)
	done := podJSON(imgA, "", del)
	for _, tc := range []struct {
		name    string
		obj     []byte
		o       reviewOpts
		allowed bool
	}{
		{name: "finalizer removed", obj: done, o: reviewOpts{op: admissionv1.Update, old: terminating}, allowed: true},
		{name: "create with deletionTimestamp", obj: terminating, o: reviewOpts{op: admissionv1.Create}},
		{name: "update that starts the deletion", obj: terminating, o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", `,"finalizers":["x"]`)}},
		{name: "update of a terminating pod that adds an ephemeral container", obj: podJSON(imgA, `{"name":"e","image":"busybox"}`, del), o: reviewOpts{op: admissionv1.Update, old: terminating, subResource: "ephemeralcontainers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.group, tc.o.kind = "", "Pod"
			code, out := post(t, e.h, reviewJSON(t, tc.obj, tc.o))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, tc.allowed, out.Response.Allowed)
		})
	}
}

// TestVSABinding: a summary admits an image only when it was made for a
// repo that admission.images maps the image to, under an accepted policy
// digest, at the required level.
func TestVSABinding(t *testing.T) {
	otherPolicy := "sha256:" + strings.Repeat("0d", 32)
	hour := now.Add(-time.Hour)
	cfg := mappedConfig()
	cfg.Images["ghcr.io/jguida941/ci-cd-bst-demo-github-actions"] = admission.ImageMapping{Repos: []string{testRepo}, PolicyDigests: []string{policyDig}}
	cfg.Images["ghcr.io/jguida941/strict"] = admission.ImageMapping{Repos: []string{"jguida941/strict"}, RequiredLevels: []string{"SLSA_BUILD_LEVEL_1"}}
	cfg.Namespaces = map[string]admission.NamespaceConfig{"dev": {Mode: admission.ModeAudit}}
	tests := []struct {
		name   string
		image  string
		bundle func(e *env) []byte
		ns     string
		inMsg  string // "" when admitted
	}{
		{name: "control", image: imgA, bundle: func(e *env) []byte { return mint(t, e.key, hexA, hour, true) }},
		{name: "summary for another repo", image: imgA, inMsg: "repository not accepted: summary is for acme/other, want one of [" + testRepo + "]",
			bundle: func(e *env) []byte { return mintFor(t, e.key, "acme/other", policyDig, hexA, hour, true) }},
		{name: "summary under another policy digest", image: imgA, inMsg: "policy digest not accepted",
			bundle: func(e *env) []byte { return mintFor(t, e.key, testRepo, otherPolicy, hexA, hour, true) }},
		{name: "shorter prefix takes any policy", image: "ghcr.io/jguida941/other/api@sha256:" + hexA,
			bundle: func(e *env) []byte { return mintFor(t, e.key, testRepo, otherPolicy, hexA, hour, true) }},
		{name: "no mapping", image: "quay.io/jguida941/api@sha256:" + hexA, inMsg: "matches no admission.images prefix",
			bundle: func(e *env) []byte { return mint(t, e.key, hexA, hour, true) }},
		{name: "no mapping in audit mode", image: "quay.io/jguida941/api@sha256:" + hexA, ns: "dev",
			bundle: func(e *env) []byte { return mint(t, e.key, hexA, hour, true) }},
		{name: "lax entry's summary for a strict mapping", image: "ghcr.io/jguida941/strict/api@sha256:" + hexA, inMsg: "required level not verified: SLSA_BUILD_LEVEL_1, summary verified [SLSA_BUILD_LEVEL_0]",
			bundle: func(e *env) []byte { return mintFor(t, e.key, "jguida941/strict", policyDig, hexA, hour, true) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, cfg, nil)
			writeVSA(t, e.dir, hexA, tc.bundle(e))
			ns := tc.ns
			if ns == "" {
				ns = "prod"
			}
			code, out := post(t, e.h, reviewJSON(t, podJSON(tc.image, "", ""), reviewOpts{group: "", kind: "Pod", namespace: ns}))
			require.Equal(t, http.StatusOK, code)
			if ns == "dev" {
				assert.True(t, out.Response.Allowed)
				require.Len(t, out.Response.Warnings, 1)
				assert.Contains(t, out.Response.Warnings[0], "hubgate audit: [admission.vsa] container api: image quay.io/jguida941/api matches no")
				return
			}
			if tc.inMsg == "" {
				assert.True(t, out.Response.Allowed, "%+v", out.Response.Result)
				return
			}
			require.False(t, out.Response.Allowed)
			assert.Contains(t, out.Response.Result.Message, "[admission.vsa] container api")
			assert.Contains(t, out.Response.Result.Message, tc.inMsg)
		})
	}
	t.Run("a mapping without repos accepts no summary", func(t *testing.T) {
		// Config.Validate refuses such a mapping; the rule fails closed
		// on it all the same, even for a summary that verifies.
		e := &env{dir: t.TempDir(), key: newKey(t)}
		writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, hour, true))
		v, err := webhook.NewVSAVerifier(webhook.DirStore{Dir: e.dir}, e.key.Public())
		require.NoError(t, err)
		res := v.VerifyVSA(context.Background(), "sha256:"+hexA, admission.Requirement{Prefix: "ghcr.io"})
		require.Len(t, res.Summaries, 1)
		require.True(t, res.Summaries[0].Verified, res.Summaries[0].Error)
		eng, err := engine.New(context.Background())
		require.NoError(t, err)
		pod := admission.Object{Kind: "Pod", Namespace: "prod", Raw: podJSON(imgA, "", "")}
		for _, tc := range []struct {
			repos []string
			allow bool
		}{{[]string{testRepo}, true}, {nil, false}, {[]string{}, false}} {
			cfg := admission.DefaultConfig()
			cfg.Images = map[string]admission.ImageMapping{"ghcr.io": {Repos: tc.repos}}
			d, err := eng.EvaluateAdmission(context.Background(), engine.AdmissionInput{Config: cfg, Object: pod, Checker: v, Now: now})
			require.NoError(t, err)
			var vsaMsgs []string
			for _, f := range d.Findings {
				if f.Rule == admission.RuleVSA {
					vsaMsgs = append(vsaMsgs, f.Message)
				}
			}
			if tc.allow {
				assert.Empty(t, vsaMsgs, "repos %v", tc.repos)
				continue
			}
			require.Len(t, vsaMsgs, 1, "repos %v", tc.repos)
			assert.Contains(t, vsaMsgs[0], `repository not accepted: no repo is accepted for this image (admission.images["ghcr.io"] lists none)`)
		}
	})
}

// TestUnchangedImages: an UPDATE does not judge the summary age of an image
// its container already had (a label change or `kubectl debug` on a pod
// older than max_age), but judges new and changed images fully, and every
// other rule and claim of unchanged ones.
func TestUnchangedImages(t *testing.T) {
	const imgC = "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api@sha256:" + hexC
	expired := now.Add(-200 * time.Hour) // max_age is 168h
	labelled := `,"labels":{"touched":"yes"}`
	tests := []struct {
		name   string
		obj    []byte
		o      reviewOpts
		bundle func(e *env) []byte // the summary of hexA
		inMsg  string              // "" when admitted
		notMsg string
	}{
		{name: "create with an expired summary", obj: podJSON(imgA, "", ""), o: reviewOpts{op: admissionv1.Create},
			inMsg: "container api: image sha256:" + hexA + ": summary is not fresh"},
		{name: "label update, image unchanged, summary expired", obj: podJSON(imgA, "", labelled), o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", "")}},
		{name: "ephemeral container added, existing summary expired", obj: podJSON(imgA, `{"name":"e","image":"`+imgB+`"}`, ""),
			o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", ""), subResource: "ephemeralcontainers"}},
		{name: "ephemeral container added with the expired image", obj: podJSON(imgA, `{"name":"e","image":"`+imgA+`"}`, ""),
			o:     reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", ""), subResource: "ephemeralcontainers"},
			inMsg: "ephemeralContainer e: image sha256:" + hexA + ": summary is not fresh", notMsg: "container api:"},
		{name: "image changed to the expired one", obj: podJSON(imgA, "", ""), o: reviewOpts{op: admissionv1.Update, old: podJSON(imgB, "", "")},
			inMsg: "container api: image sha256:" + hexA + ": summary is not fresh"},
		{name: "image changed to one without a summary", obj: podJSON(imgC, "", ""), o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", "")},
			inMsg: "container api: image sha256:" + hexC},
		{name: "unchanged unpinned image", obj: podJSON("ghcr.io/acme/api:1", "", labelled), o: reviewOpts{op: admissionv1.Update, old: podJSON("ghcr.io/acme/api:1", "", "")},
			inMsg: "[admission.digest_pinned] container api: image ghcr.io/acme/api:1 is not pinned by digest"},
		{name: "unchanged image, summary from the future", obj: podJSON(imgA, "", labelled), o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", "")},
			bundle: func(e *env) []byte { return mint(t, e.key, hexA, now.Add(2*time.Hour), true) }, inMsg: "in the future"},
		{name: "unchanged image, summary for another repo", obj: podJSON(imgA, "", labelled), o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", "")},
			bundle: func(e *env) []byte { return mintFor(t, e.key, "acme/other", policyDig, hexA, expired, true) }, inMsg: "summary is for acme/other"},
		{name: "unchanged image, summary not passed", obj: podJSON(imgA, "", labelled), o: reviewOpts{op: admissionv1.Update, old: podJSON(imgA, "", "")},
			bundle: func(e *env) []byte { return mint(t, e.key, hexA, expired, false) }, inMsg: "[admission.vsa] container api"},
		{name: "update without the old object", obj: podJSON(imgA, "", labelled), o: reviewOpts{op: admissionv1.Update},
			inMsg: "summary is not fresh"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, mappedConfig(), nil)
			bundle := mint(t, e.key, hexA, expired, true)
			if tc.bundle != nil {
				bundle = tc.bundle(e)
			}
			writeVSA(t, e.dir, hexA, bundle)
			writeVSA(t, e.dir, hexB, mint(t, e.key, hexB, now.Add(-time.Hour), true))
			tc.o.group, tc.o.kind = "", "Pod"
			code, out := post(t, e.h, reviewJSON(t, tc.obj, tc.o))
			require.Equal(t, http.StatusOK, code)
			if tc.inMsg == "" {
				assert.True(t, out.Response.Allowed, "%+v", out.Response.Result)
				return
			}
			require.False(t, out.Response.Allowed)
			assert.Contains(t, out.Response.Result.Message, tc.inMsg)
			if tc.notMsg != "" {
				assert.NotContains(t, out.Response.Result.Message, tc.notMsg)
			}
		})
	}
}

// tamperPayload rewrites the DSSE payload of bundle b with edit, keeping
// the signature: a summary whose claims were changed after signing.
func tamperPayload(t *testing.T, b []byte, edit func(string) string) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	env := m["dsseEnvelope"].(map[string]any)
	p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	require.NoError(t, err)
	np := edit(string(p))
	require.NotEqual(t, string(p), np, "the edit changed nothing")
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(np))
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// TestTamperedSummaryDenied: a summary whose signed payload was changed (a
// FAILED summary turned PASSED) does not verify, and the denial says so;
// the checker reports it as a fact, the rule denies on it.
func TestTamperedSummaryDenied(t *testing.T) {
	e := newEnv(t, mappedConfig(), nil)
	failed := mint(t, e.key, hexA, now.Add(-time.Hour), false)
	forged := tamperPayload(t, failed, func(s string) string {
		return strings.Replace(s, `"verificationResult":"FAILED","verifiedLevels":["FAILED"]`, `"verificationResult":"PASSED","verifiedLevels":["SLSA_BUILD_LEVEL_3"]`, 1)
	})
	writeVSA(t, e.dir, hexA, forged)
	code, out := post(t, e.h, reviewJSON(t, podJSON(imgA, "", ""), reviewOpts{group: "", kind: "Pod"}))
	require.Equal(t, http.StatusOK, code)
	require.False(t, out.Response.Allowed)
	assert.Contains(t, out.Response.Result.Message, "[admission.vsa] container api: image sha256:"+hexA+": verify vsa: signature does not verify")

	v, err := webhook.NewVSAVerifier(webhook.DirStore{Dir: e.dir}, e.key.Public())
	require.NoError(t, err)
	res := v.VerifyVSA(context.Background(), "sha256:"+hexA, admission.Requirement{Prefix: "ghcr.io", Image: "ghcr.io/x"})
	require.Len(t, res.Summaries, 1)
	assert.False(t, res.Summaries[0].Verified)
	assert.Contains(t, res.Summaries[0].Error, "signature does not verify")
	assert.Empty(t, res.Summaries[0].Result, "no claim of a summary that did not verify is reported")

	// The untampered summary verifies, and is denied for what it says.
	writeVSA(t, e.dir, hexA, failed)
	_, out = post(t, e.h, reviewJSON(t, podJSON(imgA, "", ""), reviewOpts{group: "", kind: "Pod"}))
	require.False(t, out.Response.Allowed)
	assert.Contains(t, out.Response.Result.Message, `verification result is not PASSED: "FAILED"`)
}
