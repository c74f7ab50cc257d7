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
	s, err := vsa.VerifyBundle(bundle, key.Public(), "sha256:"+imgHex)
	fmt.Println(s.Result, s.Repo, s.VerifiedLevels, s.TimeVerified.Format(time.RFC3339), err)
	_, err = vsa.VerifyBundle(bundle, key.Public(), "sha256:"+otherHex)
	fmt.Println(err != nil)
	// Output:
	// PASSED acme/api [SLSA_BUILD_LEVEL_0] 2026-11-28T00:00:00Z <nil>
	// true
}
