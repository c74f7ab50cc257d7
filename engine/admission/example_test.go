package admission_test

import (
	"context"
	"fmt"

	"github.com/cicd-hub/hubgate/engine/admission"
)

func ExampleEvaluate() {
	pod := []byte(`{"metadata":{"name":"web","annotations":{
		"ci-intel.dev/sbom-referrer":"oci://ghcr.io/acme/sbom@sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"ci-intel.dev/provenance-referrer":"oci://ghcr.io/acme/prov@sha256:2222222222222222222222222222222222222222222222222222222222222222"}},
		"spec":{"containers":[
			{"name":"app","image":"ghcr.io/acme/web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			{"name":"sidecar","image":"nginx:1.27"}]}}`)
	// ghcr.io/acme images accept summaries made for acme/api; the
	// checker has one for digest A.
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}}}
	findings, err := admission.Evaluate(context.Background(), cfg,
		admission.Object{Kind: "Pod", Namespace: "shop", Raw: pod}, newChecker(digA))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Printf("%s %s: %s\n", f.Rule, f.Path, f.Message)
	}
	// Output:
	// admission.digest_pinned spec.containers[1].image: container sidecar: image nginx:1.27 is not pinned by digest
}
