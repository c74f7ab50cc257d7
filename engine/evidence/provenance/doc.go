// Package provenance reads signed build provenance and returns verified
// facts: the statement's subjects and digests, the SLSA builder id, build
// type, source repository, ref and commit, and the verified signer.
//
// # Goals
//
//   - Input formats: sigstore bundles holding a DSSE envelope, bare DSSE
//     envelopes, JSON arrays of either, and .intoto.jsonl files (one
//     envelope or bundle per line).
//   - Accept an attestation only when its signature verifies offline
//     (package [github.com/cicd-hub/hubgate/engine/trust]). A bare DSSE
//     envelope verifies only with a trusted key; one with no signature (the
//     hub's own artifacts/slsa-provenance.json) never does. The statement
//     of an unverified attestation is not read at all.
//   - In-toto Statement v0.1 and v1; SLSA provenance v0.2 and v1, decoded
//     with github.com/in-toto/attestation.
//   - Source from externalParameters.workflow (v1 GitHub workflow build
//     type), externalParameters.source, resolvedDependencies (v1),
//     invocation.configSource or materials (v0.2), normalised to
//     "github.com/owner/repo" ([NormalizeSourceURI]); the trigger from
//     the GitHub event name the predicate records.
//   - Compare the predicate with the signing certificate's Fulcio
//     extensions ([CompareCertificate]): source repository, ref, commit,
//     builder id (for a reusable-workflow builder) and trigger, wherever
//     the certificate carries them; each disagreement is a fact
//     ([Attestation].CertificateMismatches) naming both values and where
//     each was read. A key-signed attestation has no certificate.
//   - The builder id as facts: the id, and its name and ref split at the
//     last "@" ([SplitBuilderID]), for Rego to match.
//
// # Non-goals
//
//   - Judging. Whether the builder is trusted (and the default builder
//     list), the source and ref allowed, the identity expected, is decided
//     by rego/provenance.rego alone, for eval and `hubgate verify
//     provenance` alike (the command runs the engine on this one kind).
package provenance
