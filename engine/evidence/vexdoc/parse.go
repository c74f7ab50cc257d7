package vexdoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	cdx "github.com/CycloneDX/cyclonedx-go"
	govex "github.com/openvex/go-vex/pkg/vex"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

// Options tunes [Parse].
type Options struct {
	// MaxSize bounds the document; 0 means parse.DefaultMaxSize.
	MaxSize int64
	// Resolve looks up a CycloneDX bom-ref that the VEX document itself does
	// not define (a BOM-Link "urn:cdx:…#ref" or a bare ref into the SBOM),
	// typically from the release's SBOM. Nil resolves nothing.
	Resolve func(ref string) (bom.Component, bool)
}

// Parse reads an OpenVEX, CycloneDX VEX or CSAF 2.0 VEX (csaf_vex) document. Errors carry positions
// ([*parse.Error]); statements that cannot be used are Issues in the result.
func Parse(data []byte, opts Options) (*Document, error) {
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
		return nil, &parse.Error{Line: 1, Col: 1, Err: errors.New("not a vex document: want OpenVEX JSON, CycloneDX VEX (JSON or XML) or CSAF 2.0 VEX")}
	}
	var sniff struct {
		Context     json.RawMessage `json:"@context"`
		BOMFormat   string          `json:"bomFormat"`
		CSAFVersion parse.Presence  `json:"csaf_version"`
		Document    *struct {
			CSAFVersion parse.Presence `json:"csaf_version"`
		} `json:"document"`
	}
	if err := json.Unmarshal(data, &sniff); err != nil {
		return nil, parse.JSONError(data, err)
	}
	var context string
	if len(sniff.Context) > 0 {
		if err := json.Unmarshal(sniff.Context, &context); err != nil {
			return nil, &parse.Error{Path: "@context", Err: errors.New("want a string")}
		}
	}
	switch {
	case strings.HasPrefix(context, govex.Context):
		return parseOpenVEX(data, context)
	case sniff.BOMFormat != "":
		return parseCycloneDX(data, opts)
	case bool(sniff.CSAFVersion) || (sniff.Document != nil && bool(sniff.Document.CSAFVersion)):
		return parseCSAF(data)
	default:
		return nil, &parse.Error{Err: errors.New("not a vex document: no OpenVEX @context, no CycloneDX bomFormat and no CSAF document.csaf_version")}
	}
}

