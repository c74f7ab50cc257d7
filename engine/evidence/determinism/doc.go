// Package determinism compares a build with its later rebuild and turns the
// comparison into facts: which paths are equal, which differ (with both
// digests), which exist on one side only, and how far apart the builds were.
//
// # Inputs
//
//   - two checksum lists in sha256sum format, read by the shared parser in
//     engine/evidence/checksum ([checksum.ParseBytes]);
//   - the hub's determinism report.json ([ParseReport]): its timestamp and
//     delay_hours give the delay between the builds. Its "deterministic"
//     field is recorded but never used: the verdict comes from the lists;
//   - optionally, diffoscope --json output for a differing file
//     ([ParseDiffoscope]), which names the sub-files that differ;
//   - optionally, the previous release's hubgate decision JSON
//     ([ParsePrevious]).
//
// # Goals
//
// [Compare] is exact: a path equal under one algorithm and different under
// another differs; a path listed on one side only is missing; a list that
// names one path twice with different digests is a problem, never a guess.
// Paths matching the registry's ignore globs ([Globs]) are left out and
// listed as ignored. [Align] lines up the hub workflow's prefixed,
// self-listing lists; [Bind] ties the comparison to the release: both lists
// must name each subject with its computed digest. delay_hours is a number
// or a decimal string (the hub's workflow writes "24"), anything else an
// error naming the field.
//
// # Non-goals
//
// It does not rebuild anything, nor judge: too-soon delays and differing
// files become findings in the Rego package hub.determinism.
package determinism
