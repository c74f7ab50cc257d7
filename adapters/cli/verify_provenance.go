package cli

import (
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

type verifyProvenanceFlags struct {
	provenance, artifact, digest string
	sourceURI, tag, branch       string
	builderID, trustedRoot, key  string
	now                          string
}

func (a *app) newVerifyProvenanceCmd() *cobra.Command {
	var f verifyProvenanceFlags
	c := &cobra.Command{
		Use:   "provenance",
		Short: "Verify signed SLSA provenance for an artifact offline",
		Long: `Verify signed SLSA provenance for an artifact, offline, as slsa-verifier
verify-artifact does: the attestation's signature (sigstore bundle, DSSE
envelope or .intoto.jsonl) verifies against the trusted root, one of its
subjects is the artifact's digest, its builder is trusted, and it was built
from --source-uri (and --source-tag or --source-branch).

With no --builder-id the trusted builders are the slsa-github-generator
reusable workflows at a release tag. --builder-id takes slsa-verifier's
three forms: the bare name (any ref), the full ref (name@refs/tags/v2.1.0,
exactly) or the short tag (name@v2.1.0, the builder at refs/tags/v2.1.0;
vX.Y.Z tags only, never a branch).

For a keyless attestation the predicate must agree with the certificate's
Fulcio extensions wherever the certificate carries them: source repository,
ref, commit, builder id (for a reusable-workflow builder, the build-signer
URI) and trigger.

verify provenance runs the engine on the provenance kind alone, with the
rules eval uses (rego/provenance.rego) and a registry entry made from the
flags: repo OWNER/NAME and provenance.source from --source-uri;
provenance.builders [--builder-id]; provenance.refs [refs/tags/T] or
[refs/heads/B]; provenance.identities, a GitHub Actions workflow of the
source repository (what actions/attest-build-provenance signs with); and
provenance.keys [--key]. eval with that entry gives the same verdict.

Exit status: 0 verified, 1 not verified (the findings are printed), 2 usage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.verifyProvenance(f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.provenance, "provenance", "", "the provenance: sigstore bundle, DSSE envelope or .intoto.jsonl")
	fl.StringVar(&f.artifact, "artifact", "", "the artifact the provenance is about")
	fl.StringVar(&f.digest, "digest", "", "the artifact's digest, sha256:HEX (instead of --artifact)")
	fl.StringVar(&f.sourceURI, "source-uri", "", "the expected source repository, e.g. github.com/owner/repo")
	fl.StringVar(&f.tag, "source-tag", "", "the expected git tag, e.g. v1.2.3")
	fl.StringVar(&f.branch, "source-branch", "", "the expected git branch, e.g. main")
	fl.StringVar(&f.builderID, "builder-id", "", "the trusted builder id, optionally with @ref")
	fl.StringVar(&f.trustedRoot, "trusted-root", "", "a sigstore trusted_root.json (default: embedded public-good root)")
	fl.StringVar(&f.key, "key", "", "a PEM public key, for provenance signed with a key")
	fl.StringVar(&f.now, "now", "", "evaluation time, RFC 3339 (default: now)")
	return c
}

func (a *app) verifyProvenance(f verifyProvenanceFlags) error {
	switch {
	case f.provenance == "":
		return usageErr("verify provenance: --provenance is required")
	case (f.artifact == "") == (f.digest == ""):
		return usageErr("verify provenance: give exactly one of --artifact and --digest")
	case f.sourceURI == "":
		return usageErr("verify provenance: --source-uri is required")
	case f.tag != "" && f.branch != "":
		return usageErr("verify provenance: give only one of --source-tag and --source-branch")
	case strings.ContainsAny(f.tag+f.branch, "*?[]{}\\"):
		return usageErr("verify provenance: --source-tag and --source-branch name one ref, without glob characters")
	}
	if err := checkInputs("verify provenance", inFile("provenance", f.provenance), inFile("artifact", f.artifact),
		inFile("key", f.key), inFile("trusted-root", f.trustedRoot)); err != nil {
		return err
	}
	subject, err := subjectOf(f.artifact, f.digest)
	if err != nil {
		return usageErr("verify provenance: --digest: %v", err)
	}
	source := normSource(f.sourceURI)
	parts := strings.Split(source, "/")
	if len(parts) < 3 || !reRepoName.MatchString(parts[len(parts)-2]+"/"+parts[len(parts)-1]) {
		return usageErr("verify provenance: --source-uri %q: want HOST/OWNER/NAME, such as github.com/acme/app", f.sourceURI)
	}
	prov := map[string]any{
		"source": source,
		// slsa-verifier's signer check: a workflow of the source repository
		// (or, by the provenance rules, the trusted builder's own identity).
		"identities": []any{map[string]any{
			"issuer":  regexp.QuoteMeta(githubActionsIssuer),
			"subject": "(?i)" + regexp.QuoteMeta("https://"+source+"/.github/workflows/") + ".+",
		}},
	}
	if f.builderID != "" {
		prov["builders"] = []string{f.builderID}
	}
	switch {
	case f.tag != "":
		prov["refs"] = []string{"refs/tags/" + f.tag}
	case f.branch != "":
		prov["refs"] = []string{"refs/heads/" + f.branch}
	}
	if f.key != "" {
		pem, err := readBounded(f.key, maxVerifyKeySize)
		if err != nil {
			return usageErr("verify provenance: --key %s: %s", f.key, reason(err))
		}
		prov["keys"] = []string{string(pem)}
	}
	return a.verifyKind(verifyRun{
		cmd: "verify provenance", kind: policy.KindProvenance,
		repo: parts[len(parts)-2] + "/" + parts[len(parts)-1], entry: map[string]any{"provenance": prov},
		subject:     subject,
		evidence:    []engine.Item{{Kind: policy.KindProvenance, Path: f.provenance}},
		trustedRoot: f.trustedRoot, now: f.now,
	})
}

// githubActionsIssuer is the OIDC issuer of GitHub Actions workflows.
const githubActionsIssuer = "https://token.actions.githubusercontent.com"

// maxVerifyKeySize bounds a --key file.
const maxVerifyKeySize = 64 << 10

// reRepoName is the registry's #RepoName.
var reRepoName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$`)

// normSource is a source URI as the provenance rules compare it: no
// scheme, no .git, no trailing slash, lower case.
func normSource(s string) string {
	s = strings.TrimPrefix(s, "git+")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	return strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(s), "/"), ".git")
}