func parseOpenVEX(data []byte, context string) (*Document, error) {
	version := strings.TrimPrefix(strings.TrimPrefix(context, govex.Context), "/")
	if !strings.HasPrefix(version, "v0.2.") {
		if version == "" {
			version = "v0.0.1 (no version in @context)"
		}
		return nil, &parse.Error{Path: "@context", Err: fmt.Errorf("openvex %s is not supported: want v0.2.x", version)}
	}
	doc, err := govex.Parse(data)
	if err != nil {
		return nil, parse.JSONError(data, err)
	}
	out := &Document{Format: FormatOpenVEX, ID: doc.ID}
	var docTime time.Time
	var docDates []Date
	if doc.Timestamp != nil {
		docTime = *doc.Timestamp
		docDates = append(docDates, Date{Field: "timestamp", Time: doc.Timestamp.UTC(), Document: true})
	}
	if doc.LastUpdated != nil {
		if doc.LastUpdated.After(docTime) {
			docTime = *doc.LastUpdated
		}
		docDates = append(docDates, Date{Field: "last_updated", Time: doc.LastUpdated.UTC(), Document: true})
	}
	for i := range doc.Statements {
		gs := &doc.Statements[i]
		path := "statements[" + strconv.Itoa(i) + "]"
		s := Statement{
			Path:          path,
			ID:            gs.ID,
			Vulnerability: string(gs.Vulnerability.Name),
			Status:        Status(gs.Status),
			Justification: string(gs.Justification),
			Impact:        gs.ImpactStatement,
			Action:        gs.ActionStatement,
			Timestamp:     docTime,
		}
		if gs.Justification != "" && !ValidOpenVEXJustification(string(gs.Justification)) {
			s.InvalidJustification = true
		}
		s.Dates = append(s.Dates, docDates...)
		if gs.Timestamp != nil {
			s.Timestamp = *gs.Timestamp
			s.Dates = append(s.Dates, Date{Field: path + ".timestamp", Time: gs.Timestamp.UTC()})
		}
		if gs.LastUpdated != nil {
			if gs.LastUpdated.After(s.Timestamp) {
				s.Timestamp = *gs.LastUpdated
			}
			s.Dates = append(s.Dates, Date{Field: path + ".last_updated", Time: gs.LastUpdated.UTC()})
		}
		if v := gs.Vulnerability.ID; v != "" && v != s.Vulnerability {
			if s.Vulnerability == "" {
				s.Vulnerability = v
			} else {
				s.Aliases = append(s.Aliases, v)
			}
		}
		for _, a := range gs.Vulnerability.Aliases {
			s.Aliases = append(s.Aliases, string(a))
		}
		if s.Vulnerability == "" {
			out.Issues = append(out.Issues, parse.Issue{Path: path + ".vulnerability", Message: "statement names no vulnerability"})
			continue
		}
		if !govex.Status(s.Status).Valid() {
			out.Issues = append(out.Issues, parse.Issue{Path: path + ".status", Message: fmt.Sprintf("unknown status %q: want one of %s", s.Status, strings.Join(govex.Statuses(), ", "))})
			continue
		}
		for j := range gs.Products {
			gp := &gs.Products[j]
			ppath := path + ".products[" + strconv.Itoa(j) + "]"
			p := openvexComponent(&gp.Component, ppath, out)
			for k := range gp.Subcomponents {
				sp := openvexComponent(&gp.Subcomponents[k].Component, ppath+".subcomponents["+strconv.Itoa(k)+"]", out)
				p.Subcomponents = append(p.Subcomponents, sp)
			}
			s.Products = append(s.Products, p)
		}
		if len(s.Products) == 0 {
			out.Issues = append(out.Issues, parse.Issue{Path: path + ".products", Message: "statement names no product: it applies to nothing"})
		}
		out.Statements = append(out.Statements, s)
	}
	return out, nil
}

func openvexComponent(c *govex.Component, path string, doc *Document) Product {
	p := Product{Path: path, ID: c.ID}
	if err := p.addIdentifier(c.ID); err != nil {
		doc.Issues = append(doc.Issues, parse.Issue{Path: path + ".@id", Message: err.Error()})
	}
	if u, ok := c.Identifiers[govex.PURL]; ok {
		if err := p.addIdentifier(u); err != nil {
			doc.Issues = append(doc.Issues, parse.Issue{Path: path + ".identifiers.purl", Message: err.Error()})
		}
	}
	// Hashes, in a fixed order.
	for _, alg := range []govex.Algorithm{govex.SHA256, govex.SHA512, govex.SHA384, govex.SHA1, govex.MD5, govex.SHA3224, govex.SHA3256, govex.SHA3384, govex.SHA3512, govex.BLAKE2S256, govex.BLAKE2B256, govex.BLAKE2B512, govex.BLAKE3} {
		if h, ok := c.Hashes[alg]; ok {
			p.addDigest(string(alg) + ":" + string(h))
		}
	}
	if p.ID == "" && len(p.PURLs) == 0 && len(p.Digests) == 0 {
		doc.Issues = append(doc.Issues, parse.Issue{Path: path, Message: "product has no @id, purl or hash"})
	}
	return p
}

// cdxState maps CycloneDX analysis states (and OpenVEX names the hub may
// write) to statuses.
func cdxState(s string) (Status, bool) {
	switch s {
	case "not_affected", "false_positive":
		return StatusNotAffected, true
	case "resolved", "resolved_with_pedigree", "fixed":
		return StatusFixed, true
	case "exploitable", "affected":
		return StatusAffected, true
	case "in_triage", "under_investigation":
		return StatusUnderInvestigation, true
	}
	return "", false
}

