package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

const (
	hexA      = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	hexB      = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	hexC      = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	policyDig = "sha256:1234567890123456789012345678901234567890123456789012345678901234"
)

// testRepo is the repo the summaries minted here are for.
const testRepo = "jguida941/ci-cd-bst-demo-github-actions"

// mappedConfig is the default config with every ghcr.io image mapped to
// testRepo.
func mappedConfig() admission.Config {
	c := admission.DefaultConfig()
	c.Images = map[string]admission.ImageMapping{"ghcr.io": {Repos: []string{testRepo}}}
	return c
}

// now is the webhook's clock in these tests; summaries are minted an hour
// before it.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fixtureJSON reads a Deployment from fixtures/admission as JSON.
func fixtureJSON(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "admission", name))
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, yaml.Unmarshal(b, &v))
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return out
}

type reviewOpts struct {
	uid         string
	namespace   string
	group       string
	kind        string
	op          admissionv1.Operation
	dryRun      bool
	old         []byte // oldObject
	subResource string
}

// reviewJSON wraps obj in an AdmissionReview request.
func reviewJSON(t testing.TB, obj []byte, o reviewOpts) []byte {
	t.Helper()
	if o.uid == "" {
		o.uid = "705ab4f5-6393-11e8-b7cc-42010a800002"
	}
	if o.namespace == "" {
		o.namespace = "prod"
	}
	if o.kind == "" {
		o.group, o.kind = "apps", "Deployment"
	}
	if o.op == "" {
		o.op = admissionv1.Create
	} else if o.op == "-" {
		o.op = ""
	}
	version := "v1"
	r := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:         types.UID(o.uid),
			Kind:        metav1.GroupVersionKind{Group: o.group, Version: version, Kind: o.kind},
			Resource:    metav1.GroupVersionResource{Group: o.group, Version: version, Resource: strings.ToLower(o.kind) + "s"},
			Namespace:   o.namespace,
			Name:        "x",
			Operation:   o.op,
			Object:      runtime.RawExtension{Raw: obj},
			OldObject:   runtime.RawExtension{Raw: o.old},
			SubResource: o.subResource,
			DryRun:      &o.dryRun,
		},
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return b
}

// mint signs a summary of testRepo for hex with key, verified at t,
// passing or not.
func mint(t testing.TB, key *vsa.Key, hex string, at time.Time, passed bool) []byte {
	t.Helper()
	return mintFor(t, key, testRepo, policyDig, hex, at, passed)
}

// mintFor signs a summary for hex made for repo under policy digest pol.
func mintFor(t testing.TB, key *vsa.Key, repo, pol, hex string, at time.Time, passed bool) []byte {
	t.Helper()
	o := policy.OutcomePass
	if !passed {
		o = policy.OutcomeFail
	}
	d := &policy.Decision{Outcome: o, Allowed: passed, Repo: repo, Policy: policy.PolicyRef{Digest: pol}, Time: at}
	b, err := vsa.Sign(d, policy.Subject{Name: "ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api", Digest: policy.Digest{"sha256": hex}}, key, vsa.Options{})
	require.NoError(t, err)
	return b
}

func writeVSA(t testing.TB, dir, hex string, b []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, hex+".vsa.json"), b, 0o600))
}

func newKey(t testing.TB) *vsa.Key {
	t.Helper()
	k, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	return k
}

type env struct {
	dir string
	key *vsa.Key
	h   *webhook.Handler
}

// newEnv makes a VSA store and a handler trusting key, with cfg and options.
func newEnv(t testing.TB, cfg admission.Config, vopts []webhook.VerifierOption, opts ...webhook.Option) *env {
	t.Helper()
	return newEnvStore(t, cfg, webhook.DefaultCacheSize, vopts, opts...)
}

// newEnvStore is newEnv with a store that keeps storeCache files in memory.
func newEnvStore(t testing.TB, cfg admission.Config, storeCache int, vopts []webhook.VerifierOption, opts ...webhook.Option) *env {
	t.Helper()
	e := &env{dir: t.TempDir(), key: newKey(t)}
	store, err := webhook.NewDirStore(e.dir, storeCache)
	require.NoError(t, err)
	v, err := webhook.NewVSAVerifier(store, e.key.Public(), vopts...)
	require.NoError(t, err)
	e.h, err = webhook.NewHandler(cfg, v, append([]webhook.Option{webhook.WithClock(func() time.Time { return now })}, opts...)...)
	require.NoError(t, err)
	return e
}

// post sends body to /validate and returns the HTTP status and the decoded
// review (nil unless 200).
func post(t testing.TB, h http.Handler, body []byte) (int, *admissionv1.AdmissionReview) {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/validate", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return rec.Code, nil
	}
	var out admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	return rec.Code, &out
}
