// Package vsa builds, signs and verifies SLSA Verification Summary
// Attestations (VSA v1, predicate type [PredicateType]) for hubgate decisions.
//
// CI evaluates all the evidence of a release once (engine.Evaluate) and signs
// one VSA per subject with [Sign]. The admission webhook then trusts the
// summary instead of re-verifying the evidence: [Verify] checks, offline and in
// well under a millisecond, that the summary is a sigstore bundle signed by
// the trusted key, that it is about the image digest being admitted, that it
// says PASSED, that it is fresh, and that it names a policy digest the
// registry accepts.
//
// # Format
//
// The output of [Sign] is a sigstore bundle (v0.3, JSON) holding a DSSE
// envelope whose payload is an in-toto v1 Statement. The bundle carries the
// public key hint only: no certificate, no transparency log entry, no
// timestamp. It is keyed and offline by design; trust comes from the public
// key the verifier is configured with.
//
// # Goals
//
//   - Real libraries: in-toto attestation types for the Statement and the
//     predicate, sigstore-go's sign package to sign and its verify package to
//     verify.
//   - Fail closed: every reason a summary cannot be used is an error wrapping
//     one of the sentinels ([ErrMalformed], [ErrSignature], [ErrNotPassed],
//     [ErrExpired], [ErrPolicy], [ErrVerifier]).
//   - Deterministic payloads: the same decision, subject and options give the
//     same Statement bytes (the ECDSA signature itself is randomised).
//   - Split verification: [VerifyBundle] does the cryptography once and
//     returns a [Summary] a caller may cache; [Summary.Check] applies the
//     time-dependent and policy checks on every use.
//
// # Non-goals
//
// Keyless (Fulcio) signing, transparency logs and timestamp authorities: the
// webhook must not depend on the network. Computing SLSA levels from the
// evidence: the caller passes [Options.VerifiedLevels].
package vsa
