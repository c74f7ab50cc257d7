// Package trust holds hubgate's trusted material and its one sigstore bundle
// verifier, shared by every evidence kind that verifies a signature
// (signature, provenance, evidence_bundle, cache).
//
// # Goals
//
//   - Verify offline with sigstore-go: a sigstore bundle (v0.1 to v0.3,
//     message signature or DSSE) against a trusted root
//     ([LoadTrustedRoot]; the embedded public-good snapshot by default), or
//     against trusted public keys ([ParsePublicKey]: ECDSA, Ed25519, RSA).
//   - Return only verified facts ([Verified]): the certificate's OIDC issuer,
//     SAN and Fulcio extensions ([Claims]), whether a key signed, the verified timestamps, the log
//     index, and a DSSE envelope's payload type and statement bytes.
//   - Bare DSSE envelopes ([VerifyEnvelope]) verify with a trusted key only;
//     an envelope without signatures fails with [ErrUnsigned].
//   - Errors wrap sentinels ([ErrNotVerified], [ErrBundle], [ErrNoKey], …)
//     with %w.
//
// # Non-goals
//
//   - Judging identity. Bundles are verified with
//     verify.WithoutIdentitiesUnsafe and the verified issuer, SAN and
//     claims are returned; the Rego rules (hub.lib.signer_ok, for eval and
//     the verify commands alike) match them against full-string anchored
//     regexps. [DefaultIdentity] is the identity the Rego rules
//     default to: the repo's release workflow at a tag, run in the repo.
//   - Network access: no TUF refresh, no Rekor lookups.
//
// # Threat model
//
// The release supplies every signed file, so every field of a bundle is
// attacker-chosen until sigstore-go has verified it; the trusted root and
// keys are the verifier's. A valid signature only says who signed: each
// kind then binds it to this release (a subject digest, the evidence or
// cache files) and to a signer the registry trusts, using the certificate's
// issuer, SAN and Fulcio extensions together. The SAN names the workflow
// file that signed, not the repository that ran it (a reusable workflow
// signs for its caller), so the default identity also requires the source
// repository extension to be this repository and its ref a release tag.
//
// # Verification policy
//
// A certificate-signed bundle needs a chain to a Fulcio CA of the root, one
// verified transparency-log entry (inclusion proof with checkpoint, or SET
// for v0.1), one verified signing time (log integrated time or RFC 3161
// timestamp) inside the certificate's validity, and an SCT when the root
// lists CT logs. A certificate without a log entry cannot prove its signing
// time offline and fails.
package trust
