package trusttest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
)

// TestGenerateKeyedFixtures rewrites fixtures/signature (keyed material,
// stable because no certificate or log time is involved) when GEN_OUT names
// that directory:
//
//	GEN_OUT=$PWD/fixtures/signature go test ./engine/trust/trusttest -run TestGenerateKeyedFixtures
//
// It makes new keys, so the fixtures/cases/prov-keyed-*.txtar registries
// must then get the new test-signing-key.pub.
func TestGenerateKeyedFixtures(t *testing.T) {
	out := os.Getenv("GEN_OUT")
	if out == "" {
		t.Skip("set GEN_OUT to regenerate fixtures/signature")
	}
	w := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	art := []byte("hubgate fixture release 1.0.0\n")
	s := sha256.Sum256(art)
	digest := hex.EncodeToString(s[:])
	k := trusttest.NewKey(t, "ecdsa")
	other := trusttest.NewKey(t, "ecdsa")
	w("test-signing-key.pem", k.PrivatePEM(t))
	w("test-signing-key.pub", k.PEM(t))
	w("other-key.pub", other.PEM(t))
	w("app.tar.gz.sigstore.json", k.MessageBundle(t, art))
	w("app.tar.gz.other-key.sigstore.json", other.MessageBundle(t, art))
	gen := "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
	stmt := func(builder, repo, ref string) []byte {
		pred := map[string]any{
			"buildDefinition": map[string]any{
				"buildType":            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
				"externalParameters":   map[string]any{"workflow": map[string]any{"ref": ref, "repository": "https://github.com/" + repo, "path": ".github/workflows/release.yml"}},
				"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/" + repo + "@" + ref, "digest": map[string]any{"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}},
			},
			"runDetails": map[string]any{"builder": map[string]any{"id": builder}},
		}
		return trusttest.Statement(t, "https://slsa.dev/provenance/v1", pred, map[string]string{"app.tar.gz": digest})
	}
	env := func(k *trusttest.Key, st []byte) []byte {
		return append(k.Envelope(t, trusttest.InTotoPayloadType, st), '\n')
	}
	w("app.intoto.jsonl", env(k, stmt(gen+"@refs/tags/v2.1.0", "acme/app", "refs/tags/v1.0.0")))
	w("app.branch-builder.intoto.jsonl", env(k, stmt(gen+"@refs/heads/main", "acme/app", "refs/tags/v1.0.0")))
	w("app.evil-source.intoto.jsonl", env(k, stmt(gen+"@refs/tags/v2.1.0", "evil/app", "refs/heads/main")))
	w("app.other-key.intoto.jsonl", env(other, stmt(gen+"@refs/tags/v2.1.0", "acme/app", "refs/tags/v1.0.0")))
}
