package trust

import (
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// Claims are the OIDC claims a Fulcio certificate carries in its
// 1.3.6.1.4.1.57264.1.* extensions, as sigstore-go decodes them from the
// verified certificate. An empty field was not in the certificate. For
// GitHub Actions:
//
//   - SourceRepositoryURI is "https://github.com/owner/repo", the repository
//     the workflow ran in (for a reusable workflow, the caller's);
//   - SourceRepositoryRef is "refs/tags/v1.2.3" or "refs/heads/main";
//   - SourceRepositoryDigest is the commit;
//   - BuildSignerURI is the workflow that signed, "…/.github/workflows/x.yml@ref"
//     (the SAN; for a reusable workflow, the called one);
//   - BuildTrigger is the event name ("push", "workflow_dispatch", …).
//
// Certificates from before Fulcio's v2 extensions carry only the deprecated
// GitHub workflow extensions (…1.2 to …1.6); the matching fields are filled
// from them when the v2 ones are absent.
type Claims struct {
	SourceRepositoryURI    string `json:"source_repository_uri"`
	SourceRepositoryRef    string `json:"source_repository_ref"`
	SourceRepositoryDigest string `json:"source_repository_digest"`
	BuildSignerURI         string `json:"build_signer_uri"`
	BuildSignerDigest      string `json:"build_signer_digest"`
	BuildConfigURI         string `json:"build_config_uri"`
	BuildTrigger           string `json:"build_trigger"`
	RunnerEnvironment      string `json:"runner_environment"`
	RunInvocationURI       string `json:"run_invocation_uri"`
}

func claimsOf(e certificate.Extensions) Claims {
	c := Claims{
		SourceRepositoryURI:    e.SourceRepositoryURI,
		SourceRepositoryRef:    e.SourceRepositoryRef,
		SourceRepositoryDigest: e.SourceRepositoryDigest,
		BuildSignerURI:         e.BuildSignerURI,
		BuildSignerDigest:      e.BuildSignerDigest,
		BuildConfigURI:         e.BuildConfigURI,
		BuildTrigger:           e.BuildTrigger,
		RunnerEnvironment:      e.RunnerEnvironment,
		RunInvocationURI:       e.RunInvocationURI,
	}
	if c.SourceRepositoryURI == "" && e.GithubWorkflowRepository != "" && e.Issuer == GitHubActionsIssuer && !strings.Contains(e.GithubWorkflowRepository, "://") {
		c.SourceRepositoryURI = "https://github.com/" + e.GithubWorkflowRepository
	}
	if c.SourceRepositoryRef == "" {
		c.SourceRepositoryRef = e.GithubWorkflowRef
	}
	if c.SourceRepositoryDigest == "" {
		c.SourceRepositoryDigest = e.GithubWorkflowSHA
	}
	if c.BuildTrigger == "" {
		c.BuildTrigger = e.GithubWorkflowTrigger
	}
	return c
}
