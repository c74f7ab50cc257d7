package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/cicd-hub/hubgate/adapters/webhook"
)

// FuzzReview feeds arbitrary bytes to POST /validate: decoding, evaluation
// and rendering must never panic, a 200 must carry a response with the
// request's uid, and an allowance must never come with failing findings.
func FuzzReview(f *testing.F) {
	e := newEnv(f, mappedConfig(), nil, webhook.WithTimeout(time.Second))
	writeVSA(f, e.dir, hexA, mint(f, e.key, hexA, now.Add(-time.Hour), true))
	for _, name := range []string{"deployment_secure.yaml", "deployment_tagged.yaml", "deployment_missing_referrers.yaml", "deployment_secret_env.yaml"} {
		f.Add(reviewJSON(f, fixtureJSON(f, name), reviewOpts{}))
	}
	f.Add(reviewJSON(f, []byte(`{"metadata":{"name":"workflow-x"},"data":{"workflow.yaml":"on: [pull_request_target]"}}`), reviewOpts{group: "", kind: "ConfigMap"}))
	f.Add(reviewJSON(f, []byte(`{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x@sha256:`+hexA+`"}]}}}}}}`), reviewOpts{group: "batch", kind: "CronJob"}))
	f.Add(reviewJSON(f, podJSON(imgA, `{"name":"e","image":"busybox"}`, `,"deletionTimestamp":"2026-11-28T00:00:00Z"`),
		reviewOpts{group: "", kind: "Pod", op: "UPDATE", subResource: "ephemeralcontainers", old: podJSON(imgA, "", `,"deletionTimestamp":"2026-11-28T00:00:00Z"`)}))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return
		}
		in, err := webhook.DecodeReview(body)
		if err != nil {
			t.Fatalf("200 for a review that does not decode: %v", err)
		}
		var out admissionv1.AdmissionReview
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("response does not decode: %v", err)
		}
		if out.Response == nil || out.Response.UID != in.Request.UID {
			t.Fatalf("uid not echoed: %s", rec.Body.String())
		}
		if out.Response.Allowed && out.Response.Result != nil {
			t.Fatalf("allowed with a status: %s", rec.Body.String())
		}
		for _, w := range out.Response.Warnings {
			if len([]rune(w)) > webhook.MaxWarningLength {
				t.Fatalf("warning too long: %q", w)
			}
		}
	})
}
