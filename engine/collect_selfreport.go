package engine

import (
	"bytes"
	"errors"
	"io/fs"
	"os"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// Self-reported evidence: the egress report, the DR drill manifest and
// report, and the determinism lists and report are files the release's own
// jobs write. Anyone who controls the release can write them too. A kind's
// registry setting require_signed makes each such file count only when a
// sigstore bundle beside it (FILE.sigstore.json, else FILE.bundle) verifies
// over its bytes, offline, against the same trust material as every other
// signature (trustOptions: --trusted-root, provenance.trusted_root, the
// embedded root; provenance.keys for keyed bundles), and, for a
// certificate, the Rego rules judge the signer and its Fulcio claims with
// hub.signature.signer_ok: the registry's provenance.identities, else the
// repository's release workflow at a release ref (every signed kind's rule).

// signedReport is what verifying one self-reported file's bundle found.
type signedReport struct {
	// File is the self-reported file; Bundle the bundle beside it, "" when
	// none was found.
	File   string `json:"file"`
	Bundle string `json:"bundle"`
	// Verified is true when the bundle verified over File's bytes.
	Verified bool   `json:"verified"`
	Error    string `json:"error"`
	// Keyed is true when a registry key verified it; Issuer, SAN and
	// Claims are the verified certificate's otherwise, for the rules to
	// match against the registry's identities.
	Keyed  bool         `json:"keyed"`
	KeyID  string       `json:"key_id"`
	Issuer string       `json:"issuer"`
	SAN    string       `json:"san"`
	Claims trust.Claims `json:"claims"`
}

// signing is input.<kind>.signing.
type signing struct {
	// Required is the registry's <kind>.require_signed.
	Required bool `json:"required"`
	// Reports lists every self-reported file read, when Required.
	Reports []signedReport `json:"reports"`
}

// signedFile is one self-reported file to verify.
type signedFile struct {
	path string
	data []byte
}

// newSigning starts input.<kind>.signing for the registry's
// <kind>.require_signed.
func newSigning(required bool) signing {
	return signing{Required: required, Reports: []signedReport{}}
}

// verifyReports verifies the bundle beside each file, when signing is
// required. Files are verified in the order given.
func (s *signing) verifyReports(env *Env, kind policy.EvidenceKind, files []signedFile, f *Facts) {
	if !s.Required || len(files) == 0 {
		return
	}
	opts, _, ok := env.TrustOptions(kind, f)
	for _, file := range files {
		r := signedReport{File: file.path}
		bundlePath, bundle, err := readSidecar(env, kind, file.path)
		r.Bundle = bundlePath
		switch {
		case err != nil:
			r.Error = err.Error()
		case bundle == nil:
			r.Error = "no signature bundle beside it (" + file.path + ".sigstore.json or " + file.path + ".bundle)"
		case !ok:
			r.Error = "the trust material could not be loaded"
		default:
			v, err := trust.VerifyBundle(bundle, trust.Options{Root: opts.Root, Keys: opts.Keys, Artifact: bytes.NewReader(file.data)})
			if err != nil {
				r.Error = err.Error()
				break
			}
			r.Verified = true
			f.FutureSigningTimes(bundlePath, v.Timestamps, env.Now)
			r.Keyed, r.KeyID, r.Issuer, r.SAN, r.Claims = v.Keyed, v.KeyID, v.Issuer, v.SAN, v.Claims
		}
		s.Reports = append(s.Reports, r)
	}
}

// readSidecar reads FILE.sigstore.json, else FILE.bundle. A missing
// sidecar is (", nil, nil); any other read error is returned.
func readSidecar(env *Env, kind policy.EvidenceKind, file string) (string, []byte, error) {
	for _, p := range []string{file + ".sigstore.json", file + ".bundle"} {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		b, err := env.ReadFile(kind, "signature", p)
		if err != nil {
			return p, nil, err
		}
		return p, b, nil
	}
	return "", nil, nil
}
