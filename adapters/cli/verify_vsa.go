package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

type verifyVSAFlags struct {
	vsa, digest, key, registry, now, output string
	maxAge                                  time.Duration
}

func (a *app) newVerifyVSACmd() *cobra.Command {
	var f verifyVSAFlags
	c := &cobra.Command{
		Use:   "vsa --vsa FILE --digest sha256:HEX --key PEM",
		Short: "Verify a signed verification summary (SLSA VSA) for an image or artifact digest",
		Long: `Verify a signed verification summary (a sigstore bundle written by
hubgate eval --vsa-out) for a digest, as slsa-verifier verify-vsa does and as
the webhook does at admission: the signature verifies against --key, the
statement's subject is --digest, the result is PASSED, timeVerified is no
older than the maximum age and not in the future, and the policy digest and
verifier id are the ones the registry's admission.vsa section accepts.

Exit codes: 0 verified; 1 not (bad signature, other digest, FAILED, too old,
policy not accepted); 2 usage (missing flags, unreadable files, a key or
registry that does not load).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runVerifyVSA(&f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.vsa, "vsa", "", "the summary: a sigstore bundle from hubgate eval --vsa-out (required)")
	fl.StringVar(&f.digest, "digest", "", "the subject digest the summary must cover (required)")
	fl.StringVar(&f.key, "key", "", "the PKIX PEM public key the summary is signed with, from hubgate keygen (required)")
	fl.StringVar(&f.registry, "registry", "", "registry whose admission.vsa section sets the maximum age, accepted policies and verifier id (default: embedded)")
	fl.StringVar(&f.now, "now", "", "the time to check the age at, RFC 3339 (default: now)")
	fl.DurationVar(&f.maxAge, "max-age", 0, "the oldest summary accepted (default: the registry's admission.vsa.max_age)")
	fl.StringVarP(&f.output, "output", "o", "text", "text or json")
	return c
}

func (a *app) runVerifyVSA(f *verifyVSAFlags) error {
	for _, req := range [][2]string{{"vsa", f.vsa}, {"digest", f.digest}, {"key", f.key}} {
		if req[1] == "" {
			return usageErr("verify vsa: --%s is required", req[0])
		}
	}
	if f.output != "text" && f.output != "json" {
		return usageErr("verify vsa: -o %q: want text or json", f.output)
	}
	if _, err := vsa.ParseDigest(f.digest); err != nil {
		return usageErr("verify vsa: --digest: %v", err)
	}
	now, err := parseNow(f.now)
	if err != nil {
		return usageErr("verify vsa: %v", err)
	}
	if err := checkInputs("verify vsa", inFile("vsa", f.vsa), inFile("key", f.key), inAny("registry", f.registry)); err != nil {
		return err
	}
	keyPEM, err := readBounded(f.key, 64<<10)
	if err != nil {
		return usageErr("verify vsa: --key %s: %s", f.key, reason(err))
	}
	pub, err := vsa.LoadPublicKey(keyPEM)
	if err != nil {
		return usageErr("verify vsa: --key %s: %v", f.key, err)
	}
	reg, err := loadRegistry(f.registry)
	if err != nil {
		return err
	}
	cfg, err := loadAdmissionConfig(reg)
	if err != nil {
		return usageErr("verify vsa: %v", err)
	}
	vcfg := cfg.VSA
	if f.maxAge != 0 {
		if f.maxAge < 0 {
			return usageErr("verify vsa: --max-age must be positive")
		}
		vcfg.MaxAge = admission.Duration(f.maxAge)
	}
	b, err := readBounded(f.vsa, vsa.MaxBundleSize)
	if err != nil {
		return usageErr("verify vsa: --vsa %s: %s", f.vsa, reason(err))
	}
	digest := strings.ToLower(f.digest)
	// Go verifies the signature and the subject; the engine judges what
	// the summary claims (hub.vsa, the admission webhook's judgement).
	s, berr := vsa.VerifyBundle(b, pub, digest)
	facts := admission.UnverifiedFacts(berr)
	if berr == nil {
		facts = admission.SummaryFacts(s)
	}
	eng, err := engine.New(a.ctx, engine.WithRegistry(reg))
	if err != nil {
		return usageErr("verify vsa: %v", err)
	}
	d, err := eng.EvaluateVSA(a.ctx, engine.VSAInput{Summary: facts, Digest: digest, Config: vcfg, Now: now})
	if err != nil {
		return usageErr("verify vsa: %v", err)
	}
	var verr error
	if !d.Allowed {
		msg := "the summary is not accepted"
		if len(d.Findings) > 0 {
			msg = d.Findings[0].Message
		}
		verr = fmt.Errorf("verify vsa: %s", strings.TrimPrefix(msg, "verify vsa: "))
	}
	if f.output == "json" {
		out := struct {
			Verified bool        `json:"verified"`
			Error    string      `json:"error,omitempty"`
			KeyID    string      `json:"keyId"`
			Summary  vsa.Summary `json:"summary"`
		}{Verified: verr == nil, KeyID: keyID(pub), Summary: s}
		if verr != nil {
			out.Error = verr.Error()
		}
		// One key id form: the hex one hubgate prints everywhere.
		out.Summary.KeyID = keyID(pub)
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return usageErr("verify vsa: write standard output: %v", err)
		}
		if verr != nil {
			return exitCode(ExitDenied, nil)
		}
		return nil
	}
	if verr != nil {
		return exitCode(ExitDenied, fmt.Errorf("verify vsa: %s: %w", f.vsa, unprefix(verr)))
	}
	policies := strings.Join(s.PolicyDigests, ", ")
	if policies == "" {
		policies = "(none)"
	}
	_, err = fmt.Fprintf(a.stdout, "Verified OK: %s summary for %s\n  verifier: %s\n  verified: %s (max age %s)\n  policy:   %s\n  levels:   %s\n  key:      %s\n",
		s.Result, s.Digest, s.VerifierID, s.TimeVerified.Format(time.RFC3339), time.Duration(vcfg.MaxAge), policies, strings.Join(s.VerifiedLevels, ", "), keyID(pub))
	if err != nil {
		return usageErr("verify vsa: write standard output: %v", err)
	}
	return nil
}

// unprefix drops a leading "verify vsa: " the vsa package puts on its
// errors, so the message does not say it twice.
func unprefix(err error) error {
	msg := err.Error()
	for strings.HasPrefix(msg, "verify vsa: ") {
		msg = strings.TrimPrefix(msg, "verify vsa: ")
	}
	return fmt.Errorf("%s", msg)
}
