package bom

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

func parseSPDXJSON(data []byte) (*Document, error) {
	doc, err := spdxjson.Read(bytes.NewReader(trimBOM(data)))
	if err != nil {
		return nil, parse.JSONError(data, err)
	}
	return FromSPDX(doc), nil
}

// FromSPDX turns a decoded SPDX document into a [Document]. The subject is
// the first package the document DESCRIBES.
func FromSPDX(doc *spdx.Document) *Document {
	d := &Document{Format: FormatSPDXJSON, SpecVersion: doc.SPDXVersion}
	if doc.CreationInfo != nil && doc.CreationInfo.Created != "" {
		d.Created, d.CreatedField = doc.CreationInfo.Created, "creationInfo.created"
	}
	described := map[common.ElementID]bool{}
	var order []common.ElementID
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		switch strings.ToUpper(r.Relationship) {
		case common.TypeRelationshipDescribe:
			if r.RefA.ElementRefID == doc.SPDXIdentifier || r.RefA.ElementRefID == "DOCUMENT" {
				if !described[r.RefB.ElementRefID] {
					order = append(order, r.RefB.ElementRefID)
				}
				described[r.RefB.ElementRefID] = true
			}
		case common.TypeRelationshipDescribeBy:
			if r.RefB.ElementRefID == doc.SPDXIdentifier || r.RefB.ElementRefID == "DOCUMENT" {
				if !described[r.RefA.ElementRefID] {
					order = append(order, r.RefA.ElementRefID)
				}
				described[r.RefA.ElementRefID] = true
			}
		}
	}
	byID := map[common.ElementID]int{}
	for i, p := range doc.Packages {
		if p == nil {
			continue
		}
		c := d.spdxPackage(p, "packages["+strconv.Itoa(i)+"]")
		byID[p.PackageSPDXIdentifier] = len(d.Components)
		d.Components = append(d.Components, c)
	}
	for _, id := range order {
		if i, ok := byID[id]; ok {
			s := d.Components[i]
			d.Subject = &s
			break
		}
	}
	return d
}

func (d *Document) spdxPackage(p *spdx.Package, path string) Component {
	c := Component{Path: path, BOMRef: string(p.PackageSPDXIdentifier), Name: p.PackageName, Version: p.PackageVersion}
	for i, r := range p.PackageExternalReferences {
		if r == nil {
			continue
		}
		if strings.EqualFold(r.RefType, "purl") {
			if c.PURL == "" {
				d.addPURL(&c, r.Locator, path+".externalRefs["+strconv.Itoa(i)+"].referenceLocator")
			}
		}
	}
	for _, h := range p.PackageChecksums {
		if s := DigestString(string(h.Algorithm), h.Value); s != "" {
			c.Digests = append(c.Digests, s)
		}
	}
	c.Digests = sortedDigests(c.Digests)
	for _, l := range []string{p.PackageLicenseConcluded, p.PackageLicenseDeclared} {
		if l != "" && l != "NOASSERTION" && l != "NONE" {
			c.Licenses = append(c.Licenses, l)
		}
	}
	return c
}