// hubTimes reads the hub's non-standard vulnerabilities[].timestamp, which
// cyclonedx-go does not know.
type hubTimes struct {
	Vulnerabilities []struct {
		Timestamp string `json:"timestamp"`
	} `json:"vulnerabilities"`
}

func parseCycloneDX(data []byte, opts Options) (*Document, error) {
	cbom, format, err := bom.DecodeCycloneDX(data, bom.Options{MaxSize: opts.MaxSize})
	if err != nil {
		return nil, err
	}
	out := &Document{Format: FormatCycloneDXJSON, ID: cbom.SerialNumber}
	var hub hubTimes
	if format == bom.FormatCycloneDXXML {
		out.Format = FormatCycloneDXXML
	} else {
		// Already decoded once, so it is valid JSON; a type mismatch here
		// only loses the hub's timestamps.
		_ = json.Unmarshal(data, &hub)
	}
	sdoc := bom.FromCycloneDX(cbom, bom.Format(format))
	for _, is := range sdoc.Issues {
		out.Issues = append(out.Issues, is)
	}
	refs := map[string]bom.Component{}
	for _, c := range sdoc.Components {
		if c.BOMRef != "" {
			if _, dup := refs[c.BOMRef]; !dup {
				refs[c.BOMRef] = c
			}
		}
	}
	// The product the document is about: metadata.component, with the
	// hub's subject.digest property.
	var meta *Product
	metaRef := ""
	if cbom.Metadata != nil && cbom.Metadata.Component != nil {
		mc := cbom.Metadata.Component
		metaRef = mc.BOMRef
		p := Product{Path: "metadata.component", ID: mc.BOMRef}
		if sdoc.Subject != nil && sdoc.Subject.PURL != "" {
			_ = p.addIdentifier(sdoc.Subject.PURL)
		}
		if sdoc.Subject != nil {
			for _, d := range sdoc.Subject.Digests {
				p.addDigest(d)
			}
		}
		for _, props := range []*[]cdx.Property{mc.Properties, cbom.Metadata.Properties} {
			if props == nil {
				continue
			}
			for _, pr := range *props {
				if pr.Name == "subject.digest" || strings.HasSuffix(pr.Name, ":subject.digest") {
					for _, v := range strings.Split(pr.Value, ",") {
						p.addDigest(strings.TrimSpace(v))
					}
				}
			}
		}
		if p.ID == "" {
			p.ID = mc.Name
		}
		meta = &p
	}
	metaTime := parseTime(bomMetaTime(cbom))
	if cbom.Vulnerabilities == nil {
		return out, nil
	}
	for i := range *cbom.Vulnerabilities {
		v := &(*cbom.Vulnerabilities)[i]
		path := "vulnerabilities[" + strconv.Itoa(i) + "]"
		if v.Analysis == nil || v.Analysis.State == "" {
			// A vulnerability without analysis is a finding, not a
			// statement: nothing to apply.
			continue
		}
		st, ok := cdxState(string(v.Analysis.State))
		if !ok {
			out.Issues = append(out.Issues, parse.Issue{Path: path + ".analysis.state", Message: fmt.Sprintf("unknown analysis state %q", v.Analysis.State)})
			continue
		}
		if v.ID == "" {
			out.Issues = append(out.Issues, parse.Issue{Path: path + ".id", Message: "statement names no vulnerability"})
			continue
		}
		s := Statement{
			Path:          path,
			ID:            v.BOMRef,
			Vulnerability: v.ID,
			Status:        st,
			Justification: string(v.Analysis.Justification),
			Impact:        v.Analysis.Detail,
		}
		if s.Justification != "" && !ValidCycloneDXJustification(s.Justification) {
			s.InvalidJustification = true
		}
		if string(v.Analysis.State) == "false_positive" && s.Justification == "" {
			s.Justification = "false_positive"
		}
		if !metaTime.IsZero() {
			s.Dates = append(s.Dates, Date{Field: "metadata.timestamp", Time: metaTime, Document: true})
		}
		if v.Analysis.Response != nil {
			var rs []string
			for _, r := range *v.Analysis.Response {
				rs = append(rs, string(r))
			}
			s.Action = strings.Join(rs, ", ")
		}
		if v.References != nil {
			for _, r := range *v.References {
				if r.ID != "" && r.ID != v.ID {
					s.Aliases = append(s.Aliases, r.ID)
				}
			}
		}
		hubTS := ""
		if i < len(hub.Vulnerabilities) {
			hubTS = hub.Vulnerabilities[i].Timestamp
		}
		for _, c := range []struct{ field, value string }{
			{"analysis.lastUpdated", v.Analysis.LastUpdated},
			{"analysis.firstIssued", v.Analysis.FirstIssued},
			{"updated", v.Updated},
			{"timestamp", hubTS},
			{"published", v.Published},
			{"created", v.Created},
		} {
			if c.value == "" {
				continue
			}
			t := parseTime(c.value)
			if t.IsZero() {
				out.Issues = append(out.Issues, parse.Issue{Path: path + "." + c.field, Message: fmt.Sprintf("invalid timestamp %q: want RFC 3339", c.value)})
				continue
			}
			s.Dates = append(s.Dates, Date{Field: path + "." + c.field, Time: t})
			if s.Timestamp.IsZero() {
				s.Timestamp = t
			}
		}
		if s.Timestamp.IsZero() {
			s.Timestamp = metaTime
		}
		if v.Affects == nil || len(*v.Affects) == 0 {
			if meta != nil {
				s.Products = append(s.Products, *meta)
			} else {
				out.Issues = append(out.Issues, parse.Issue{Path: path + ".affects", Message: "statement has no affects and the document no metadata.component: it applies to nothing"})
			}
		} else {
			for j, a := range *v.Affects {
				apath := path + ".affects[" + strconv.Itoa(j) + "].ref"
				s.Products = append(s.Products, resolveRef(a.Ref, apath, metaRef, meta, refs, opts.Resolve, out))
			}
		}
		out.Statements = append(out.Statements, s)
	}
	return out, nil
}

