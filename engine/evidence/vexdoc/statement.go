package vexdoc

import (
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	cdx "github.com/CycloneDX/cyclonedx-go"
	govex "github.com/openvex/go-vex/pkg/vex"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

// Status is a VEX status, in OpenVEX's words.
type Status string

// The four statuses. CycloneDX analysis states map onto them.
const (
	StatusNotAffected        Status = "not_affected"
	StatusAffected           Status = "affected"
	StatusFixed              Status = "fixed"
	StatusUnderInvestigation Status = "under_investigation"
)

// Suppresses reports whether s silences a vulnerability.
func (s Status) Suppresses() bool { return s == StatusNotAffected || s == StatusFixed }

// Format names a VEX format.
type Format string

// The formats [Parse] reads.
const (
	FormatOpenVEX       Format = "openvex"
	FormatCycloneDXJSON Format = "cyclonedx-json"
	FormatCycloneDXXML  Format = "cyclonedx-xml"
)

// Document is one VEX document, read.
type Document struct {
	// Evidence is the file the document came from (set by the caller).
	Evidence   string        `json:"evidence"`
	Format     Format        `json:"format"`
	ID         string        `json:"id,omitempty"`
	Statements []Statement   `json:"statements"`
	Issues     []parse.Issue `json:"issues"`
}

// Statement is one VEX statement in a format-neutral shape.
type Statement struct {
	// Evidence is the file the statement came from (set by the caller).
	Evidence string `json:"evidence"`
	// Path is where it is in the document ("statements[2]",
	// "vulnerabilities[0]").
	Path string `json:"path"`
	// ID is the statement's @id (OpenVEX) or bom-ref (CycloneDX), if any.
	ID string `json:"id,omitempty"`
	// Vulnerability is the main id; Aliases the others (including an
	// OpenVEX vulnerability @id).
	Vulnerability string   `json:"vulnerability"`
	Aliases       []string `json:"aliases,omitempty"`
	Status        Status   `json:"status"`
	Justification string   `json:"justification,omitempty"`
	Impact        string   `json:"impact,omitempty"`
	Action        string   `json:"action,omitempty"`
	// Timestamp is when the statement was made; zero when unknown.
	Timestamp time.Time `json:"timestamp"`
	Products  []Product `json:"products"`
	// Dates are every date the document gives the statement, its own and
	// the document's, with the field each came from: a statement is
	// ignored when any of them is after the evaluation time.
	Dates []Date `json:"dates,omitempty"`
	// InvalidJustification is true when Justification is not one of the
	// format's enumerated values ([ValidOpenVEXJustification],
	// [ValidCycloneDXJustification]): the statement then justifies nothing.
	InvalidJustification bool `json:"invalid_justification,omitempty"`
}

// Date is one date of a statement and the field it came from.
type Date struct {
	// Field is the document path ("statements[1].timestamp",
	// "metadata.timestamp").
	Field string    `json:"field"`
	Time  time.Time `json:"time"`
	// Document is true for a date of the whole document.
	Document bool `json:"document,omitempty"`
}

// FutureDate returns the first of the statement's dates after now. A zero
// now checks nothing.
func (s *Statement) FutureDate(now time.Time) (Date, bool) {
	if now.IsZero() {
		return Date{}, false
	}
	for _, d := range s.Dates {
		if d.Time.After(now) {
			return d, true
		}
	}
	return Date{}, false
}

// Justified reports whether a not_affected statement carries a valid
// justification, or no justification and an impact statement (OpenVEX
// 0.2.0: not_affected needs one of the two). A justification outside the
// format's enumeration justifies nothing, whatever the impact statement
// says. Other statuses are always justified.
func (s *Statement) Justified() bool {
	if s.Status != StatusNotAffected {
		return true
	}
	if s.InvalidJustification {
		return false
	}
	return strings.TrimSpace(s.Justification) != "" || strings.TrimSpace(s.Impact) != ""
}

// rank orders statuses from the least favourable (0) to the most: when
// statements tie on time, the least favourable one decides.
//
//	affected < under_investigation < fixed < not_affected
//
// affected says the product is exposed; under_investigation says nobody
// knows yet, which suppresses nothing either; fixed and not_affected both
// suppress, and fixed is the weaker claim (it relies on the fix being in
// this version) while not_affected says there was never any exposure.
func (s Status) rank() int {
	switch s {
	case StatusAffected:
		return 0
	case StatusUnderInvestigation:
		return 1
	case StatusFixed:
		return 2
	case StatusNotAffected:
		return 3
	}
	return -1
}

// ValidOpenVEXJustification reports whether j is one of the five
// justifications of the OpenVEX specification v0.2.0 ("Status
// Justifications"): component_not_present, vulnerable_code_not_present,
// vulnerable_code_not_in_execute_path,
// vulnerable_code_cannot_be_controlled_by_adversary,
// inline_mitigations_already_exist. The list is go-vex's.
func ValidOpenVEXJustification(j string) bool { return govex.Justification(j).Valid() }

// cdxJustifications is CycloneDX's impactAnalysisJustification enumeration
// (CycloneDX 1.4–1.6 JSON schema, vulnerabilities[].analysis.justification),
// as cyclonedx-go names it.
var cdxJustifications = []cdx.ImpactAnalysisJustification{
	cdx.IAJCodeNotPresent, cdx.IAJCodeNotReachable, cdx.IAJRequiresConfiguration,
	cdx.IAJRequiresDependency, cdx.IAJRequiresEnvironment, cdx.IAJProtectedByCompiler,
	cdx.IAJProtectedAtRuntime, cdx.IAJProtectedAtPerimeter, cdx.IAJProtectedByMitigatingControl,
}

// ValidCycloneDXJustification reports whether j is in CycloneDX's
// impactAnalysisJustification enumeration, or is one of OpenVEX's five
// names: the hub's generate_vex.py copies its OpenVEX-style
// vex_exemptions.json justifications into analysis.justification, and each
// of the five is an enumerated VEX justification (OpenVEX v0.2.0; CISA,
// "Minimum Requirements for VEX", 2023). Anything else, made-up or
// misspelled, is invalid.
func ValidCycloneDXJustification(j string) bool {
	for _, v := range cdxJustifications {
		if string(v) == j {
			return true
		}
	}
	return ValidOpenVEXJustification(j)
}

// CycloneDXJustifications lists the values [ValidCycloneDXJustification]
// accepts, CycloneDX's first, for messages.
func CycloneDXJustifications() []string {
	out := make([]string, 0, len(cdxJustifications)+5)
	for _, v := range cdxJustifications {
		out = append(out, string(v))
	}
	return append(out, govex.Justifications()...)
}

// Product is what a statement is about: a package (purl), an artifact
// (digest), or both.
type Product struct {
	// Path is where the product is ("statements[2].products[0]").
	Path string `json:"path"`
	// ID is the product's identifier as written (@id, or the affects ref).
	ID string `json:"id,omitempty"`
	// PURLs are its canonical purls (from @id and identifiers.purl).
	PURLs []bom.PURL `json:"-"`
	// Digests are "alg:hex" digests: hashes, and the digest in a
	// pkg:oci purl or an image reference.
	Digests       []string  `json:"digests,omitempty"`
	Subcomponents []Product `json:"subcomponents,omitempty"`
}

// Name is a short human name for the product: its first purl, else its id,
// else its first digest.
func (p *Product) Name() string {
	switch {
	case len(p.PURLs) > 0:
		return p.PURLs[0].Canonical
	case p.ID != "":
		return p.ID
	case len(p.Digests) > 0:
		return p.Digests[0]
	}
	return "(unnamed product)"
}

// addIdentifier records a product identifier: a purl, a digest
// ("sha256:…"), an image reference ending in "@sha256:…", or an opaque IRI.
// Invalid purls are returned as an error.
func (p *Product) addIdentifier(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(s), "pkg:") {
		u, err := bom.ParsePURL(s)
		if err != nil {
			return err
		}
		for _, have := range p.PURLs {
			if have.Canonical == u.Canonical {
				return nil
			}
		}
		p.PURLs = append(p.PURLs, u)
		if u.Type == "oci" || u.Type == "docker" {
			p.addDigest(u.Version)
		}
		return nil
	}
	p.addDigest(s)
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		p.addDigest(s[i+1:])
	}
	return nil
}

// addDigest adds s when it looks like "alg:hex".
func (p *Product) addDigest(s string) {
	d := bom.DigestIn(s)
	if d == "" {
		return
	}
	for _, have := range p.Digests {
		if have == d {
			return
		}
	}
	p.Digests = append(p.Digests, d)
}

// NewProduct builds a product from identifiers: purls, digests
// ("sha256:…"), image references ("…@sha256:…") or opaque ids.
func NewProduct(ids ...string) (Product, error) {
	var p Product
	for _, id := range ids {
		if err := p.addIdentifier(id); err != nil {
			return p, err
		}
		if p.ID == "" {
			p.ID = id
		}
	}
	return p, nil
}
