// Package registry loads hubgate's registry of repositories: a CUE schema and
// org defaults embedded from the module's cue/ folder, unified with the
// user's CUE (or the hub's repositories.yaml) into one resolved entry per
// repository.
//
// # Goals
//
//   - One schema, written in CUE (cue/schema.cue and one cue/section_<name>.cue
//     per gate), names every field, its type, its default and its constraint.
//     [Schema] returns it.
//   - Resolution is org, then team, then repo, the most specific value
//     winning; a team or repo may only tighten what its parent sets, and the
//     schema itself enforces it.
//   - A bad registry fails to load with every problem, each with
//     file:line:col and the field path ([Error], [Problem]), positions in the
//     user's own files first.
//   - The hub's config/repositories.yaml loads as it is (through CUE's YAML
//     support, keeping the YAML's positions) and converts to CUE ([Import]).
//   - Loading is fast and the result is immutable and safe for concurrent
//     use. [Registry.Digest] identifies the sources.
//
// # Non-goals
//
//   - Judging releases: the resolved entry ([Repo.Data]) is data for the
//     Rego rules (data.hub.repo), nothing more.
//   - Cross-file references in user registries: each user file is compiled on
//     its own, then unified.
//
// # How an entry is resolved
//
// The org and each team are resolved in CUE, every field of a team defaulting
// to the org's. A repo's own settings are checked in CUE against its resolved
// parent (team or org): every field optional, typed, and no looser than the
// parent's. The loader then lays the repo's settings over the parent's
// resolved entry (objects merge field by field; any other value replaces).
// The result is what CUE defaults would give for the repo, but a repo costs
// only the fields it sets, which keeps a registry of hundreds of repos
// loading in tens of milliseconds. See cue/schema.cue.
//
// # Entry points
//
// [Load] reads from an [io/fs.FS], [LoadPath] from the operating system,
// [LoadDefault] returns the embedded default registry (the hub's own four
// repositories). [ParseExpires] parses a waiver's expiry.
package registry
