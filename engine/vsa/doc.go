// Package vsa builds, signs and verifies SLSA Verification Summary
// Attestations (VSA v1, predicate type [PredicateType]) for hubgate decisions.
//
// CI evaluates all the evidence of a release once (engine.Evaluate) and signs
// one VSA per subject with [Sign]. The admission webhook then trusts the
// summary instead of re-verifying the evidence: [Verify] checks, offline and in
// well under a millisecond, that the summary is a sigstore bundle signed by
// the trusted key, that it is about the image digest being admitted, that it
// says PASSED, that it is fresh, and that it names a repo, a policy digest
// and levels the registry accepts for that image.
//
// # What a summary is bound to
//
// A summary is a signed claim that one release passed one policy, so it
// names all three, and the verifier checks each:
//
//   - the image: statement.subject carries the subject's sha256 digest,
//     and [VerifyBundle] refuses a summary whose subjects do not include the
//     digest being admitted;
//   - the repo: predicate.resourceUri is the repository the decision was
//     made for, "git+https://github.com/<owner>/<name>" ([RepoURI]; the
//     SPDX download-location form the SLSA source track uses for a
//     repository). [Statement] refuses a decision without a repo, and
//     [Summary.Check] refuses a summary for a repo not in [Policy.Repos];
//   - the policy: predicate.policy is {uri, digest}, the digest being the
//     decision's policy digest (the compiled registry and rules). It covers
//     the whole registry, so it tells registries and rule versions apart but
//     not two repos of one registry: that is what the repo is for.
//     [Policy.AcceptedPolicies] limits it;
//   - how strict the repo's entry was: predicate.verifiedLevels
//     (SLSA_BUILD_LEVEL_1 when verified provenance passed, SLSA_BUILD_LEVEL_0
//     for an entry that checked less). [Policy.RequiredLevels] sets a floor,
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
