package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/cicd-hub/hubgate/policy"
)

// GitHub code scanning's documented SARIF upload limits that one hubgate run
// can reach. Results and rules beyond them are dropped deterministically (in
// decision order) and the run's properties say how many.
const (
	// MaxSARIFResults is the most results GitHub accepts in one run.
	MaxSARIFResults = 25000
	// MaxSARIFRules is the most rules GitHub accepts in one run.
	MaxSARIFRules = 25000
	// MaxSARIFTags is the most tags GitHub reads on one rule.
	MaxSARIFTags = 20
	// maxSARIFMessage bounds one result message (bytes); longer ones are cut.
	maxSARIFMessage = 8 << 10
)

// SARIFSchemaURI is the $schema written into SARIF output.
const SARIFSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// FingerprintKey is the partialFingerprints key hubgate results carry.
const FingerprintKey = "hubgateFinding/v1"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool        `json:"tool"`
	AutomationDetails *sarifAutomation `json:"automationDetails,omitempty"`
	// OriginalURIBaseIDs says where %SRCROOT% was (opts.Root) when known.
	OriginalURIBaseIDs map[string]sarifArtifact `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult            `json:"results"`
	Properties         sarifRunProps            `json:"properties"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifRunProps struct {
	DecisionID     string `json:"hubgate/decision"`
	Outcome        string `json:"hubgate/outcome"`
	Allowed        bool   `json:"hubgate/allowed"`
	Repo           string `json:"hubgate/repo,omitempty"`
	PolicyDigest   string `json:"hubgate/policyDigest,omitempty"`
	Truncated      bool   `json:"hubgate/truncated"`
	ResultsOmitted int    `json:"hubgate/resultsOmitted,omitempty"`
	RulesOmitted   int    `json:"hubgate/rulesOmitted,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifHelp      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
	Source           string   `json:"hubgate/source,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifResultProps struct {
	Outcome  string `json:"hubgate/outcome"`
	Severity string `json:"hubgate/severity"`
	Target   string `json:"hubgate/target,omitempty"`
	Path     string `json:"hubgate/path,omitempty"`
	Expected string `json:"hubgate/expected,omitempty"`
	Actual   string `json:"hubgate/actual,omitempty"`
}

