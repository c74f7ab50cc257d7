// Package vsa builds, signs and verifies SLSA Verification Summary
// Attestations (VSA v1, predicate type [PredicateType]) for hubgate decisions.
//
// CI evaluates all the evidence of a release once (engine.Evaluate) and signs
// one VSA per subject with [Sign]. The admission webhook then trusts the
// summary instead of re-verifying the evidence: [VerifyBundle] checks,
// offline and in well under a millisecond, that the summary is a sigstore
// bundle signed by the trusted key and that it is about the image digest
// being admitted, and reports what it claims. Whether it says PASSED, is
// fresh, and names a repo, a policy digest and levels the registry accepts
// for that image is judged in Rego (hub.lib.vsa_problems), not here.
//
// # What a summary is bound to
//
// A summary is a signed claim that one release passed one policy, so it
// names all three, and each is checked:
//
//   - the image: statement.subject carries the subject's sha256 digest,
//     and [VerifyBundle] refuses a summary whose subjects do not include the
//     digest being admitted;
//   - the repo: predicate.resourceUri is the repository the decision was
//     made for, "git+https://github.com/<owner>/<name>" ([RepoURI]; the
//     SPDX download-location form the SLSA source track uses for a
//     repository). [Statement] refuses a decision without a repo, and
//     the admission rule refuses a summary for a repo the image's
//     admission.images entry does not list;
//   - the policy: predicate.policy is {uri, digest}, the digest being the
//     decision's policy digest (the compiled registry and rules). It covers
//     the whole registry, so it tells registries and rule versions apart but
//     not two repos of one registry: that is what the repo is for.
//     admission.vsa.policy_digests (and the entry's) limit it;
//   - how strict the repo's entry was: predicate.verifiedLevels
//     (SLSA_BUILD_LEVEL_1 when verified provenance passed, SLSA_BUILD_LEVEL_0
//     for an entry that checked less). The entry's required_levels set a floor,
//     so a summary made for a lax entry (checksums only) does not stand in
//     for a strict one.
//
// The admission webhook takes the accepted repos, policy digests and levels
// per image from the registry's admission.images mapping.
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
//   - Fail closed: every reason a bundle cannot be read or verified is an
//     error wrapping [ErrMalformed] or [ErrSignature].
//   - Deterministic payloads: the same decision, subject and options give the
//     same Statement bytes (the ECDSA signature itself is randomised).
//   - Verification only: [VerifyBundle] does the cryptography once and
//     returns a [Summary] a caller may cache. What the summary claims (the
//     result, its age, the policy, verifier, repo and levels) is judged in
//     Rego, by hub.lib.vsa_problems (rego/lib_vsa.rego), for the webhook
//     and hubgate verify vsa alike.
//
// # Non-goals
//
// Keyless (Fulcio) signing, transparency logs and timestamp authorities: the
// webhook must not depend on the network. Computing SLSA levels from the
// evidence: the caller passes [Options.VerifiedLevels].
package vsa
