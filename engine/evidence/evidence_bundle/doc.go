// Package evidencebundle checks a signed evidence bundle: the hub's
// evidence-manifest.json ({"version", "timestamp", "subjects": [{"name",
// "digest": {"sha256"}}], "files": [{"path", "sha256", "size"}]}), a
// sigstore bundle over the manifest's bytes, and the evidence directory.
//
// # Goals
//
//   - The manifest's signature verifies offline
//     ([github.com/cicd-hub/hubgate/engine/trust]); the bundle is found
//     beside the manifest as MANIFEST.sigstore.json or MANIFEST.bundle
//     ([BundleNames]), unless given explicitly.
//   - Every listed file is present, a regular file, with the listed
//     sha256 and size; no file is in the directory that the manifest does
//     not list. An empty files list is a parse error.
//   - Listed paths cannot escape the directory: ".." and absolute paths are
//     refused (filepath.IsLocal), files are opened through os.Root, and a
//     symbolic link at any component is refused (Lstat).
//   - The manifest is bound to one release, so a signed manifest of an
//     earlier release cannot be replayed: its subjects are parsed for the
//     rules to compare with the release's subjects, its timestamp is parsed
//     as RFC 3339 ([ParseTimestamp]) for the rules to compare with the
//     evaluation time and the registry's max_age, and [Binder] checks each
//     evidence file eval read, of any kind, against the listed files and
//     their sha256 (the digest of the bytes read, not of the file later).
//
// # Non-goals
//
//   - Judging: the signer's identity, the subjects, the time and the
//     bindings are judged by rego/evidence_bundle.rego (the identity with
//     the anchored patterns of hub.signature).
package evidencebundle
