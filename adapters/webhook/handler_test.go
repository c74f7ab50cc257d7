package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// tamperResult flips a FAILED summary to PASSED and keeps the signature.
func tamperResult(t *testing.T, b []byte) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	env := m["dsseEnvelope"].(map[string]any)
	p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	require.NoError(t, err)
	np := strings.Replace(string(p), `"verificationResult":"FAILED"`, `"verificationResult":"PASSED"`, 1)
	require.NotEqual(t, string(p), np)
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(np))
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

func TestFixtureDeployments(t *testing.T) {
	cfg := mappedConfig()
	cfg.VSA.PolicyDigests = []string{policyDig}
	hour := now.Add(-time.Hour)
	tests := []struct {
		name    string
		file    string
		vsa     func(t *testing.T, e *env) // fills the store
		allowed bool
		rules   []string
		inMsg   []string
	}{
		{name: "secure with valid vsa", file: "deployment_secure.yaml", allowed: true,
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, hour, true)) }},
		{name: "secure, vsa missing", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"container api", "no verification summary"},
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexB, mint(t, e.key, hexB, hour, true)) }},
		{name: "secure, vsa tampered", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"container api", "signature does not verify"},
			vsa: func(t *testing.T, e *env) {
				writeVSA(t, e.dir, hexA, tamperResult(t, mint(t, e.key, hexA, hour, false)))
			}},
		{name: "secure, vsa signed by another key", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"signature does not verify"},
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexA, mint(t, newKey(t), hexA, hour, true)) }},
		{name: "secure, vsa for another digest", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"signature does not verify"},
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexA, mint(t, e.key, hexB, hour, true)) }},
		{name: "secure, vsa expired", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"not fresh"},
			vsa: func(t *testing.T, e *env) {
				writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, now.Add(-169*time.Hour), true))
			}},
		{name: "secure, vsa FAILED", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"not PASSED"},
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, hour, false)) }},
		{name: "secure, vsa not json", file: "deployment_secure.yaml", rules: []string{admission.RuleVSA}, inMsg: []string{"malformed"},
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexA, []byte("{")) }},
		{name: "tagged", file: "deployment_tagged.yaml", rules: []string{admission.RuleDigestPinned}, inMsg: []string{"container api", "not pinned by digest"},
			vsa: func(t *testing.T, e *env) {}},
		{name: "missing referrers", file: "deployment_missing_referrers.yaml", rules: []string{admission.RuleReferrerAnnotations, admission.RuleReferrerAnnotations},
			vsa: func(t *testing.T, e *env) { writeVSA(t, e.dir, hexB, mint(t, e.key, hexB, hour, true)) }},
		{name: "secret env", file: "deployment_secret_env.yaml", rules: []string{admission.RuleReferrerAnnotations, admission.RuleReferrerAnnotations, admission.RuleSecretless},
			inMsg: []string{"container api uses a static secret"},
			vsa:   func(t *testing.T, e *env) { writeVSA(t, e.dir, hexC, mint(t, e.key, hexC, hour, true)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, cfg, nil)
			tc.vsa(t, e)
			for _, dry := range []bool{false, true} {
				code, out := post(t, e.h, reviewJSON(t, fixtureJSON(t, tc.file), reviewOpts{uid: "uid-" + tc.name, dryRun: dry}))
				require.Equal(t, http.StatusOK, code)
				require.NotNil(t, out.Response)
				assert.Equal(t, "admission.k8s.io/v1", out.APIVersion)
				assert.Equal(t, "AdmissionReview", out.Kind)
				assert.Equal(t, "uid-"+tc.name, string(out.Response.UID))
				assert.Equal(t, tc.allowed, out.Response.Allowed, "dryRun=%v", dry)
				if tc.allowed {
					assert.Nil(t, out.Response.Result)
					continue
				}
				require.NotNil(t, out.Response.Result)
				assert.EqualValues(t, http.StatusForbidden, out.Response.Result.Code)
				msg := out.Response.Result.Message
				assert.True(t, strings.HasPrefix(msg, "hubgate denied Deployment.apps prod/x:"), msg)
				for _, r := range tc.rules {
					assert.Contains(t, msg, "["+r+"]")
				}
				assert.Equal(t, len(tc.rules), strings.Count(msg, "[admission."), msg)
				for _, s := range tc.inMsg {
					assert.Contains(t, msg, s)
				}
			}
		})
	}
}

