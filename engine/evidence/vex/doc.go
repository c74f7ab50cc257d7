// Package vex is the vex evidence kind: it reads each VEX document through
// the per-eval cache (engine/evidence/vexdoc parses it once, for this kind
// and vulnerabilities) into input.vex: the documents and the statements that
// suppress nothing (unjustified, an invalid justification, dated in the
// future). Which statement applies to which vulnerability is the
// vulnerabilities kind's. rego/vex.rego judges the facts.
package vex
