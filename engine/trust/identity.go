package trust

import (
	"fmt"
	"regexp"
)

// GitHubActionsIssuer is the OIDC issuer of GitHub Actions workflow tokens.
const GitHubActionsIssuer = "https://token.actions.githubusercontent.com"

// DefaultReleaseWorkflow and DefaultReleaseRef are the registry's defaults
// for provenance.release_workflow and provenance.release_ref (see
// cue/section_provenance.cue).
const (
	DefaultReleaseWorkflow = "release.yml"
	DefaultReleaseRef      = "refs/tags/.+"
)

// Identity is a signer identity, as the registry's provenance.identities
// lists them: full-string regular expressions over a Fulcio certificate's
// OIDC issuer and subject alternative name and, when set, over its Fulcio
// extensions ([Claims]). An empty extension pattern does not constrain; a
// set one requires the certificate to carry that extension.
type Identity struct {
	Issuer              string `json:"issuer"`
	Subject             string `json:"subject"`
	SourceRepositoryURI string `json:"source_repository_uri,omitempty"`
	SourceRepositoryRef string `json:"source_repository_ref,omitempty"`
	BuildSignerURI      string `json:"build_signer_uri,omitempty"`
	BuildTrigger        string `json:"build_trigger,omitempty"`
}

// Anchor makes re match whole strings only, whatever the user wrote:
// "^(?:" + re + ")$". Rego rules anchor the same way.
func Anchor(re string) string { return "^(?:" + re + ")$" }

// DefaultIdentity is the identity trusted when the registry lists none
// (rego/signature.rego computes the same): the GitHub Actions workflow file
// workflow of repo at a ref matching refPattern, run in repo itself (the
// certificate's source repository is repo, its source ref matches
// refPattern). A reusable workflow of repo called from another repository,
// another workflow of repo, or a branch ref does not match.
func DefaultIdentity(repo, workflow, refPattern string) Identity {
	if workflow == "" {
		workflow = DefaultReleaseWorkflow
	}
	if refPattern == "" {
		refPattern = DefaultReleaseRef
	}
	base := "https://github\\.com/" + regexp.QuoteMeta(repo)
	return Identity{
		Issuer:              regexp.QuoteMeta(GitHubActionsIssuer),
		Subject:             base + "/\\.github/workflows/" + regexp.QuoteMeta(workflow) + "@(?:" + refPattern + ")",
		SourceRepositoryURI: base,
		SourceRepositoryRef: refPattern,
	}
}

// CheckIdentities reports the first pattern that is not a valid regular
// expression.
func CheckIdentities(patterns []Identity) error {
	for i, p := range patterns {
		for _, f := range p.fields() {
			if f.pattern == "" && f.name != "issuer" && f.name != "subject" {
				continue
			}
			if _, err := regexp.Compile(Anchor(f.pattern)); err != nil {
				return fmt.Errorf("%w: identities[%d].%s: %w", ErrIdentity, i, f.name, err)
			}
		}
	}
	return nil
}

type field struct{ name, pattern string }

func (p Identity) fields() []field {
	return []field{
		{"issuer", p.Issuer},
		{"subject", p.Subject},
		{"source_repository_uri", p.SourceRepositoryURI},
		{"source_repository_ref", p.SourceRepositoryRef},
		{"build_signer_uri", p.BuildSignerURI},
		{"build_trigger", p.BuildTrigger},
	}
}
