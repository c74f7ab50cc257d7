// Package vulnerabilities reads vulnerability scanner reports into one fact
// per finding: its id and aliases, the highest CVSS base score, the EPSS
// percentile, the severity and the affected component purls.
//
// # Formats
//
//   - grype JSON (the hub's format), decoded with encoding/json into the few
//     fields needed: matches[].vulnerability{id, severity, cvss[], epss[]},
//     relatedVulnerabilities[] (aliases and more CVSS scores),
//     artifact{name, version, purl}, the hub's matches[].metadata.epss, and
//     source.target. No Go library reads grype's format.
//   - CycloneDX vulnerabilities[] (JSON or XML, via cyclonedx-go): ratings,
//     references (aliases) and affects[].ref resolved to purls through the
//     BOM's own components or a caller's resolver (the SBOM).
//
// # Facts
//
//   - CVSS is the maximum base score over every rating and every related
//     vulnerability.
//   - EPSS is a percentile in 0–1; a value over 1 is read as 0–100 and
//     divided by 100.
//   - Findings with the same id and the same affected purl are merged.
//   - Without a CVSS score, a severity label stands for the lower bound of
//     its CVSS v3.1 band ([SeverityBand]); with no score, no EPSS and no
//     severity a finding is unscored, and the registry decides.
//
// # Binding
//
// A report says what it scanned, and the engine binds it to the release
// with these facts only: [Report].TargetDigests (grype
// source.target.manifestDigest, imageID when it is a digest, repoDigests;
// CycloneDX metadata.component hashes, pkg:oci purl digest, or a digest
// version), [Report].SBOMPath (grype's "sbom-file" source) and
// [Report].SBOMSerials (CycloneDX BOM-Links). Names and tags are kept for
// messages but never bind.
//
// # Non-goals
//
// Deciding whether a vulnerability blocks a release, or whether VEX
// suppresses it: see the vex package and the Rego rules.
package vulnerabilities