type sarifSuppress struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
	// URIBaseID is SRCRootBase for a path relative to the checkout.
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// SRCRootBase is the uriBaseId of every repository-relative location: code
// scanning resolves it to the checkout, so a result never depends on the
// folder the runner checked out into.
const SRCRootBase = "%SRCROOT%"

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// SARIF writes d as a SARIF 2.1.0 log with one run, for GitHub code
// scanning.
//
// Every finding that is not a plain pass becomes a result: fail and error
// are level "error", warn is "warning", and a waived finding keeps its level
// and carries an external suppression whose justification is the waiver's
// reason. A result points at its evidence file (a relative URI with forward
// slashes), with region.startLine when the finding has a line; a finding
// without an evidence file points at the first subject. partialFingerprints
// hash the rule, evidence, target and path (not the message), so an alert
// survives a reworded message; with opts.Root set, absolute evidence paths
// are made relative to it first (so are the fingerprints, which then do not
// depend on the runner's workspace folder). Rules carry the catalogue's title,
// description, remediation (help.markdown), security-severity and tags.
// Every text a viewer shows (messages, descriptions, help, properties,
// justifications) goes through [Sanitize]; artifact URIs are percent-encoded
// instead, so they still name the real file.
func SARIF(w io.Writer, d *policy.Decision, opts Options) error {
	cat := newCatalogue(opts.Rules)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "hubgate",
			InformationURI: "https://github.com/cicd-hub/hubgate",
			Rules:          []sarifRule{},
		}},
		Results: []sarifResult{},
		Properties: sarifRunProps{
			DecisionID:   d.ID,
			Outcome:      d.Outcome.String(),
			Allowed:      d.Allowed,
			Repo:         Sanitize(d.Repo),
			PolicyDigest: Sanitize(d.Policy.Digest),
		},
	}
	if d.ID != "" {
		run.AutomationDetails = &sarifAutomation{ID: "hubgate/" + d.ID}
	}
	if root := strings.TrimRight(strings.ReplaceAll(opts.Root, `\`, "/"), "/"); root != "" && (strings.HasPrefix(root, "/") || (len(root) > 2 && root[1] == ':')) {
		run.OriginalURIBaseIDs = map[string]sarifArtifact{SRCRootBase: {URI: ArtifactURI(root) + "/"}}
	}
	fallback := "hubgate-decision.json"
	if len(d.Subjects) > 0 && d.Subjects[0].Name != "" {
		fallback = d.Subjects[0].Name
	}
	ruleIndex := map[string]int{}
	for _, f := range d.Findings {
		if !reported(f) {
			continue
		}
		if len(run.Results) >= MaxSARIFResults {
			run.Properties.ResultsOmitted++
			continue
		}
		idx, ok := ruleIndex[f.Rule]
		if !ok {
			if len(run.Tool.Driver.Rules) >= MaxSARIFRules {
				run.Properties.RulesOmitted++
				run.Properties.ResultsOmitted++
				continue
			}
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[f.Rule] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(cat.info(f)))
		}
		f.Evidence = Rel(opts.Root, f.Evidence)
		run.Results = append(run.Results, sarifResultOf(f, idx, fallback))
	}
	run.Properties.Truncated = run.Properties.ResultsOmitted > 0
	log := sarifLog{Schema: SARIFSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func sarifRuleOf(r policy.RuleInfo) sarifRule {
	short := r.Title
	if short == "" {
		short = r.ID
	}
	full := r.Description
	if full == "" {
		full = short
	}
	help := r.Remediation
	if help == "" {
		help = full
	}
	md := "**" + mdEscape(short) + "**\n\n" + mdEscape(full)
	if r.Remediation != "" {
		md += "\n\n**Remediation:** " + mdEscape(r.Remediation)
	}
	tags := []string{"security", "supply-chain"}
	if r.Kind != "" {
		tags = append(tags, "hubgate/"+string(r.Kind))
	}
	if len(tags) > MaxSARIFTags {
		tags = tags[:MaxSARIFTags]
	}
	return sarifRule{
		ID:                   r.ID,
		Name:                 ruleName(r.ID),
		ShortDescription:     sarifText{Text: Sanitize(short)},
		FullDescription:      sarifText{Text: Sanitize(full)},
		Help:                 sarifHelp{Text: Sanitize(help), Markdown: md},
		DefaultConfiguration: sarifConfig{Level: severityLevel(r.Severity)},
		Properties: sarifRuleProps{
			SecuritySeverity: r.Severity.SecurityScore(),
			Tags:             tags,
			Source:           r.Source,
		},
	}
}

// ruleName makes a PascalCase name from a rule id ("checksums.listed" →
// "ChecksumsListed"), as SARIF suggests for rule names.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r == '.' || r == '_' || r == '-' || r == ' ':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	return b.String()
}

func severityLevel(s policy.Severity) string {
	switch s {
	case policy.SeverityCritical, policy.SeverityHigh:
		return "error"
	case policy.SeverityMedium, policy.SeverityLow:
		return "warning"
	default:
		return "note"
	}
}

func outcomeLevel(o policy.Outcome) string {
	switch o {
	case policy.OutcomeFail, policy.OutcomeError, policy.OutcomeUnknown:
		return "error"
	case policy.OutcomeWarn:
		return "warning"
	default:
		return "note"
	}
}

func sarifResultOf(f policy.Finding, idx int, fallback string) sarifResult {
	msg := Sanitize(f.Message)
	if msg == "" {
		msg = Sanitize(f.Rule)
	}
	if len(msg) > maxSARIFMessage {
		msg = truncateUTF8(msg, maxSARIFMessage) + " [truncated]"
	}
	file := f.Evidence
	if file == "" {
		file = fallback
	}
	phys := sarifPhysical{ArtifactLocation: sarifArtifact{URI: ArtifactURI(file)}}
	if u := phys.ArtifactLocation.URI; !strings.HasPrefix(u, "file:") && u != ".." && !strings.HasPrefix(u, "../") {
		phys.ArtifactLocation.URIBaseID = SRCRootBase
	}
	if f.Line > 0 {
		phys.Region = &sarifRegion{StartLine: f.Line}
	}
	r := sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           idx,
		Level:               outcomeLevel(f.Outcome),
		Message:             sarifText{Text: msg},
		Locations:           []sarifLocation{{PhysicalLocation: phys}},
		PartialFingerprints: map[string]string{FingerprintKey: Fingerprint(f)},
		Properties: sarifResultProps{
			Outcome:  f.Outcome.String(),
			Severity: f.Severity.String(),
			Target:   Sanitize(f.Target),
			Path:     Sanitize(f.Path),
			Expected: Sanitize(f.Expected),
			Actual:   Sanitize(f.Actual),
		},
	}
	if f.Waiver != nil {
		just := f.Waiver.Reason
		if f.Waiver.Owner != "" {
			just += " (owner " + f.Waiver.Owner + ", " + WaiverThrough(f.Waiver) + ")"
		}
		r.Suppressions = []sarifSuppress{{Kind: "external", Status: "accepted", Justification: Sanitize(just)}}
	}
	return r
}

// Fingerprint is the stable identity of a finding across runs: the hex
// SHA-256 of its rule, evidence file, target and path. The message is left
// out on purpose, so rewording a rule does not reopen its alerts.
func Fingerprint(f policy.Finding) string {
	h := sha256.New()
	for _, s := range []string{f.Rule, ArtifactURI(f.Evidence), f.Target, f.Path} {
		// Length-prefixed, so ("a", "bc") and ("ab", "c") differ.
		var n [8]byte
		l := uint64(len(s))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ArtifactURI turns an evidence path into a SARIF artifact URI: forward
// slashes, relative paths without "./", absolute paths as file URIs, and
// characters a URI cannot hold percent-encoded.
func ArtifactURI(p string) string {
	if p == "" {
		return ""
	}
	p = strings.ReplaceAll(p, `\`, "/")
	abs := strings.HasPrefix(p, "/") || (len(p) > 2 && p[1] == ':' && p[2] == '/')
	p = path.Clean(p)
	if abs {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive path
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}