func TestModes(t *testing.T) {
	cfg := mappedConfig()
	cfg.Namespaces = map[string]admission.NamespaceConfig{
		"dev":  {Mode: admission.ModeAudit},
		"lab":  {Mode: admission.ModeEnforce, Failure: admission.FailOpen},
		"prod": {Mode: admission.ModeEnforce, Failure: admission.FailClosed},
	}
	e := newEnv(t, cfg, nil)
	// missing referrers, a tag, and no summary: three kinds of failure.
	obj := []byte(`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a-container-with-a-really-long-name-to-force-truncation-of-the-warning-text","image":"ghcr.io/acme/api:latest"},{"name":"b","image":"ghcr.io/acme/api@sha256:` + hexA + `"}]}}`)

	t.Run("audit allows with warnings and audit annotations", func(t *testing.T) {
		code, out := post(t, e.h, reviewJSON(t, obj, reviewOpts{namespace: "dev", group: "", kind: "Pod"}))
		require.Equal(t, http.StatusOK, code)
		assert.True(t, out.Response.Allowed)
		assert.Nil(t, out.Response.Result)
		require.Len(t, out.Response.Warnings, 4)
		for _, w := range out.Response.Warnings {
			assert.LessOrEqual(t, utf8.RuneCountInString(w), webhook.MaxWarningLength, w)
			assert.True(t, strings.HasPrefix(w, "hubgate audit: [admission."), w)
		}
		assert.True(t, strings.HasSuffix(out.Response.Warnings[2], "…"), out.Response.Warnings[2])
		aa := out.Response.AuditAnnotations
		assert.Equal(t, "audit", aa["mode"])
		assert.Contains(t, aa[admission.RuleDigestPinned], "is not pinned")
		assert.Contains(t, aa[admission.RuleVSA], "container b")
		assert.Contains(t, aa[admission.RuleReferrerAnnotations], "provenance-referrer is missing; annotation ci-intel.dev/sbom-referrer is missing") // report order: by target
	})
	t.Run("audit warnings are bounded in number", func(t *testing.T) {
		var cs []string
		for i := range 30 {
			cs = append(cs, fmt.Sprintf(`{"name":"c%d","image":"ghcr.io/acme/api:%d"}`, i, i))
		}
		many := []byte(`{"metadata":{"name":"p"},"spec":{"containers":[` + strings.Join(cs, ",") + `]}}`)
		_, out := post(t, e.h, reviewJSON(t, many, reviewOpts{namespace: "dev", group: "", kind: "Pod"}))
		assert.True(t, out.Response.Allowed)
		require.Len(t, out.Response.Warnings, 20)
		assert.Equal(t, "hubgate audit: and 13 more findings (see the audit annotations)", out.Response.Warnings[19])
		aa := out.Response.AuditAnnotations[admission.RuleDigestPinned]
		assert.LessOrEqual(t, utf8.RuneCountInString(aa), 1024)
		assert.True(t, strings.HasPrefix(aa, "container c0: image ghcr.io/acme/api:0 is not pinned by digest; container c1:"), aa)
		assert.True(t, strings.HasSuffix(aa, "…"), aa)
	})
	t.Run("unlisted namespace enforces", func(t *testing.T) {
		_, out := post(t, e.h, reviewJSON(t, obj, reviewOpts{namespace: "other", group: "", kind: "Pod"}))
		assert.False(t, out.Response.Allowed)
		assert.Contains(t, out.Response.Result.Message, "container a-container-with")
		assert.Contains(t, out.Response.Result.Message, "container b: image sha256:"+hexA)
	})
	t.Run("exempt namespaces", func(t *testing.T) {
		for _, ns := range []string{"kube-system", "hubgate-system"} {
			_, out := post(t, e.h, reviewJSON(t, obj, reviewOpts{namespace: ns, group: "", kind: "Pod"}))
			assert.True(t, out.Response.Allowed, ns)
			assert.Empty(t, out.Response.Warnings)
		}
	})
	t.Run("delete is not evaluated", func(t *testing.T) {
		_, out := post(t, e.h, reviewJSON(t, nil, reviewOpts{group: "", kind: "Pod", op: admissionv1.Delete}))
		assert.True(t, out.Response.Allowed)
	})
	t.Run("unsupported kind allowed with a warning", func(t *testing.T) {
		_, out := post(t, e.h, reviewJSON(t, []byte(`{}`), reviewOpts{group: "", kind: "Service"}))
		assert.True(t, out.Response.Allowed)
		assert.Equal(t, []string{"hubgate does not evaluate Service"}, out.Response.Warnings)
	})
	t.Run("configmap pull_request_target", func(t *testing.T) {
		cm := []byte(`{"metadata":{"name":"workflow-build"},"data":{"workflow.yaml":"on:\n  pull_request_target: {}\n"}}`)
		_, out := post(t, e.h, reviewJSON(t, cm, reviewOpts{group: "", kind: "ConfigMap", op: admissionv1.Update}))
		assert.False(t, out.Response.Allowed)
		assert.Contains(t, out.Response.Result.Message, "[admission.pull_request_target] configmap workflow-build")
	})
}

