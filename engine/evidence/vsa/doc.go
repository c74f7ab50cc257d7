// Package vsa is the vsa evidence kind: signed SLSA verification summaries
// (VSAs) of the release's subject, as `hubgate eval --vsa-out` writes them
// and `hubgate attach` publishes them as OCI referrers of an image. A later
// eval (`eval --image`, at deploy time) can require one: a summary that an
// earlier evaluation of this repo PASSED, signed by a key the registry
// trusts.
//
// The collector only verifies and reports. Each bundle's DSSE signature is
// verified offline by sigstore-go (engine/vsa.VerifyBundle) against the
// registry's vsa.keys, over a release subject's sha256 digest; what the
// verified statement claims (result, time, repo, policy digest, verifier,
// levels) becomes facts, and rego/vsa.rego judges them. A bundle that does
// not verify says why: not signed by a trusted key, or signed but about
// another digest. Claims are never read from a bundle that did not verify.
package vsa
