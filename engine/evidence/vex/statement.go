package vex

import (
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/sbom"
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
	Evidence   string       `json:"evidence"`
	Format     Format       `json:"format"`
	ID         string       `json:"id,omitempty"`
	Statements []Statement  `json:"statements"`
	Issues     []sbom.Issue `json:"issues"`
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
}

// Justified reports whether a not_affected statement carries a
// justification or an impact statement. Other statuses are always justified.
func (s *Statement) Justified() bool {
	if s.Status != StatusNotAffected {
		return true
	}
	return strings.TrimSpace(s.Justification) != "" || strings.TrimSpace(s.Impact) != ""
}

// Product is what a statement is about: a package (purl), an artifact
// (digest), or both.
type Product struct {
	// Path is where the product is ("statements[2].products[0]").
	Path string `json:"path"`
	// ID is the product's identifier as written (@id, or the affects ref).
	ID string `json:"id,omitempty"`
	// PURLs are its canonical purls (from @id and identifiers.purl).
	PURLs []sbom.PURL `json:"-"`
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
		u, err := sbom.ParsePURL(s)
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
	alg, hex, ok := strings.Cut(s, ":")
	if !ok || !isHex(hex) || len(hex) < 32 {
		return
	}
	d := sbom.DigestString(alg, hex)
	for _, have := range p.Digests {
		if have == d {
			return
		}
	}
	p.Digests = append(p.Digests, d)
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
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