func TestFailurePolicy(t *testing.T) {
	boom := func(context.Context, engine.AdmissionInput) (*policy.Decision, error) {
		return nil, errors.New("boom")
	}
	panics := func(context.Context, engine.AdmissionInput) (*policy.Decision, error) {
		panic("bad")
	}
	hangs := func(ctx context.Context, _ engine.AdmissionInput) (*policy.Decision, error) {
		<-ctx.Done()
		time.Sleep(10 * time.Millisecond)
		return nil, nil
	}
	cfg := mappedConfig()
	cfg.Namespaces = map[string]admission.NamespaceConfig{"lab": {Failure: admission.FailOpen}, "prod": {Failure: admission.FailClosed}}
	tests := []struct {
		name    string
		eval    webhook.Evaluator
		opts    []webhook.Option
		ns      string
		allowed bool
		inMsg   string
	}{
		{name: "error fails closed by default", eval: boom, ns: "other", inMsg: "boom"},
		{name: "panic fails closed", eval: panics, ns: "other", inMsg: "internal error: bad"},
		{name: "timeout fails closed", eval: hangs, ns: "other", opts: []webhook.Option{webhook.WithTimeout(20 * time.Millisecond)}, inMsg: "timed out"},
		{name: "namespace fails open", eval: boom, ns: "lab", allowed: true},
		{name: "typed default fails open", eval: boom, ns: "other", opts: []webhook.Option{webhook.WithFailurePolicy(admission.FailOpen)}, allowed: true},
		{name: "namespace setting beats default", eval: boom, ns: "prod", opts: []webhook.Option{webhook.WithFailurePolicy(admission.FailOpen)}, inMsg: "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, cfg, nil, append(tc.opts, webhook.WithEvaluator(tc.eval))...)
			code, out := post(t, e.h, reviewJSON(t, fixtureJSON(t, "deployment_secure.yaml"), reviewOpts{namespace: tc.ns}))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, tc.allowed, out.Response.Allowed)
			if tc.allowed {
				require.Len(t, out.Response.Warnings, 1)
				assert.Contains(t, out.Response.Warnings[0], "fails open")
				return
			}
			assert.EqualValues(t, http.StatusInternalServerError, out.Response.Result.Code)
			assert.Contains(t, out.Response.Result.Message, "fails closed")
			assert.Contains(t, out.Response.Result.Message, tc.inMsg)
		})
	}
	_, err := webhook.NewHandler(cfg, nil, webhook.WithFailurePolicy(admission.Failure(7)))
	assert.Error(t, err)
	_, err = webhook.NewHandler(cfg, nil, webhook.WithTimeout(0))
	assert.Error(t, err)
}

