package egress_test

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/evidence/egress"
)

func ExampleAllowlist_Match() {
	allow, errs := egress.Compile([]string{"*.github.com", "github.com", "registry.example:443"})
	if len(errs) > 0 {
		fmt.Println(errs)
		return
	}
	for _, hp := range []struct {
		host string
		port int
	}{{"API.GitHub.com.", 443}, {"evilgithub.com", 443}, {"github.com.evil.net", 443}, {"registry.example", 22}} {
		h, err := egress.NormalizeHost(hp.host)
		if err != nil {
			fmt.Println(err)
			continue
		}
		if e, ok := allow.Match(h, hp.port); ok {
			fmt.Printf("%s:%d -> allowed by %s\n", h.Name, hp.port, e)
		} else {
			fmt.Printf("%s:%d -> not allowed\n", h.Name, hp.port)
		}
	}
	// Output:
	// api.github.com:443 -> allowed by *.github.com
	// evilgithub.com:443 -> not allowed
	// github.com.evil.net:443 -> not allowed
	// registry.example:22 -> not allowed
}

func ExampleSuggest() {
	r, err := egress.Parse([]byte(`{"enforcement":"audit","attempts":[
{"host":"GitHub.com","port":443,"allowed":true},
{"host":"api.github.com","port":443,"allowed":true},
{"host":"github.com.","port":443,"allowed":true}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(egress.Suggest([]*egress.Report{r}, true).CUE())
	// Output:
	// // Derived by hubgate egress suggest from audit-mode egress reports.
	// // Paste into the repository's entry: repos: "owner/name": {...}.
	// egress: allow: [
	// 	"api.github.com:443",
	// 	"github.com:443",
	// ]
}
