package registry_test

import (
	"errors"
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/cicd-hub/hubgate/engine/registry"
)

func ExampleLoad() {
	fsys := fstest.MapFS{"registry.cue": {Data: []byte(`
org: limits: max_parallel_jobs: 4
repos: "acme/app": {
	require: ["checksums", "sbom"]
	limits: max_parallel_jobs: 2
}
`)}}
	r, err := registry.Load(fsys, "registry.cue")
	if err != nil {
		fmt.Println(err)
		return
	}
	app, err := r.Repo("acme/app")
	if err != nil {
		fmt.Println(err)
		return
	}
	var limits struct {
		BuildTimeout    string `json:"build_timeout"`
		MaxParallelJobs int    `json:"max_parallel_jobs"`
	}
	if err := app.Section("limits", &limits); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Names(), app.Require)
	fmt.Println(limits.BuildTimeout, limits.MaxParallelJobs)
	// Output:
	// [acme/app] [checksums sbom]
	// 60m 2
}

func ExampleLoad_invalid() {
	fsys := fstest.MapFS{"registry.cue": {Data: []byte(`
org: limits: max_parallel_jobs: 4
repos: "acme/app": limits: {
	max_parallel_jobs: 8
	build_timeout:     "-5m"
}
`)}}
	_, err := registry.Load(fsys, "registry.cue")
	var e *registry.Error
	if errors.As(err, &e) {
		for _, p := range e.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// registry.cue:4:2: repos."acme/app".limits.max_parallel_jobs: invalid value 8 (out of bound <=4)
	// registry.cue:5:2: repos."acme/app".limits.build_timeout: invalid value "-5m" (want a positive Go duration such as "45m" or "1h30m")
}

func ExampleImport() {
	// The hub's repositories.yaml shape.
	const yaml = `repositories:
  - name: app
    owner: acme
    enabled: false
    settings:
      build_timeout: 30
      allowed_egress: [github.com]
`
	out, err := registry.Import(strings.NewReader(yaml), "repositories.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// // Registry converted by `hubgate registry import` from repositories.yaml.
	// // build_timeout: a bare number means minutes (30 became "30m").
	// // Settings hubgate does not judge are kept under ci.
	//
	// repos: "acme/app": {
	// 	enabled: false
	// 	limits: build_timeout: "30m"
	// 	egress: allow: ["github.com"]
	// }
}