// TestOverloaded checks the evaluation slots: with one slot taken by an
// evaluation that does not return, the next review waits for it until its
// timeout and is denied as overloaded (503, outcome overloaded); once the
// waiting room is full too, a review is refused at once; in a namespace
// that fails open it is admitted with a warning; and the slot comes back
// when the evaluation returns.
func TestOverloaded(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	blocks := func(ctx context.Context, _ engine.AdmissionInput) (*policy.Decision, error) {
		entered <- struct{}{}
		<-release
		return nil, ctx.Err()
	}
	cfg := mappedConfig()
	cfg.Namespaces = map[string]admission.NamespaceConfig{"lab": {Failure: admission.FailOpen}}
	const timeout = 150 * time.Millisecond
	e := newEnv(t, cfg, nil, webhook.WithEvaluator(blocks), webhook.WithMaxInFlight(1), webhook.WithTimeout(timeout))
	body := func(ns string) []byte {
		return reviewJSON(t, fixtureJSON(t, "deployment_secure.yaml"), reviewOpts{namespace: ns})
	}
	// The one slot: held past its own timeout, until release.
	first := make(chan *admissionv1.AdmissionReview, 1)
	go func() { _, out := post(t, e.h, body("other")); first <- out }()
	<-entered

	// Four reviews fill the waiting room (queuePerSlot); each is denied as
	// overloaded when its timeout is over, never evaluated.
	var wg sync.WaitGroup
	waited := make([]*admissionv1.AdmissionReview, 4)
	for i := range waited {
		wg.Add(1)
		go func() { defer wg.Done(); _, waited[i] = post(t, e.h, body("other")) }()
	}
	require.Eventually(t, func() bool {
		return metric(t, e.h, "hubgate_admission_waiting") >= 4
	}, 5*time.Second, time.Millisecond)

	// The waiting room is full: refused at once.
	start := time.Now()
	_, out := post(t, e.h, body("other"))
	assert.Less(t, time.Since(start), timeout, "refused without waiting")
	require.False(t, out.Response.Allowed)
	assert.EqualValues(t, http.StatusServiceUnavailable, out.Response.Result.Code)
	assert.Contains(t, out.Response.Result.Message, "fails closed: webhook overloaded: 1 reviews in flight and 4 waiting")
	// In a namespace that fails open, admitted with the reason.
	_, out = post(t, e.h, body("lab"))
	require.True(t, out.Response.Allowed)
	require.Len(t, out.Response.Warnings, 1)
	assert.Contains(t, out.Response.Warnings[0], "fails open: webhook overloaded")

	wg.Wait()
	for _, out := range waited {
		require.False(t, out.Response.Allowed)
		assert.EqualValues(t, http.StatusServiceUnavailable, out.Response.Result.Code)
		assert.Contains(t, out.Response.Result.Message, "no evaluation slot free within the 150ms timeout")
	}
	assert.Len(t, entered, 0, "no waiting review was evaluated")
	assert.Equal(t, 5.0, metric(t, e.h, `hubgate_admission_requests_total{outcome="overloaded"}`))

	// The first review timed out; its slot is back once its evaluation
	// returns, and the next review is evaluated.
	close(release)
	assert.False(t, (<-first).Response.Allowed)
	go func() { post(t, e.h, body("other")) }()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the slot did not come back")
	}
	_, err := webhook.NewHandler(cfg, nil, webhook.WithMaxInFlight(0))
	assert.Error(t, err)
}

// metric is the value of the sample named name (with its labels) on h's
// /metrics, 0 when there is none.
func metric(t testing.TB, h http.Handler, name string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	for line := range strings.Lines(rec.Body.String()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err, line)
			return f
		}
	}
	return 0
}

