package trust

import (
	"testing"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/stretchr/testify/assert"
)

// TestClaimsLegacyExtensions: a certificate from before Fulcio's v2
// extensions carries only the deprecated GitHub workflow ones; the claims
// fall back to them, and never override a v2 value.
func TestClaimsLegacyExtensions(t *testing.T) {
	legacy := certificate.Extensions{
		Issuer: GitHubActionsIssuer, GithubWorkflowRepository: "acme/app", GithubWorkflowRef: "refs/tags/v1",
		GithubWorkflowSHA: "abc", GithubWorkflowTrigger: "push",
	}
	assert.Equal(t, Claims{SourceRepositoryURI: "https://github.com/acme/app", SourceRepositoryRef: "refs/tags/v1", SourceRepositoryDigest: "abc", BuildTrigger: "push"}, claimsOf(legacy))

	both := legacy
	both.SourceRepositoryURI, both.SourceRepositoryRef, both.BuildTrigger = "https://github.com/acme/other", "refs/heads/main", "workflow_dispatch"
	c := claimsOf(both)
	assert.Equal(t, "https://github.com/acme/other", c.SourceRepositoryURI)
	assert.Equal(t, "refs/heads/main", c.SourceRepositoryRef)
	assert.Equal(t, "workflow_dispatch", c.BuildTrigger)

	other := legacy
	other.Issuer = "https://accounts.example"
	assert.Empty(t, claimsOf(other).SourceRepositoryURI, "a repository name means github.com only for GitHub's issuer")
}
