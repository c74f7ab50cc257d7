// Package sbom is the sbom evidence kind: it reads each SBOM through the
// per-eval cache (engine/evidence/bom parses it once, for this kind, vex and
// vulnerabilities) into input.sbom: the documents, what each describes, the
// components without a purl and the licenses. rego/sbom.rego judges the
// facts; cue/section_sbom.cue and section_licenses.cue hold the settings.
package sbom
