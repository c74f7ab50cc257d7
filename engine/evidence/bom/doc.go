// Package bom reads software bills of materials (a helper shared by the sbom,
// vex and vulnerabilities kinds, not a kind itself) into typed facts: the
// components a release ships, each with its canonical package URL, version,
// hashes and licenses, and the subject the SBOM describes.
//
// # Formats
//
//   - CycloneDX 1.0–1.7, JSON and XML, read with cyclonedx-go. JSON and XML
//     are told apart by the first non-space byte.
//   - SPDX 2.1–2.3 JSON, read with spdx/tools-golang (converted to its 2.3
//     model).
//
// # Goals
//
//   - Purls are canonicalised once, here, with packageurl-go
//     ([CanonicalPURL]); every other package compares canonical strings. An
//     invalid purl is an [Issue] naming its field path
//     ("components[3].purl"), never a silent skip.
//   - Bad input is an error carrying a position ([Error]: line and column
//     from a JSON syntax or type error, the line of an XML error). Inputs
//     over the size limit are rejected before decoding ([ErrTooLarge]).
//   - Nothing panics on any input; a fuzz target per parser checks it.
//
// The package also holds the small helpers the vex and vulnerabilities
// packages share with it: purl parsing and matching ([PURL], [ParsePURL]),
// digest normalisation ([NormalizeAlg]) and JSON error positions
// ([JSONError]).
//
// # Non-goals
//
// Judgement (which licenses are denied, whether purls are required, whether
// the SBOM describes a subject): those are Rego rules over these facts.
// Schema validation beyond what the decoders enforce.
package bom
