package vexdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gocsaf/csaf/v3/csaf"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

// FormatCSAF is a CSAF 2.0 document of the csaf_vex profile.
const FormatCSAF Format = "csaf-vex"

// maxCSAFSchemaErrors bounds the schema errors a CSAF document reports.
const maxCSAFSchemaErrors = 20

// CSAF documents are first validated against the official CSAF 2.0 JSON
// schema as gocsaf embeds it (csaf.ValidateCSAF: offline, the CVSS schemas
// embedded too), then read into the small shape below. gocsaf's own Advisory
// type is not used to decode: it models product_tree.product_groups and the
// group_ids of flags, threats and remediations as objects, where the schema
// (and every real document) has arrays, so it rejects valid documents.
type csafDocument struct {
	Document struct {
		Category    string `json:"category"`
		CSAFVersion string `json:"csaf_version"`
		Tracking    struct {
			ID                 string `json:"id"`
			CurrentReleaseDate string `json:"current_release_date"`
			InitialReleaseDate string `json:"initial_release_date"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree *struct {
		Branches         []csafBranch          `json:"branches"`
		FullProductNames []csafFullProductName `json:"full_product_names"`
		Relationships    []struct {
			Category                  string              `json:"category"`
			FullProductName           csafFullProductName `json:"full_product_name"`
			ProductReference          string              `json:"product_reference"`
			RelatesToProductReference string              `json:"relates_to_product_reference"`
		} `json:"relationships"`
		ProductGroups []struct {
			GroupID    string   `json:"group_id"`
			ProductIDs []string `json:"product_ids"`
		} `json:"product_groups"`
	} `json:"product_tree"`
	Vulnerabilities []csafVulnerability `json:"vulnerabilities"`
}

type csafBranch struct {
	Branches []csafBranch         `json:"branches"`
	Product  *csafFullProductName `json:"product"`
}

type csafFullProductName struct {
	Name                        string      `json:"name"`
	ProductID                   string      `json:"product_id"`
	ProductIdentificationHelper *csafHelper `json:"product_identification_helper"`
}

type csafHelper struct {
	PURL   string `json:"purl"`
	Hashes []struct {
		FileHashes []struct {
			Algorithm string `json:"algorithm"`
			Value     string `json:"value"`
		} `json:"file_hashes"`
	} `json:"hashes"`
}

type csafVulnerability struct {
	CVE string `json:"cve"`
	IDs []struct {
		SystemName string `json:"system_name"`
		Text       string `json:"text"`
	} `json:"ids"`
	ReleaseDate   string `json:"release_date"`
	ProductStatus struct {
		FirstAffected      []string `json:"first_affected"`
		FirstFixed         []string `json:"first_fixed"`
		Fixed              []string `json:"fixed"`
		KnownAffected      []string `json:"known_affected"`
		KnownNotAffected   []string `json:"known_not_affected"`
		LastAffected       []string `json:"last_affected"`
		UnderInvestigation []string `json:"under_investigation"`
	} `json:"product_status"`
	Flags []struct {
		Date       string   `json:"date"`
		Label      string   `json:"label"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"flags"`
	Threats []struct {
		Category   string   `json:"category"`
		Date       string   `json:"date"`
		Details    string   `json:"details"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"threats"`
	Remediations []struct {
		Category   string   `json:"category"`
		Date       string   `json:"date"`
		Details    string   `json:"details"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"remediations"`
}

// csafProduct is one product id of the product tree, resolved: the product
// itself, or, for a relationship, the component inside its parent.
type csafProduct struct {
	name   string
	helper *csafHelper
	// component and parent are set for a relationship's product id.
	component, parent string
}

// csafStatuses are the product_status lists a statement comes from, in
// document order, with their OpenVEX status. recommended says nothing
// about exposure and is not read.
var csafStatuses = []struct {
	field  string
	status Status
	list   func(*csafVulnerability) []string
}{
	{"first_affected", StatusAffected, func(v *csafVulnerability) []string { return v.ProductStatus.FirstAffected }},
	{"first_fixed", StatusFixed, func(v *csafVulnerability) []string { return v.ProductStatus.FirstFixed }},
	{"fixed", StatusFixed, func(v *csafVulnerability) []string { return v.ProductStatus.Fixed }},
	{"known_affected", StatusAffected, func(v *csafVulnerability) []string { return v.ProductStatus.KnownAffected }},
	{"known_not_affected", StatusNotAffected, func(v *csafVulnerability) []string { return v.ProductStatus.KnownNotAffected }},
	{"last_affected", StatusAffected, func(v *csafVulnerability) []string { return v.ProductStatus.LastAffected }},
	{"under_investigation", StatusUnderInvestigation, func(v *csafVulnerability) []string { return v.ProductStatus.UnderInvestigation }},
}

// parseCSAF reads a CSAF 2.0 csaf_vex document: one statement per product
// id of each product_status list, with the product resolved through the
// product tree to its purls and hashes (a relationship's product becomes the
// parent product with the component as subcomponent, as in OpenVEX), its
// justification from the flags, its impact statement from the impact
// threats and its action from the remediations.
func parseCSAF(data []byte) (*Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, parse.JSONError(data, err)
	}
	if dec.More() {
		return nil, &parse.Error{Err: errors.New("csaf: data after the document")}
	}
	var doc csafDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, parse.JSONError(data, err)
	}
	if doc.Document.Category != "csaf_vex" {
		return nil, &parse.Error{Path: "document.category", Err: fmt.Errorf("csaf category %q is not a VEX document: want csaf_vex", doc.Document.Category)}
	}
	errs, err := csaf.ValidateCSAF(raw)
	if err != nil {
		return nil, &parse.Error{Err: fmt.Errorf("csaf schema: %w", err)}
	}
	if len(errs) > 0 {
		msg := errs
		if len(msg) > maxCSAFSchemaErrors {
			msg = append(msg[:maxCSAFSchemaErrors:maxCSAFSchemaErrors], fmt.Sprintf("and %d more", len(errs)-maxCSAFSchemaErrors))
		}
		return nil, &parse.Error{Err: fmt.Errorf("not a valid CSAF 2.0 document: %s", strings.Join(msg, "; "))}
	}

	out := &Document{Format: FormatCSAF, ID: doc.Document.Tracking.ID}
	var docTime time.Time
	var docDates []Date
	for _, d := range []struct{ field, value string }{
		{"document.tracking.initial_release_date", doc.Document.Tracking.InitialReleaseDate},
		{"document.tracking.current_release_date", doc.Document.Tracking.CurrentReleaseDate},
	} {
		if t := parseTime(d.value); !t.IsZero() {
			docDates = append(docDates, Date{Field: d.field, Time: t.UTC(), Document: true})
			if t.After(docTime) {
				docTime = t
			}
		}
	}

	products, groups := csafTree(&doc)
	for i := range doc.Vulnerabilities {
		v := &doc.Vulnerabilities[i]
		vpath := "vulnerabilities[" + strconv.Itoa(i) + "]"
		id, aliases := v.CVE, []string(nil)
		for _, x := range v.IDs {
			if id == "" {
				id = x.Text
			} else if x.Text != id {
				aliases = append(aliases, x.Text)
			}
		}
		if id == "" {
			out.Issues = append(out.Issues, parse.Issue{Path: vpath, Message: "vulnerability has neither cve nor ids: it applies to nothing"})
			continue
		}
		var dates []Date
		if t := parseTime(v.ReleaseDate); !t.IsZero() {
			dates = append(dates, Date{Field: vpath + ".release_date", Time: t.UTC()})
		}
		// Per product id: the flag label, the impact details and the
		// remediation, each with the date it carries.
		justification := map[string]string{}
		impact := map[string]string{}
		action := map[string]string{}
		extra := map[string][]Date{}
		each := func(pids, gids []string, fn func(string)) {
			for _, p := range pids {
				fn(p)
			}
			for _, g := range gids {
				for _, p := range groups[g] {
					fn(p)
				}
			}
		}
		for j, f := range v.Flags {
			fpath := vpath + ".flags[" + strconv.Itoa(j) + "]"
			t := parseTime(f.Date)
			each(f.ProductIDs, f.GroupIDs, func(p string) {
				justification[p] = f.Label
				if !t.IsZero() {
					extra[p] = append(extra[p], Date{Field: fpath + ".date", Time: t.UTC()})
				}
			})
		}
		for j, th := range v.Threats {
			if th.Category != "impact" {
				continue
			}
			tpath := vpath + ".threats[" + strconv.Itoa(j) + "]"
			t := parseTime(th.Date)
			each(th.ProductIDs, th.GroupIDs, func(p string) {
				impact[p] = th.Details
				if !t.IsZero() {
					extra[p] = append(extra[p], Date{Field: tpath + ".date", Time: t.UTC()})
				}
			})
		}
		for _, r := range v.Remediations {
			each(r.ProductIDs, r.GroupIDs, func(p string) {
				if action[p] == "" {
					action[p] = r.Category + ": " + r.Details
				}
			})
		}
		for _, st := range csafStatuses {
			for k, pid := range st.list(v) {
				spath := vpath + ".product_status." + st.field + "[" + strconv.Itoa(k) + "]"
				s := Statement{
					Path:          spath,
					ID:            pid,
					Vulnerability: id,
					Aliases:       aliases,
					Status:        st.status,
					Timestamp:     docTime,
					Dates:         slices.Concat(docDates, dates, extra[pid]),
				}
				if st.status == StatusNotAffected {
					s.Justification = justification[pid]
					s.Impact = impact[pid]
				}
				if st.status == StatusAffected {
					s.Action = action[pid]
				}
				p, ok := csafResolve(products, pid, spath, out)
				if !ok {
					out.Issues = append(out.Issues, parse.Issue{Path: spath, Message: fmt.Sprintf("product id %q is not in the product tree: the statement applies to nothing", pid)})
					continue
				}
				s.Products = []Product{p}
				out.Statements = append(out.Statements, s)
			}
		}
	}
	return out, nil
}

// csafTree indexes the product tree: every product id (branches, full
// product names, relationships) and every product group.
func csafTree(doc *csafDocument) (map[string]csafProduct, map[string][]string) {
	products := map[string]csafProduct{}
	groups := map[string][]string{}
	if doc.ProductTree == nil {
		return products, groups
	}
	add := func(fpn *csafFullProductName) {
		if fpn == nil || fpn.ProductID == "" {
			return
		}
		products[fpn.ProductID] = csafProduct{name: fpn.Name, helper: fpn.ProductIdentificationHelper}
	}
	// The schema bounds nothing; the document's size does, and so does this
	// depth (no real tree is deeper than vendor / product / version).
	var walk func(bs []csafBranch, depth int)
	walk = func(bs []csafBranch, depth int) {
		if depth > 64 {
			return
		}
		for i := range bs {
			add(bs[i].Product)
			walk(bs[i].Branches, depth+1)
		}
	}
	walk(doc.ProductTree.Branches, 0)
	for i := range doc.ProductTree.FullProductNames {
		add(&doc.ProductTree.FullProductNames[i])
	}
	for _, r := range doc.ProductTree.Relationships {
		if r.FullProductName.ProductID == "" || r.ProductReference == "" || r.RelatesToProductReference == "" {
			continue
		}
		products[r.FullProductName.ProductID] = csafProduct{
			name: r.FullProductName.Name, helper: r.FullProductName.ProductIdentificationHelper,
			component: r.ProductReference, parent: r.RelatesToProductReference,
		}
	}
	for _, g := range doc.ProductTree.ProductGroups {
		groups[g.GroupID] = g.ProductIDs
	}
	return products, groups
}

// csafResolve turns a product id into a Product: its purl and hashes, or,
// for a relationship, the parent product with the component as its
// subcomponent.
func csafResolve(products map[string]csafProduct, pid, path string, doc *Document) (Product, bool) {
	cp, ok := products[pid]
	if !ok {
		return Product{}, false
	}
	if cp.component == "" {
		return csafLeaf(cp, pid, path, doc), true
	}
	parent, ok := products[cp.parent]
	if !ok || parent.component != "" {
		return Product{}, false
	}
	comp, ok := products[cp.component]
	if !ok || comp.component != "" {
		return Product{}, false
	}
	p := csafLeaf(parent, cp.parent, path, doc)
	p.ID = pid
	p.Subcomponents = []Product{csafLeaf(comp, cp.component, path+".subcomponents[0]", doc)}
	return p, true
}

func csafLeaf(cp csafProduct, pid, path string, doc *Document) Product {
	p := Product{Path: path, ID: pid}
	if h := cp.helper; h != nil {
		if h.PURL != "" {
			if err := p.addIdentifier(h.PURL); err != nil {
				doc.Issues = append(doc.Issues, parse.Issue{Path: path + " (" + pid + ").product_identification_helper.purl", Message: err.Error()})
			}
		}
		for _, hs := range h.Hashes {
			for _, fh := range hs.FileHashes {
				p.addDigest(bom.DigestString(fh.Algorithm, fh.Value))
			}
		}
	}
	if len(p.PURLs) == 0 && len(p.Digests) == 0 {
		doc.Issues = append(doc.Issues, parse.Issue{Path: path, Message: fmt.Sprintf("product %q (%s) has no purl or hash in its product_identification_helper: it can only match by name", pid, cp.name)})
	}
	return p
}
