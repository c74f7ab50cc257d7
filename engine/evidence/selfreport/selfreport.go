// Package selfreport verifies the signatures of self-reported evidence, for
// the kinds that take it (egress, drill, determinism). It is a helper under
// engine/evidence, not a kind: it reports facts (input.<kind>.signing) and
// judges nothing; the Rego rules match the signer with hub.lib.signer_ok.
package selfreport

import (
	"bytes"
	"errors"
	"io/fs"
	"os"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// Self-reported evidence: the egress report, the DR drill manifest and
// report, and the determinism lists and report are files the release's own
// jobs write. Anyone who controls the release can write them too. A kind's
// registry setting require_signed makes each such file count only when a
// sigstore bundle beside it (FILE.sigstore.json, else FILE.bundle) verifies
// over its bytes, offline, against the same trust material as every other
// signature ([evidence.Env.TrustOptions]: --trusted-root, provenance.trusted_root, the
// embedded root; provenance.keys for keyed bundles), and, for a
// certificate, the Rego rules judge the signer and its Fulcio claims with
// hub.lib.signer_ok: the registry's provenance.identities, else the
// repository's release workflow at a release ref (every signed kind's rule).

// Report is what verifying one self-reported file's bundle found.
type Report struct {
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
	trust.Signer
}

// Signing is input.<kind>.signing.
type Signing struct {
	// Required is the registry's <kind>.require_signed.
	Required bool `json:"required"`
	// Reports lists every self-reported file read, when Required.
	Reports []Report `json:"reports"`
}

// File is one self-reported file to verify.
type File struct {
	Path string
	Data []byte
}

// New starts input.<kind>.signing for the registry's
// <kind>.require_signed.
func New(required bool) Signing {
	return Signing{Required: required, Reports: []Report{}}
}

// Verify verifies the bundle beside each file, when signing is required.
// Files are verified in the order given; problems go to f.
func (s *Signing) Verify(env *evidence.Env, kind policy.EvidenceKind, files []File, f *evidence.Facts) {
	if !s.Required || len(files) == 0 {
		return
	}
	opts, _, ok := env.TrustOptions(kind, f)
	for _, file := range files {
		r := Report{File: file.Path}
		bundlePath, bundle, err := readSidecar(env, kind, file.Path)
		r.Bundle = bundlePath
		switch {
		case err != nil:
			r.Error = err.Error()
		case bundle == nil:
			r.Error = "no signature bundle beside it (" + file.Path + ".sigstore.json or " + file.Path + ".bundle)"
		case !ok:
			r.Error = "the trust material could not be loaded"
		default:
			v, err := trust.VerifyBundle(bundle, trust.Options{Root: opts.Root, Keys: opts.Keys, Artifact: bytes.NewReader(file.Data)})
			if err != nil {
				r.Error = err.Error()
				break
			}
			r.Verified = true
			f.FutureSigningTimes(bundlePath, v.Timestamps, env.Now)
			r.Signer = v.Signer
		}
		s.Reports = append(s.Reports, r)
	}
}

// readSidecar reads FILE.sigstore.json, else FILE.bundle. A missing
// sidecar is (", nil, nil); any other read error is returned.
func readSidecar(env *evidence.Env, kind policy.EvidenceKind, file string) (string, []byte, error) {
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
