package admission_test

import (
	"context"
	"fmt"

	"github.com/cicd-hub/hubgate/engine/admission"
)

func ExampleCollect() {
	pod := []byte(`{"metadata":{"name":"web"},
		"spec":{"containers":[
			{"name":"app","image":"ghcr.io/acme/web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			{"name":"sidecar","image":"nginx:1.27"}]}}`)
	// ghcr.io/acme images accept summaries made for acme/api; the
	// checker has one for digest A. Collect records what the checker
	// found; the admission.vsa rule judges it.
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{"ghcr.io/acme": {Repos: []string{"acme/api"}}}
	facts, err := admission.Collect(context.Background(), cfg,
		admission.Object{Kind: "Pod", Namespace: "shop", Raw: pod}, newChecker(digA))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(facts.Object)
	for _, im := range facts.Images {
		summaries := "none"
		if im.VSA != nil {
			summaries = fmt.Sprint(len(im.VSA.Summaries))
			for _, s := range im.VSA.Summaries {
				summaries += fmt.Sprintf(" (verified %t, %s for %s)", s.Verified, s.Result, s.Repo)
			}
		}
		fmt.Printf("%s %s: name %s digest %q mapped %t summaries %s\n", im.Type, im.Name, im.Ref.Name, im.Ref.Digest, im.Mapping != nil, summaries)
	}
	// Output:
	// Pod shop/web
	// container app: name ghcr.io/acme/web digest "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" mapped true summaries 1 (verified true, PASSED for acme/api)
	// container sidecar: name docker.io/library/nginx digest "" mapped false summaries none
}

func ExampleConfig_MatchImage() {
	cfg := admission.DefaultConfig()
	cfg.Images = map[string]admission.ImageMapping{
		"ghcr.io/acme":     {Repos: []string{"acme/api", "acme/web"}},
		"ghcr.io/acme/pay": {Repos: []string{"acme/pay"}, RequiredLevels: []string{"SLSA_BUILD_LEVEL_1"}},
	}
	for _, image := range []string{"ghcr.io/acme/pay/api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ghcr.io/acme/web:1", "ghcr.io/acme-evil/web:1", "nginx:1.27"} {
		ref, err := admission.ParseImage(image)
		if err != nil {
			fmt.Println(err)
			return
		}
		prefix, m, ok := cfg.MatchImage(ref.Name)
		fmt.Println(ref.Name, ok, prefix, m.Repos, m.RequiredLevels)
	}
	_, err := admission.DefaultConfig().CheckServe()
	fmt.Println(err != nil)
	// Output:
	// ghcr.io/acme/pay/api true ghcr.io/acme/pay [acme/pay] [SLSA_BUILD_LEVEL_1]
	// ghcr.io/acme/web true ghcr.io/acme [acme/api acme/web] []
	// ghcr.io/acme-evil/web false  [] []
	// docker.io/library/nginx false  [] []
	// true
}
