package engine_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

// attestationsRegistry trusts GitHub's artifact attestations for two real
// repositories: sigstore/sigstore-js (npm provenance, signed by its own
// release workflow on main) and malancas/attest-demo (signed by GitHub's
// reusable attest workflow, called from the demo repository).
const attestationsRegistry = `
repos: "sigstore/sigstore-js": {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		release_ref: "refs/heads/main"
	}
}
repos: "sigstore/other": {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		release_ref: "refs/heads/main"
	}
}
repos: "sigstore/publish-yml": {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		source: "github.com/sigstore/sigstore-js"
		release_workflow: "publish.yml"
		release_ref: "refs/heads/main"
	}
}
repos: "malancas/attest-demo": {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		identities: [{
			issuer: "https://token\\.actions\\.githubusercontent\\.com"
			subject: "https://github\\.com/github/artifact-attestations-workflows/\\.github/workflows/attest\\.yml@.+"
			source_repository_uri: "https://github\\.com/malancas/attest-demo"
		}]
	}
}
repos: "malancas/other-signer": {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		source: "github.com/malancas/attest-demo"
		identities: [{
			issuer: "https://token\\.actions\\.githubusercontent\\.com"
			subject: "https://github\\.com/malancas/attest-demo/\\.github/workflows/release\\.yml@.+"
		}]
	}
}
repos: "malancas/other-caller": {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		source: "github.com/malancas/attest-demo"
		identities: [{
			issuer: "https://token\\.actions\\.githubusercontent\\.com"
			subject: "https://github\\.com/github/artifact-attestations-workflows/\\.github/workflows/attest\\.yml@.+"
			source_repository_uri: "https://github\\.com/acme/attest-demo"
		}]
	}
}
`

// TestRealAttestations verifies real, public GitHub artifact attestations
// and npm provenance (fixtures/attestations/README.md names their origin)
// offline against the embedded public-good trusted root, through Evaluate,
// and their closest negatives.
func TestRealAttestations(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "registry.cue")
	pub, err := os.ReadFile(filepath.Join("..", "fixtures", "attestations", "cosign", "cosign.pub"))
	require.NoError(t, err)
	other, err := os.ReadFile(filepath.Join("..", "fixtures", "attestations", "cosign", "other.pub"))
	require.NoError(t, err)
	keyed := func(repo string, key []byte) string {
		return fmt.Sprintf(`repos: %q: {
	require: ["checksums", "provenance"]
	provenance: {
		builders: ["https://github.com/actions/runner/github-hosted"]
		source: "github.com/jguida941/ci-cd-hub"
		keys: [%q]
	}
}
`, repo, key)
	}
	cfg := attestationsRegistry + keyed("cosign/keyed", pub) + keyed("cosign/other-key", other)
	require.NoError(t, os.WriteFile(reg, []byte(cfg), 0o644))
	e, err := engine.New(context.Background(), engine.WithRegistryPath(reg))
	require.NoError(t, err)
	fx := func(p string) string { return filepath.Join("..", "fixtures", "attestations", filepath.FromSlash(p)) }
	sums := func(subject string) string {
		b, err := os.ReadFile(subject)
		require.NoError(t, err)
		s := sha256.Sum256(b)
		p := filepath.Join(t.TempDir(), "SHA256SUMS")
		require.NoError(t, os.WriteFile(p, []byte(hex.EncodeToString(s[:])+"  "+filepath.Base(subject)+"\n"), 0o644))
		return p
	}
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, repo, subject, provenance string
		// fails are the rules that must fail; none means allowed.
		fails []string
	}{
		{"npm provenance, two bundles as JSON lines", "sigstore/sigstore-js", "npm/sigstore-js-2.1.0.tgz", "npm/sigstore-js-2.1.0_with_2_bundles.jsonl", nil},
		{"npm provenance, one v0.2 bundle", "sigstore/sigstore-js", "npm/sigstore-js-2.1.0.tgz", "npm/sigstore-js-2.1.0-bundle.json", nil},
		{"npm provenance for another version (digest)", "sigstore/sigstore-js", "github/reusable-workflow-artifact", "npm/sigstore-js-2.1.0-bundle.json", []string{"provenance.subject_digest"}},
		{"npm provenance of another repository", "sigstore/other", "npm/sigstore-js-2.1.0.tgz", "npm/sigstore-js-2.1.0-bundle.json", []string{"provenance.identity", "provenance.source"}},
		{"npm provenance from another workflow", "sigstore/publish-yml", "npm/sigstore-js-2.1.0.tgz", "npm/sigstore-js-2.1.0-bundle.json", []string{"provenance.identity"}},
		{"reusable workflow called from the repository", "malancas/attest-demo", "github/reusable-workflow-artifact", "github/reusable-workflow-attestation.sigstore.json", nil},
		{"reusable workflow, another signer workflow expected", "malancas/other-signer", "github/reusable-workflow-artifact", "github/reusable-workflow-attestation.sigstore.json", []string{"provenance.identity"}},
		{"reusable workflow, another caller expected", "malancas/other-caller", "github/reusable-workflow-artifact", "github/reusable-workflow-attestation.sigstore.json", []string{"provenance.identity"}},
		{"cosign v3 attest-blob bundle, keyed", "cosign/keyed", "cosign/app.tar.gz", "cosign/cosign-provenance.sigstore.json", nil},
		{"cosign v3 attest-blob bundle, another key", "cosign/other-key", "cosign/app.tar.gz", "cosign/cosign-provenance.sigstore.json", []string{"provenance.signed", "provenance.subject_digest"}},
		{"cosign v3 VSA given as provenance", "cosign/keyed", "cosign/app.tar.gz", "cosign/cosign-vsa.sigstore.json", []string{"provenance.predicate_type", "provenance.builder_trusted", "provenance.source"}},
		{"cosign v3 sign-blob bundle given as provenance", "cosign/keyed", "cosign/app.tar.gz", "cosign/cosign-sign-blob.sigstore.json", []string{"provenance.signed", "provenance.subject_digest"}},
		{"GitHub-instance bundle given the public-good root", "malancas/attest-demo", "github/github_provenance_demo-0.0.12-py3-none-any.whl", "github/github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl", []string{"provenance.signed", "provenance.subject_digest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject := fx(tt.subject)
			d, err := e.Evaluate(context.Background(), engine.Input{
				Repo: tt.repo, Now: now,
				Subjects: []engine.SubjectInput{{Path: subject}},
				Evidence: []engine.Item{
					{Kind: policy.KindChecksums, Path: sums(subject)},
					{Kind: policy.KindProvenance, Path: fx(tt.provenance)},
				},
			})
			require.NoError(t, err)
			var failed []string
			for _, f := range d.Findings {
				if !f.Outcome.Allowed() && !slices.Contains(failed, f.Rule) {
					failed = append(failed, f.Rule)
				}
			}
			slices.Sort(failed)
			want := slices.Clone(tt.fails)
			slices.Sort(want)
			assert.Equal(t, want, failed, "findings: %+v", d.Findings)
			assert.Equal(t, len(tt.fails) == 0, d.Allowed)
		})
	}
}
