package vulnerabilities

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

// Format names a report format.
type Format string

// The formats [Parse] reads.
const (
	FormatGrype         Format = "grype-json"
	FormatCycloneDXJSON Format = "cyclonedx-json"
	FormatCycloneDXXML  Format = "cyclonedx-xml"
)

// Report is one scanner report, read.
type Report struct {
	Format Format `json:"format"`
	// Target names what was scanned (grype's source.target), "" if unknown.
	Target string `json:"target,omitempty"`
	// TargetDigests are digests of the scanned artifact the report names
	// ("sha256:hex").
	TargetDigests []string `json:"target_digests,omitempty"`
	// TargetField is where the report names what it scanned
	// ("source.target", "metadata.component"), for messages.
	TargetField string `json:"target_field"`
	// SourceType is grype's source.type ("image", "sbom-file", "file", …),
	// "" for CycloneDX.
	SourceType string `json:"source_type,omitempty"`
	// SBOMPath is the SBOM file a grype scan of "sbom:PATH" names
	// (source.type "sbom-file"), "" otherwise.
	SBOMPath string `json:"sbom_path,omitempty"`
	// SBOMSerials are the serial numbers ("urn:uuid:…") of the SBOMs a
	// CycloneDX report points into with BOM-Links (urn:cdx:uuid/version#ref).
	SBOMSerials     []string        `json:"sbom_serials,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
	Issues          []parse.Issue   `json:"issues"`
	// Created is when the report says the scan ran, as written (grype's
	// descriptor.timestamp, CycloneDX metadata.timestamp), "" when it says
	// nothing; CreatedField names the field.
	Created      string `json:"created,omitempty"`
	CreatedField string `json:"created_field,omitempty"`
}

// Vulnerability is one finding.
type Vulnerability struct {
	// Path is where the finding is ("matches[3]").
	Path     string   `json:"path"`
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Severity string   `json:"severity"`
	// CVSS is the highest base score; HasCVSS is false when there was none.
	CVSS    float64 `json:"cvss"`
	HasCVSS bool    `json:"has_cvss"`
	// EPSS is the percentile in 0–1; HasEPSS is false when there was none.
	EPSS    float64 `json:"epss"`
	HasEPSS bool    `json:"has_epss"`
	// PURLs are the affected components' canonical purls.
	PURLs []string `json:"purls"`
	// Component is "name@version" of the affected component as the
	// scanner named it, "" when none.
	Component string `json:"component"`
	// Parsed are PURLs, parsed.
	Parsed []bom.PURL `json:"-"`
}

// Options tunes [Parse].
type Options struct {
	// MaxSize bounds the document; 0 means parse.DefaultMaxSize.
	MaxSize int64
	// Resolve resolves a CycloneDX affects[].ref the report does not define
	// itself (usually from the SBOM). Nil resolves nothing.
	Resolve func(ref string) (bom.Component, bool)
}

// Parse reads a grype JSON or CycloneDX report.
func Parse(data []byte, opts Options) (*Report, error) {
	if err := parse.CheckSize(data, opts.MaxSize); err != nil {
		return nil, err
	}
	switch parse.FirstByte(data) {
	case '<':
		return parseCycloneDX(data, opts)
	case '{':
	case 0:
		return nil, &parse.Error{Err: errors.New("empty document")}
	default:
		return nil, &parse.Error{Line: 1, Col: 1, Err: errors.New("not a vulnerability report: want grype JSON or CycloneDX")}
	}
	var sniff struct {
		BOMFormat string         `json:"bomFormat"`
		Matches   parse.Presence `json:"matches"`
	}
	if err := json.Unmarshal(data, &sniff); err != nil {
		return nil, parse.JSONError(data, err)
	}
	switch {
	case sniff.BOMFormat != "":
		return parseCycloneDX(data, opts)
	case bool(sniff.Matches):
		return parseGrype(data)
	default:
		return nil, &parse.Error{Err: errors.New("not a vulnerability report: no grype matches and no CycloneDX bomFormat")}
	}
}

// merger merges findings with the same id and purls, keeping first order.
type merger struct {
	r     *Report
	index map[string]int
}

func (m *merger) add(v Vulnerability) {
	key := strings.ToUpper(v.ID) + "\x00" + strings.Join(v.PURLs, "\x00") + "\x00" + v.Component
	if i, ok := m.index[key]; ok {
		have := &m.r.Vulnerabilities[i]
		if v.HasCVSS && (!have.HasCVSS || v.CVSS > have.CVSS) {
			have.CVSS, have.HasCVSS = v.CVSS, true
		}
		if v.HasEPSS && (!have.HasEPSS || v.EPSS > have.EPSS) {
			have.EPSS, have.HasEPSS = v.EPSS, true
		}
		if severityRank(v.Severity) > severityRank(have.Severity) {
			have.Severity = v.Severity
		}
		for _, a := range v.Aliases {
			if !containsFold(have.Aliases, a) {
				have.Aliases = append(have.Aliases, a)
			}
		}
		return
	}
	m.index[key] = len(m.r.Vulnerabilities)
	m.r.Vulnerabilities = append(m.r.Vulnerabilities, v)
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "critical":
		return 5
	case "high":
		return 4
	case "medium", "moderate":
		return 3
	case "low":
		return 2
	case "negligible", "info", "none":
		return 1
	}
	return 0
}

// cvss checks a base score.
func (r *Report) cvss(v *Vulnerability, score float64, path string) {
	if math.IsNaN(score) || score < 0 || score > 10 {
		r.Issues = append(r.Issues, parse.Issue{Path: path, Message: fmt.Sprintf("cvss base score %v is outside 0–10", score)})
		return
	}
	if !v.HasCVSS || score > v.CVSS {
		v.CVSS, v.HasCVSS = score, true
	}
}

// epss checks and normalises an EPSS percentile.
func (r *Report) epss(v *Vulnerability, p float64, path string) {
	if p > 1 && p <= 100 {
		p /= 100
	}
	if math.IsNaN(p) || p < 0 || p > 1 {
		r.Issues = append(r.Issues, parse.Issue{Path: path, Message: fmt.Sprintf("epss percentile %v is outside 0–1 (or 0–100)", p)})
		return
	}
	if !v.HasEPSS || p > v.EPSS {
		v.EPSS, v.HasEPSS = p, true
	}
}

func (r *Report) purl(v *Vulnerability, raw, path string) {
	if raw == "" {
		return
	}
	p, err := bom.ParsePURL(raw)
	if err != nil {
		r.Issues = append(r.Issues, parse.Issue{Path: path, Message: err.Error()})
		return
	}
	for _, have := range v.PURLs {
		if have == p.Canonical {
			return
		}
	}
	v.PURLs = append(v.PURLs, p.Canonical)
	v.Parsed = append(v.Parsed, p)
}

func parseCycloneDX(data []byte, opts Options) (*Report, error) {
	cbom, format, err := bom.DecodeCycloneDX(data, bom.Options{MaxSize: opts.MaxSize})
	if err != nil {
		return nil, err
	}
	r := &Report{Format: FormatCycloneDXJSON, TargetField: "metadata.component"}
	if format == bom.FormatCycloneDXXML {
		r.Format = FormatCycloneDXXML
	}
	sdoc := bom.FromCycloneDX(cbom, format)
	r.Created, r.CreatedField = sdoc.Created, sdoc.CreatedField
	r.Issues = append(r.Issues, sdoc.Issues...)
	refs := map[string]bom.Component{}
	for _, c := range sdoc.Components {
		if c.BOMRef != "" {
			if _, dup := refs[c.BOMRef]; !dup {
				refs[c.BOMRef] = c
			}
		}
	}
	if sdoc.Subject != nil {
		r.Target = sdoc.Subject.Name
		r.TargetDigests = sdoc.Subject.ArtifactDigests()
		if sdoc.Subject.BOMRef != "" {
			refs[sdoc.Subject.BOMRef] = *sdoc.Subject
		}
	}
	if cbom.ExternalReferences != nil {
		for _, er := range *cbom.ExternalReferences {
			if er.Type == cdx.ERTypeBOM {
				r.bomLink(er.URL)
			}
		}
	}
	m := &merger{r: r, index: map[string]int{}}
	if cbom.Vulnerabilities == nil {
		return r, nil
	}
	for i := range *cbom.Vulnerabilities {
		cv := &(*cbom.Vulnerabilities)[i]
		path := "vulnerabilities[" + strconv.Itoa(i) + "]"
		if cv.ID == "" {
			r.Issues = append(r.Issues, parse.Issue{Path: path + ".id", Message: "vulnerability has no id"})
			continue
		}
		v := Vulnerability{Path: path, ID: cv.ID}
		if cv.References != nil {
			for _, ref := range *cv.References {
				if ref.ID != "" && !strings.EqualFold(ref.ID, cv.ID) && !containsFold(v.Aliases, ref.ID) {
					v.Aliases = append(v.Aliases, ref.ID)
				}
			}
		}
		if cv.Ratings != nil {
			for j, rt := range *cv.Ratings {
				rpath := path + ".ratings[" + strconv.Itoa(j) + "]"
				if severityRank(string(rt.Severity)) > severityRank(v.Severity) {
					v.Severity = string(rt.Severity)
				}
				if rt.Score == nil {
					continue
				}
				if strings.EqualFold(string(rt.Method), "epss") || (rt.Source != nil && strings.EqualFold(rt.Source.Name, "epss")) {
					r.epss(&v, *rt.Score, rpath+".score")
					continue
				}
				r.cvss(&v, *rt.Score, rpath+".score")
			}
		}
		if cv.Properties != nil {
			for j, p := range *cv.Properties {
				n := strings.ToLower(p.Name)
				if n == "epss" || strings.HasSuffix(n, ":epss") || strings.HasSuffix(n, "epss.percentile") || strings.HasSuffix(n, "epss:percentile") {
					f, err := strconv.ParseFloat(strings.TrimSpace(p.Value), 64)
					if err != nil {
						r.Issues = append(r.Issues, parse.Issue{Path: path + ".properties[" + strconv.Itoa(j) + "].value", Message: fmt.Sprintf("epss %q is not a number", p.Value)})
						continue
					}
					r.epss(&v, f, path+".properties["+strconv.Itoa(j)+"].value")
				}
			}
		}
		if cv.Affects == nil || len(*cv.Affects) == 0 {
			m.add(v)
			continue
		}
		// One finding per affected component.
		for j, a := range *cv.Affects {
			apath := path + ".affects[" + strconv.Itoa(j) + "].ref"
			r.bomLink(a.Ref)
			one := v
			one.Aliases = append([]string(nil), v.Aliases...)
			one.PURLs, one.Parsed = nil, nil
			c, ok := refs[a.Ref]
			if !ok && strings.HasPrefix(a.Ref, "urn:cdx:") {
				if k := strings.IndexByte(a.Ref, '#'); k >= 0 {
					c, ok = refs[a.Ref[k+1:]]
				}
			}
			if !ok && opts.Resolve != nil {
				c, ok = opts.Resolve(a.Ref)
				if k := strings.IndexByte(a.Ref, '#'); !ok && k >= 0 && strings.HasPrefix(a.Ref, "urn:cdx:") {
					c, ok = opts.Resolve(a.Ref[k+1:])
				}
			}
			switch {
			case ok:
				r.purl(&one, c.PURL, apath)
				one.Component = componentName(c.Name, c.Version)
			case strings.HasPrefix(strings.ToLower(a.Ref), "pkg:"):
				r.purl(&one, a.Ref, apath)
			default:
				r.Issues = append(r.Issues, parse.Issue{Path: apath, Message: fmt.Sprintf("ref %q names no component of this document or the sbom", a.Ref)})
				one.Component = a.Ref
			}
			m.add(one)
		}
	}
	return r, nil
}

// bomLink records the SBOM a BOM-Link ("urn:cdx:SERIAL/VERSION#ref", the
// CycloneDX BOM-Link form) points into, as "urn:uuid:SERIAL".
func (r *Report) bomLink(ref string) {
	rest, ok := strings.CutPrefix(ref, "urn:cdx:")
	if !ok {
		return
	}
	serial, _, _ := strings.Cut(rest, "/")
	serial, _, _ = strings.Cut(serial, "#")
	if serial == "" {
		return
	}
	s := "urn:uuid:" + strings.ToLower(serial)
	for _, have := range r.SBOMSerials {
		if have == s {
			return
		}
	}
	r.SBOMSerials = append(r.SBOMSerials, s)
}

func componentName(name, version string) string {
	if name == "" {
		return ""
	}
	if version == "" {
		return name
	}
	return name + "@" + version
}
