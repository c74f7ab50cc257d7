package vsa_test

import (
	"fmt"
	"time"

	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

func ExampleSign() {
	key, _ := vsa.GenerateKey(vsa.AlgorithmEd25519)
	d := &policy.Decision{
		Outcome: policy.OutcomePass, Allowed: true, Repo: "acme/api",
		Policy: policy.PolicyRef{Digest: "sha256:" + otherHex},
		Time:   time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
	}
	img := policy.Subject{Name: "ghcr.io/acme/api", Digest: policy.Digest{"sha256": imgHex}}
	bundle, err := vsa.Sign(d, img, key, vsa.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := vsa.Policy{MaxAge: 168 * time.Hour, Repos: []string{"acme/api"}}
	s, err := vsa.Verify(bundle, key.Public(), "sha256:"+imgHex, d.Time.Add(time.Hour), p)
	fmt.Println(s.Result, s.Repo, s.VerifiedLevels, err)
	_, err = vsa.Verify(bundle, key.Public(), "sha256:"+imgHex, d.Time.Add(time.Hour), vsa.Policy{MaxAge: 168 * time.Hour, Repos: []string{"acme/web"}})
	fmt.Println(err)
	_, err = vsa.Verify(bundle, key.Public(), "sha256:"+imgHex, d.Time.Add(200*time.Hour), p)
	fmt.Println(err != nil)
	// Output:
	// PASSED acme/api [SLSA_BUILD_LEVEL_0] <nil>
	// verify vsa: repository not accepted: summary is for acme/api, want one of [acme/web]
	// true
}
