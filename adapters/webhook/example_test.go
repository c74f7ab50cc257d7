package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

func ExampleNewHandler() {
	key, _ := vsa.GenerateKey(vsa.AlgorithmECDSAP256) // in a cluster: vsa.LoadPublicKey(the PEM CI's key pair wrote)
	dir, _ := os.MkdirTemp("", "vsa")
	defer os.RemoveAll(dir)
	store, _ := webhook.NewDirStore(dir, webhook.DefaultCacheSize)
	verifier, _ := webhook.NewVSAVerifier(store, key.Public())
	h, _ := webhook.NewHandler(admission.DefaultConfig(), verifier)

	review := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"42",
		"kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"shop","name":"web","operation":"CREATE",
		"object":{"metadata":{"name":"web","annotations":{
			"ci-intel.dev/sbom-referrer":"oci://ghcr.io/acme/sbom@sha256:1111111111111111111111111111111111111111111111111111111111111111",
			"ci-intel.dev/provenance-referrer":"oci://ghcr.io/acme/prov@sha256:2222222222222222222222222222222222222222222222222222222222222222"}},
			"spec":{"containers":[{"name":"app","image":"ghcr.io/acme/web:latest"}]}}}}`
	req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader([]byte(review)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	var out admissionv1.AdmissionReview
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	fmt.Println(out.Response.UID, out.Response.Allowed, out.Response.Result.Code)
	fmt.Println(out.Response.Result.Message)
	// Output:
	// 42 false 403
	// hubgate denied Pod shop/web: [admission.digest_pinned] container app: image ghcr.io/acme/web:latest is not pinned by digest
}