func bomMetaTime(bom *cdx.BOM) string {
	if bom.Metadata == nil {
		return ""
	}
	return bom.Metadata.Timestamp
}

// resolveRef turns an affects[].ref into a product.
func resolveRef(ref, path, metaRef string, meta *Product, refs map[string]bom.Component, resolve func(string) (bom.Component, bool), doc *Document) Product {
	frag := ref
	if strings.HasPrefix(ref, "urn:cdx:") {
		if i := strings.IndexByte(ref, '#'); i >= 0 {
			frag = ref[i+1:]
		}
	}
	if meta != nil && metaRef != "" && (ref == metaRef || frag == metaRef) {
		p := *meta
		p.Path = path
		return p
	}
	p := Product{Path: path, ID: ref}
	comp, ok := refs[ref]
	if !ok {
		comp, ok = refs[frag]
	}
	if !ok && resolve != nil {
		comp, ok = resolve(ref)
		if !ok && frag != ref {
			comp, ok = resolve(frag)
		}
	}
	if ok {
		if comp.PURL != "" {
			_ = p.addIdentifier(comp.PURL)
		}
		for _, d := range comp.Digests {
			p.addDigest(d)
		}
		return p
	}
	if strings.HasPrefix(strings.ToLower(ref), "pkg:") {
		if err := p.addIdentifier(ref); err != nil {
			doc.Issues = append(doc.Issues, parse.Issue{Path: path, Message: err.Error()})
		}
		return p
	}
	// An unresolved ref (a BOM-Link into an SBOM that was not given) is
	// kept: it matches nothing and shows as a near miss saying so.
	_ = p.addIdentifier(ref)
	return p
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
