// Package oci finds a release's evidence among the OCI referrers of its
// image, and publishes evidence as referrers, with oras-go v2.
//
// It is the only part of hubgate that talks to an OCI registry. The engine
// stays hermetic: [Discover] fetches the referrers of one image digest and
// hands their bytes to the engine as items with Data set, so the same
// collectors and rules judge them as judge local files.
//
//   - The registry protocol is oras-go's: the OCI 1.1 referrers API, with
//     the tag-schema fallback (sha256-<hex>) for registries without it,
//     token and basic auth, anonymous pulls, and credentials from a Docker
//     config.json ([Options.RegistryConfig]).
//   - Evidence is recognised by artifact and media type ([Classify]):
//     sigstore bundles, told apart by cosign v3's
//     dev.sigstore.bundle.predicateType annotation (provenance, signature,
//     VSA, attested CycloneDX and SPDX SBOMs), CycloneDX and SPDX SBOMs,
//     and OpenVEX. Other types are listed
//     in the decision (a referrers document) and otherwise ignored.
//   - Every fetch is bounded: the number of referrers, the bytes of each
//     manifest and blob, and a deadline. A blob whose digest does not match
//     is handed over as an item with a Problem, which its kind reports as
//     an error finding; its bytes are never used.
//   - Discovery errors ([DiscoveryError]: unreachable, unauthorized, not
//     found, rate limited, timed out) are told apart from bad evidence,
//     which the engine's rules judge: the CLI exits 2 for the first and 1
//     for the second.
//   - [Attach] pushes files as referrers with the layout cosign v3 uses
//     for its bundles, so cosign verify-attestation finds a hubgate VSA.
package oci
