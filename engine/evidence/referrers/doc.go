// Package referrers reads the output of `oras discover -o json` for a
// subject digest and returns the OCI artifacts attached to it.
//
// # Goals
//
//   - Read both shapes oras has printed: the tree document of oras ≥ 1.3
//     ({"ref","digest","referrers":[…, "referrers":[…]]}), which names the
//     subject digest, and the referrers index of earlier versions
//     ({"manifests":[…]}), which does not. An older {"referrers":[…]} list
//     without a subject is read the same way.
//   - Keep the depth of each referrer: only depth 1 is attached to the
//     subject itself; deeper ones are attached to another referrer (a
//     signature over an SBOM).
//
// # Non-goals
//
//   - Talking to a registry: the caller ran oras.
//   - Judging: rego/referrers.rego checks the required artifact types are
//     attached to a release subject's digest.
package referrers
