package signature_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cicd-hub/hubgate/engine/evidence/signature"
	"github.com/cicd-hub/hubgate/engine/trust"
)

func FuzzVerify(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "trust", "sigstore-go", "examples", "bundle-publish.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	subj := []signature.Subject{{Name: "a", Digest: map[string]string{"sha256": "00"}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := signature.Verify(b, subj, trust.Options{})
		if err == nil && r.Verified {
			t.Fatal("a fuzzed bundle verified")
		}
	})
}