func TestMalformed(t *testing.T) {
	e := newEnv(t, mappedConfig(), nil, webhook.WithMaxBodyBytes(64<<10))
	good := reviewJSON(t, fixtureJSON(t, "deployment_secure.yaml"), reviewOpts{})
	swap := func(old, new string) []byte { return bytes.Replace(good, []byte(old), []byte(new), 1) }
	tests := []struct {
		name   string
		method string
		ctype  string
		body   []byte
		code   int
	}{
		{name: "not json", body: []byte("{"), code: http.StatusBadRequest},
		{name: "empty", body: nil, code: http.StatusBadRequest},
		{name: "v1beta1", body: swap(`"admission.k8s.io/v1"`, `"admission.k8s.io/v1beta1"`), code: http.StatusBadRequest},
		{name: "wrong kind", body: swap(`"kind":"AdmissionReview"`, `"kind":"Pod"`), code: http.StatusBadRequest},
		{name: "no request", body: []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`), code: http.StatusBadRequest},
		{name: "no uid", body: swap(`"uid":"705ab4f5-6393-11e8-b7cc-42010a800002"`, `"uid":""`), code: http.StatusBadRequest},
		{name: "case-folded field", body: swap(`"request":`, `"Request":`), code: http.StatusBadRequest},
		{name: "wrong type", body: swap(`"uid":"705ab4f5-6393-11e8-b7cc-42010a800002"`, `"uid":7`), code: http.StatusBadRequest},
		{name: "too large", body: append(append([]byte(nil), good[:len(good)-1]...), []byte(`,"x":"`+strings.Repeat("a", 70<<10)+`"}`)...), code: http.StatusRequestEntityTooLarge},
		{name: "wrong content type", ctype: "text/plain", body: good, code: http.StatusUnsupportedMediaType},
		{name: "get", method: http.MethodGet, body: nil, code: http.StatusMethodNotAllowed},
		{name: "good", body: good, code: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.method
			if m == "" {
				m = http.MethodPost
			}
			req := httptest.NewRequest(m, "/validate", bytes.NewReader(tc.body))
			ct := tc.ctype
			if ct == "" {
				ct = "application/json; charset=utf-8"
			}
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			assert.Equal(t, tc.code, rec.Code, rec.Body.String())
		})
	}
}

func TestDecisionLog(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, mappedConfig(), nil, webhook.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	post(t, e.h, reviewJSON(t, fixtureJSON(t, "deployment_tagged.yaml"), reviewOpts{uid: "log-1", dryRun: true}))
	post(t, e.h, reviewJSON(t, fixtureJSON(t, "deployment_tagged.yaml"), reviewOpts{uid: "log-2", namespace: "kube-system"}))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 1, "exempt and allowed requests are not logged")
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
	assert.Equal(t, "log-1", rec["uid"])
	assert.Equal(t, "denied", rec["outcome"])
	assert.Equal(t, true, rec["dry_run"])
	assert.Contains(t, rec["message"], "[admission.digest_pinned]")
}

func TestProbesAndMetrics(t *testing.T) {
	e := newEnv(t, mappedConfig(), nil)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		b, err := io.ReadAll(rec.Body)
		require.NoError(t, err)
		return rec.Code, string(b)
	}
	code, _ := get("/healthz")
	assert.Equal(t, http.StatusOK, code)
	code, _ = get("/readyz")
	assert.Equal(t, http.StatusOK, code)
	e.h.SetReady(false)
	code, _ = get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)

	post(t, e.h, reviewJSON(t, fixtureJSON(t, "deployment_tagged.yaml"), reviewOpts{}))
	post(t, e.h, reviewJSON(t, fixtureJSON(t, "deployment_tagged.yaml"), reviewOpts{}))
	post(t, e.h, reviewJSON(t, fixtureJSON(t, "deployment_tagged.yaml"), reviewOpts{namespace: "kube-system"}))
	post(t, e.h, []byte("{"))
	code, body := get("/metrics")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `hubgate_admission_requests_total{outcome="denied"} 2`)
	assert.Contains(t, body, `hubgate_admission_requests_total{outcome="exempt"} 1`)
	assert.Contains(t, body, `hubgate_admission_requests_total{outcome="bad_request"} 1`)
	assert.Contains(t, body, `hubgate_admission_request_duration_seconds_count{outcome="denied"} 2`)
	assert.NotContains(t, body, "go_goroutines", "a per-server registry, not the global one")

	// Two handlers in one process do not share metrics.
	e2 := newEnv(t, mappedConfig(), nil)
	rec := httptest.NewRecorder()
	e2.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.NotContains(t, rec.Body.String(), `outcome="denied"`)
}

func TestCache(t *testing.T) {
	for _, size := range []int{0, 16} {
		t.Run(map[int]string{0: "disabled", 16: "enabled"}[size], func(t *testing.T) {
			clock := now
			cfg := mappedConfig()
			e := newEnvStore(t, cfg, size, []webhook.VerifierOption{webhook.WithCacheSize(size)}, webhook.WithClock(func() time.Time { return clock }))
			obj := fixtureJSON(t, "deployment_secure.yaml")
			writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, now.Add(-time.Hour), true))
			_, out := post(t, e.h, reviewJSON(t, obj, reviewOpts{}))
			require.True(t, out.Response.Allowed)
			_, out = post(t, e.h, reviewJSON(t, obj, reviewOpts{}))
			require.True(t, out.Response.Allowed, "cached answer")
			// A replaced summary is verified again, not served from the cache.
			writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, now.Add(-time.Hour), false))
			_, out = post(t, e.h, reviewJSON(t, obj, reviewOpts{}))
			require.False(t, out.Response.Allowed)
			assert.Contains(t, out.Response.Result.Message, "not PASSED")
			// A cached summary still expires.
			writeVSA(t, e.dir, hexA, mint(t, e.key, hexA, now.Add(-time.Hour), true))
			_, out = post(t, e.h, reviewJSON(t, obj, reviewOpts{}))
			require.True(t, out.Response.Allowed)
			clock = now.Add(168 * time.Hour)
			_, out = post(t, e.h, reviewJSON(t, obj, reviewOpts{}))
			require.False(t, out.Response.Allowed)
			assert.Contains(t, out.Response.Result.Message, "not fresh")
		})
	}
	_, err := webhook.NewVSAVerifier(&webhook.DirStore{Dir: t.TempDir()}, newKey(t).Public(), webhook.WithCacheSize(-1))
	assert.Error(t, err)
}

func TestDirStore(t *testing.T) {
	for _, n := range []int{0, 4} {
		t.Run(fmt.Sprintf("cache %d", n), func(t *testing.T) {
			dir := t.TempDir()
			s, err := webhook.NewDirStore(dir, n)
			require.NoError(t, err)
			for _, d := range []string{"sha256:../../etc/passwd", "sha512:" + hexA, "sha256:" + strings.ToUpper(hexA), hexA} {
				_, err := s.Get(context.Background(), d)
				assert.Error(t, err, d)
				assert.NotErrorIs(t, err, webhook.ErrNoSummary, d)
			}
			_, err = s.Get(context.Background(), "sha256:"+hexA)
			assert.ErrorIs(t, err, webhook.ErrNoSummary)
			p := filepath.Join(dir, hexA+".vsa.json")
			require.NoError(t, os.WriteFile(p, []byte("x1"), 0o600))
			require.NoError(t, os.Chtimes(p, now, now))
			b, err := s.Get(context.Background(), "sha256:"+hexA)
			require.NoError(t, err)
			assert.Equal(t, "x1", string(b))
			// Same size, new time: read again.
			require.NoError(t, os.WriteFile(p, []byte("x2"), 0o600))
			require.NoError(t, os.Chtimes(p, now.Add(time.Second), now.Add(time.Second)))
			b, err = s.Get(context.Background(), "sha256:"+hexA)
			require.NoError(t, err)
			assert.Equal(t, "x2", string(b))
			// Replaced by rename (a new inode), same size and time: read again.
			tmp := filepath.Join(dir, "tmp")
			require.NoError(t, os.WriteFile(tmp, []byte("x3"), 0o600))
			require.NoError(t, os.Chtimes(tmp, now.Add(time.Second), now.Add(time.Second)))
			require.NoError(t, os.Rename(tmp, p))
			b, err = s.Get(context.Background(), "sha256:"+hexA)
			require.NoError(t, err)
			assert.Equal(t, "x3", string(b))
			// Removed: gone, even if cached.
			require.NoError(t, os.Remove(p))
			_, err = s.Get(context.Background(), "sha256:"+hexA)
			assert.ErrorIs(t, err, webhook.ErrNoSummary)
			// A directory is not a summary.
			require.NoError(t, os.Mkdir(p, 0o700))
			_, err = s.Get(context.Background(), "sha256:"+hexA)
			assert.Error(t, err)
		})
	}
}
