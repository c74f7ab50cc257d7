package cli

import (
	"regexp"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

type verifySignatureFlags struct {
	bundle, artifact, digest         string
	identity, identityRegexp, issuer string
	issuerRegexp, key, trustedRoot   string
	now                              string
}

func (a *app) newVerifySignatureCmd() *cobra.Command {
	var f verifySignatureFlags
	c := &cobra.Command{
		Use:   "signature",
		Short: "Verify a sigstore bundle over an artifact offline",
		Long: `Verify a sigstore bundle (v0.1 to v0.3, message signature or DSSE) over an
artifact or a digest, offline, against a trusted root (default: the embedded
public-good root) or a public key, as cosign verify-blob --bundle does.

The signer identity is read from the verified certificate. Identity regexps
are anchored: --certificate-identity-regexp RE must match the whole SAN
(^(?:RE)$), unlike cosign's.

verify signature runs the engine on the signature kind alone, with the
rules eval uses (rego/signature.rego) and a registry entry made from the
flags: repo verify/signature whose provenance.identities is the one
identity given (an exact value is quoted), or, with --key,
provenance.keys [--key] and provenance.keys_only: true, so that only that
key is trusted. eval with that entry gives the same verdict.

Exit status: 0 verified, 1 not verified (the findings are printed), 2 usage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.verifySignature(f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.bundle, "bundle", "", "the sigstore bundle (.sigstore.json)")
	fl.StringVar(&f.artifact, "artifact", "", "the signed artifact")
	fl.StringVar(&f.digest, "digest", "", "the signed artifact's digest, sha256:HEX (instead of --artifact)")
	fl.StringVar(&f.identity, "certificate-identity", "", "the expected certificate SAN, exactly")
	fl.StringVar(&f.identityRegexp, "certificate-identity-regexp", "", "a regexp the whole certificate SAN must match")
	fl.StringVar(&f.issuer, "certificate-oidc-issuer", "", "the expected OIDC issuer, exactly")
	fl.StringVar(&f.issuerRegexp, "certificate-oidc-issuer-regexp", "", "a regexp the whole OIDC issuer must match")
	fl.StringVar(&f.key, "key", "", "a PEM public key, for bundles signed with a key")
	fl.StringVar(&f.trustedRoot, "trusted-root", "", "a sigstore trusted_root.json (default: embedded public-good root)")
	fl.StringVar(&f.now, "now", "", "evaluation time, RFC 3339 (default: now)")
	return c
}

func (a *app) verifySignature(f verifySignatureFlags) error {
	if f.bundle == "" {
		return usageErr("verify signature: --bundle is required")
	}
	if (f.artifact == "") == (f.digest == "") {
		return usageErr("verify signature: give exactly one of --artifact and --digest")
	}
	prov := map[string]any{}
	if f.key == "" {
		var issuer, subject string
		switch {
		case f.identity != "" && f.identityRegexp != "":
			return usageErr("verify signature: give only one of --certificate-identity and --certificate-identity-regexp")
		case f.identity != "":
			subject = regexp.QuoteMeta(f.identity)
		case f.identityRegexp != "":
			subject = f.identityRegexp
		default:
			return usageErr("verify signature: --certificate-identity or --certificate-identity-regexp is required (or --key)")
		}
		switch {
		case f.issuer != "" && f.issuerRegexp != "":
			return usageErr("verify signature: give only one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp")
		case f.issuer != "":
			issuer = regexp.QuoteMeta(f.issuer)
		case f.issuerRegexp != "":
			issuer = f.issuerRegexp
		default:
			return usageErr("verify signature: --certificate-oidc-issuer is required (or --key)")
		}
		for _, p := range []string{issuer, subject} {
			// The rules anchor every pattern; an invalid one would match
			// nothing, so say so before evaluating.
			if _, err := regexp.Compile("^(?:" + p + ")$"); err != nil {
				return usageErr("verify signature: identity pattern %q: %v", p, err)
			}
		}
		prov["identities"] = []any{map[string]any{"issuer": issuer, "subject": subject}}
	}
	if err := checkInputs("verify signature", inFile("bundle", f.bundle), inFile("artifact", f.artifact),
		inFile("key", f.key), inFile("trusted-root", f.trustedRoot)); err != nil {
		return err
	}
	if f.key != "" {
		pem, err := readBounded(f.key, maxVerifyKeySize)
		if err != nil {
			return usageErr("verify signature: --key %s: %s", f.key, reason(err))
		}
		prov["keys"] = []string{string(pem)}
		prov["keys_only"] = true
	}
	subject, err := subjectOf(f.artifact, f.digest)
	if err != nil {
		return usageErr("verify signature: --digest: %v", err)
	}
	return a.verifyKind(verifyRun{
		cmd: "verify signature", kind: policy.KindSignature,
		repo: verifySignatureRepo, entry: map[string]any{"provenance": prov},
		subject:     subject,
		evidence:    []engine.Item{{Kind: policy.KindSignature, Path: f.bundle}},
		trustedRoot: f.trustedRoot, now: f.now,
	})
}

// verifySignatureRepo is the registry entry verify signature judges with.
const verifySignatureRepo = "verify/signature"
