// Package evidencebundle checks a signed evidence bundle: the hub's
// evidence-manifest.json ({"version", "timestamp", "files": [{"path",
// "sha256", "size"}]}), a sigstore bundle over the manifest's bytes, and the
// evidence directory.
//
// # Goals
//
//   - The manifest's signature verifies offline
//     ([github.com/cicd-hub/hubgate/engine/trust]); the bundle is found
//     beside the manifest as MANIFEST.sigstore.json or MANIFEST.bundle
//     ([BundleNames]), unless given explicitly.
//   - Every listed file is present, a regular file, with the listed
//     sha256 and size; no file is in the directory that the manifest does
//     not list.
//   - Listed paths cannot escape the directory: ".." and absolute paths are
//     refused (filepath.IsLocal), files are opened through os.Root, and a
//     symbolic link at any component is refused (Lstat).
//
// # Non-goals
//
//   - Judging the signer's identity: rego/evidence_bundle.rego does, with
//     the anchored identity patterns of hub.signature.
package evidencebundle
