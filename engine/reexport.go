package engine

import (
	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/egress"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/engine/trust"
)

// What adapters need from the layers under the engine, re-exported so that
// they import engine and policy alone, never engine/evidence/* or
// engine/trust (adapters/imports_test.go).

// EgressReport is a parsed egress report or Squid access.log
// (engine/evidence/egress).
type EgressReport = egress.Report

// EgressSuggestion is the smallest allowlist covering some egress reports.
type EgressSuggestion = egress.Suggestion

// ParseEgressReport parses an egress-report.json or a Squid access.log.
func ParseEgressReport(b []byte) (*EgressReport, error) { return egress.Parse(b) }

// SuggestEgress derives the smallest allowlist covering every attempted
// host of reports, with ports ("host:port") or without.
func SuggestEgress(reports []*EgressReport, ports bool) EgressSuggestion {
	return egress.Suggest(reports, ports)
}

// KeyID is the key id hubgate shows for a PEM public key: lowercase hex of
// the SHA-256 of its PKIX DER encoding, as the decision facts (key_id)
// carry it.
func KeyID(pem []byte) (string, error) {
	k, err := trust.ParsePublicKey(pem)
	if err != nil {
		return "", err
	}
	return k.ID, nil
}

// Document is a kind's facts document ([evidence.Document]).
type Document = evidence.Document

// VulnerabilitiesFacts are the vulnerabilities kind's facts
// (input.vulnerabilities): each finding with its effective VEX status.
type VulnerabilitiesFacts = vulnerabilities.Facts

// VulnerabilityAssessment is one vulnerability with its effective VEX
// status, the statement that decided it and the near misses.
type VulnerabilityAssessment = vulnerabilities.Assessment

// VulnerabilitiesConfigFacts are the vulnerabilities settings the rules
// judged with (the registry's, resolved).
type VulnerabilitiesConfigFacts = vulnerabilities.ConfigFacts
