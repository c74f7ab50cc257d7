package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	"github.com/cicd-hub/hubgate/engine/trust"
)

type verifyProvenanceFlags struct {
	provenance, artifact, digest string
	sourceURI, tag, branch       string
	builderID, trustedRoot, key  string
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

Exit status: 0 verified, 1 not verified (the reason is printed), 2 usage.`,
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
	}
	if err := checkInputs("verify provenance", inFile("provenance", f.provenance), inFile("artifact", f.artifact),
		inFile("key", f.key), inFile("trusted-root", f.trustedRoot)); err != nil {
		return err
	}
	var want trust.Digest
	if f.digest != "" {
		d, err := parseDigestFlag(f.digest)
		if err != nil {
			return usageErr("verify provenance: --digest: %v", err)
		}
		want = d
	} else {
		d, err := sha256File(f.artifact)
		if err != nil {
			return usageErr("verify provenance: %v", err)
		}
		want = d
	}
	opts, err := loadTrust(f.trustedRoot, f.key)
	if err != nil {
		return usageErr("verify provenance: %v", err)
	}
	data, err := readBounded(f.provenance, provenance.MaxFileSize)
	if err != nil {
		return usageErr("verify provenance: %v", err)
	}
	res := provenance.Parse(data, opts)
	var reasons []string
	for _, p := range res.Problems {
		reasons = append(reasons, fmt.Sprintf("%s %s: %s", f.provenance, attPath(p.Path), p.Message))
	}
	wantSource, _ := provenance.NormalizeSourceURI(f.sourceURI)
	var trusted []string
	if f.builderID != "" {
		trusted = []string{f.builderID}
	}
	for _, at := range res.Attestations {
		if !at.Verified {
			reasons = append(reasons, fmt.Sprintf("%s %s: %s", f.provenance, attPath(at.Path), at.Reason))
			continue
		}
		st := at.Statement
		if !coversDigest(st, want) {
			reasons = append(reasons, fmt.Sprintf("%s %s: no subject has digest %s", f.provenance, attPath(at.Path), want))
			continue
		}
		var fails []string
		if !provenance.BuilderTrusted(trusted, st.BuilderID) {
			exp := "an slsa-github-generator builder at a release tag"
			if f.builderID != "" {
				exp = f.builderID
			}
			fails = append(fails, fmt.Sprintf("builder: expected %s, got %q", exp, st.BuilderID))
		}
		if !strings.EqualFold(st.Source.URI, wantSource) {
			fails = append(fails, fmt.Sprintf("source: expected %s, got %q", wantSource, st.Source.URI))
		}
		if f.tag != "" && st.Source.Ref != "refs/tags/"+f.tag {
			fails = append(fails, fmt.Sprintf("tag: expected refs/tags/%s, got %q", f.tag, st.Source.Ref))
		}
		if f.branch != "" && st.Source.Ref != "refs/heads/"+f.branch {
			fails = append(fails, fmt.Sprintf("branch: expected refs/heads/%s, got %q", f.branch, st.Source.Ref))
		}
		if !at.Keyed && !signerMatches(at, st, wantSource) {
			fails = append(fails, fmt.Sprintf("signer: expected the builder's or %s's GitHub Actions workflow, got %s (issuer %s)", wantSource, at.SAN, at.Issuer))
		}
		for _, m := range at.CertificateMismatches {
			fails = append(fails, fmt.Sprintf("%s: the predicate says %q (%s), the certificate %q (%s)", m.Field, m.Predicate, m.PredicatePath, m.Certificate, m.CertificateSource))
		}
		if len(fails) > 0 {
			reasons = append(reasons, fmt.Sprintf("%s %s: %s", f.provenance, attPath(at.Path), strings.Join(fails, "; ")))
			continue
		}
		fmt.Fprintf(a.stdout, "PASSED: verified SLSA provenance for %s\n", want)
		fmt.Fprintf(a.stdout, "builder %s, source %s@%s, commit %s\n", st.BuilderID, st.Source.URI, st.Source.Ref, st.Source.Commit)
		if at.Keyed {
			fmt.Fprintf(a.stdout, "signed with key %s\n", at.KeyID)
		} else {
			fmt.Fprintf(a.stdout, "signed by %s (issuer %s)\n", at.SAN, at.Issuer)
		}
		return nil
	}
	if len(reasons) == 0 {
		reasons = append(reasons, f.provenance+": no attestation")
	}
	return exitCode(ExitDenied, fmt.Errorf("FAILED: %s", strings.Join(reasons, "\n  ")))
}

func attPath(p string) string {
	if p == "" {
		return "attestation"
	}
	return p
}

func coversDigest(st *provenance.Statement, d trust.Digest) bool {
	for _, s := range st.Subjects {
		if strings.EqualFold(s.Digest[d.Algorithm], d.Hex) {
			return true
		}
	}
	return false
}

// signerMatches is slsa-verifier's identity check: a GitHub Actions
// certificate whose SAN is the builder's reusable workflow, or a workflow of
// the source repository itself (actions/attest-build-provenance).
func signerMatches(at provenance.Attestation, st *provenance.Statement, source string) bool {
	if at.Issuer != trust.GitHubActionsIssuer {
		return false
	}
	if at.SAN == st.BuilderID {
		return true
	}
	return strings.HasPrefix(strings.ToLower(at.SAN), "https://"+strings.ToLower(source)+"/.github/workflows/")
}

// sha256File hashes an artifact by streaming, with the engine's hasher.
func sha256File(path string) (trust.Digest, error) {
	d, _, err := checksum.HashFile(path, "sha256")
	if err != nil {
		return trust.Digest{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return trust.Digest{Algorithm: "sha256", Hex: d["sha256"]}, nil
}
