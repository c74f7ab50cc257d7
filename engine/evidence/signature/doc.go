// Package signature verifies a sigstore bundle over a release subject and
// returns the verified facts: whether it verified (and why not), the
// signer's OIDC issuer, SAN and Fulcio extensions, or key, the
// transparency-log index and time,
// and which subject it covers.
//
// # Goals
//
//   - Sigstore bundles v0.1 to v0.3, message signature or DSSE, verified
//     offline through [github.com/cicd-hub/hubgate/engine/trust].
//   - A message signature is verified against the subject whose digest it
//     names (over the file's bytes when the subject is a file); a DSSE
//     statement must list one of the subjects' digests.
//
// # Non-goals
//
//   - Judging the identity: rego/signature.rego (signer_ok) matches
//     issuer, SAN and extensions against the registry's
//     provenance.identities, or the default release identity.
package signature
