// Package vexdoc reads VEX documents into statements (a helper shared by the
// vex and vulnerabilities kinds, not a kind itself) and decides, for each
// vulnerability a scanner found, which statement applies to it and why.
//
// # Formats
//
//   - OpenVEX 0.2.x, read with go-vex. Older OpenVEX (v0.0.1, or a context
//     without a version) and CSAF are rejected with a clear error; so are
//     documents that are not strict JSON (two published spec examples are
//     not), never guessed at.
//   - CycloneDX VEX (vulnerabilities[].analysis), JSON or XML, read with
//     cyclonedx-go: what the hub emits from vex_exemptions.json.
//
// # Matching
//
// [NewMatcher] indexes the statements once, by vulnerability id and alias and
// by canonical purl without version and qualifiers, so matching is linear in
// the number of vulnerabilities and statements, never a nested loop over
// both. A statement applies to a vulnerability only when
//
//   - its vulnerability name, @id or an alias equals the vulnerability's id or
//     one of its aliases (case-insensitively), and
//   - one of its products covers the affected component: the product's purl
//     (or, for a product bound to the subject, one of its subcomponents'
//     purls) has the same type, namespace, name, version and subpath, and
//     every qualifier it has is on the component with the same value
//     (qualifiers only narrow); or the product is bound to the release
//     subject and lists no subcomponents.
//
// A product is bound to the subject when one of its digests equals a
// subject digest: an OpenVEX product whose @id or purl is
// pkg:oci/…@sha256:… or whose hashes hold the digest; a CycloneDX VEX whose
// metadata.component carries the digest in hashes, in its purl, or in a
// subject.digest property, and whose affects[].ref names that component (or
// which has no affects). Everything a scanner found in the subject image is
// covered by a statement about the image.
//
// Of the statements that apply, the latest wins (statement timestamp, else
// the document's). Two statements made at the same time that disagree are a
// tie: the less favourable status decides (affected, then
// under_investigation, then fixed, then not_affected), the tie is in
// [Result].Ties, and the input order never matters (the rest of the order is
// by file, path and product). These do not count:
//
//   - a statement or document dated after the evaluation time
//     ([MatcherOptions].Now): any of its dates, the statement's own or the
//     document's, in the future makes it ignored;
//   - a not_affected statement whose justification is not one of the
//     format's enumerated values ([ValidOpenVEXJustification],
//     [ValidCycloneDXJustification]), or that has neither a justification
//     nor an impact statement;
//   - a statement older than the maximum age.
//
// Every statement for the same vulnerability that did not apply is a near
// miss, with the reason: another product, another version, a qualifier, too
// old, future-dated, unjustified, tied or superseded.
//
// # Non-goals
//
// Judgement: whether a vulnerability blocks a release is a Rego rule over the
// [Result]. Version ranges (vers:) are not interpreted: a range never
// matches, and shows as a near miss.
package vexdoc
