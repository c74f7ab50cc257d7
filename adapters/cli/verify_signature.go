package cli

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine/trust"
)

type verifySignatureFlags struct {
	bundle, artifact, digest         string
	identity, identityRegexp, issuer string
	issuerRegexp, key, trustedRoot   string
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

Exit status: 0 verified, 1 not verified (the reason is printed), 2 usage.`,
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
	return c
}

func (a *app) verifySignature(f verifySignatureFlags) error {
	if f.bundle == "" {
		return usageErr("verify signature: --bundle is required")
	}
	if (f.artifact == "") == (f.digest == "") {
		return usageErr("verify signature: give exactly one of --artifact and --digest")
	}
	var want trust.Identity
	if f.key == "" {
		switch {
		case f.identity != "" && f.identityRegexp != "":
			return usageErr("verify signature: give only one of --certificate-identity and --certificate-identity-regexp")
		case f.identity != "":
			want.Subject = regexp.QuoteMeta(f.identity)
		case f.identityRegexp != "":
			want.Subject = f.identityRegexp
		default:
			return usageErr("verify signature: --certificate-identity or --certificate-identity-regexp is required (or --key)")
		}
		switch {
		case f.issuer != "" && f.issuerRegexp != "":
			return usageErr("verify signature: give only one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp")
		case f.issuer != "":
			want.Issuer = regexp.QuoteMeta(f.issuer)
		case f.issuerRegexp != "":
			want.Issuer = f.issuerRegexp
		default:
			return usageErr("verify signature: --certificate-oidc-issuer is required (or --key)")
		}
		if err := trust.CheckIdentities([]trust.Identity{want}); err != nil {
			return usageErr("verify signature: %v", err)
		}
	}
	if err := checkInputs("verify signature", inFile("bundle", f.bundle), inFile("artifact", f.artifact),
		inFile("key", f.key), inFile("trusted-root", f.trustedRoot)); err != nil {
		return err
	}
	opts, err := loadTrust(f.trustedRoot, f.key)
	if err != nil {
		return usageErr("verify signature: %v", err)
	}
	bundleJSON, err := readBounded(f.bundle, trust.MaxBundleSize)
	if err != nil {
		return usageErr("verify signature: %v", err)
	}
	if f.digest != "" {
		d, err := parseDigestFlag(f.digest)
		if err != nil {
			return usageErr("verify signature: --digest: %v", err)
		}
		opts.Digest = &d
	} else {
		af, err := os.Open(f.artifact)
		if err != nil {
			return usageErr("verify signature: %v", err)
		}
		defer af.Close()
		opts.Artifact = af
	}

	v, err := trust.VerifyBundle(bundleJSON, opts)
	if err != nil {
		return exitCode(ExitDenied, fmt.Errorf("%s: %w", f.bundle, err))
	}
	if f.key != "" {
		if !v.Keyed {
			return exitCode(ExitDenied, fmt.Errorf("%s: %w: signed with a certificate (SAN %s), not with the key given", f.bundle, trust.ErrNotVerified, v.SAN))
		}
	} else {
		if v.Keyed {
			return exitCode(ExitDenied, fmt.Errorf("%s: %w: signed with a key; pass --key", f.bundle, trust.ErrNotVerified))
		}
		if _, ok := trust.MatchIdentity([]trust.Identity{want}, v.Issuer, v.SAN, v.Claims); !ok {
			return exitCode(ExitDenied, fmt.Errorf("%s: identity mismatch: expected issuer ^(?:%s)$ and SAN ^(?:%s)$, got issuer %s and SAN %s",
				f.bundle, want.Issuer, want.Subject, v.Issuer, v.SAN))
		}
	}
	printVerified(a.stdout, v)
	return nil
}

func printVerified(w io.Writer, v *trust.Verified) {
	if v.Keyed {
		fmt.Fprintf(w, "Verified OK: signed with key %s\n", v.KeyID)
	} else {
		fmt.Fprintf(w, "Verified OK: signed by %s (issuer %s)\n", v.SAN, v.Issuer)
	}
	if v.TlogIndex >= 0 {
		fmt.Fprintf(w, "transparency log index %d, integrated %s\n", v.TlogIndex, v.TlogTime.Format("2006-01-02T15:04:05Z"))
	}
}

// loadTrust loads the trusted root (empty: embedded) and an optional key.
func loadTrust(rootPath, keyPath string) (trust.Options, error) {
	var opts trust.Options
	var tr *root.TrustedRoot
	var err error
	if rootPath == "" {
		tr, err = trust.DefaultTrustedRoot()
	} else {
		tr, err = trust.LoadTrustedRoot(rootPath)
	}
	if err != nil {
		return opts, err
	}
	opts.Root = tr
	if keyPath != "" {
		b, err := readBounded(keyPath, trust.MaxKeySize)
		if err != nil {
			return opts, err
		}
		k, err := trust.ParsePublicKey(b)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", keyPath, err)
		}
		opts.Keys = []*trust.PublicKey{k}
	}
	return opts, nil
}

func readBounded(path string, limit int64) ([]byte, error) { return readLimited(path, limit) }

// parseDigestFlag reads "sha256:HEX" (or sha384, sha512).
func parseDigestFlag(s string) (trust.Digest, error) {
	alg, hx, ok := strings.Cut(s, ":")
	if !ok {
		return trust.Digest{}, errors.New("want ALGORITHM:HEX, e.g. sha256:…")
	}
	alg, hx = strings.ToLower(alg), strings.ToLower(hx)
	size := map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}[alg]
	if size == 0 {
		return trust.Digest{}, fmt.Errorf("unsupported algorithm %q", alg)
	}
	raw, err := hex.DecodeString(hx)
	if err != nil || len(raw) != size {
		return trust.Digest{}, fmt.Errorf("%s digest must be %d hex characters", alg, 2*size)
	}
	return trust.Digest{Algorithm: alg, Hex: hx}, nil
}
