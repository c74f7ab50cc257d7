// Package cache checks a build cache against the hub's signed
// cache-manifest.json: every listed file present with its size and digest
// (BLAKE3 through github.com/zeebo/blake3, or SHA-256), no file present that
// the manifest does not list (the hub's own check missed these), and the
// manifest's sigstore signature verified, with its signer (issuer, SAN and
// Fulcio claims) reported for rego/cache.rego to match against the
// registry's provenance.identities, as every signed kind does.
//
// # Goals
//
//   - Walk the observed directory safely: through an [os.Root], never
//     following symlinks (a symlink is reported, not read), bounded in the
//     number of files.
//   - A missing or unverifiable signature is a fact ([Signature].Verified
//     false with the reason), never a pass: the Rego rule fails on it.
//   - Facts are ordered by path.
//
// # Non-goals
//
// It does not quarantine or repair the cache, and it judges nothing (the
// Rego package hub.cache does).
package cache
