package bom

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// DecodeCycloneDX decodes a CycloneDX BOM, JSON or XML by its first byte,
// and checks that it is one. Errors carry positions. The vex and
// vulnerabilities packages use it too.
func DecodeCycloneDX(data []byte, opts Options) (*cdx.BOM, Format, error) {
	if err := parse.CheckSize(data, opts.MaxSize); err != nil {
		return nil, "", err
	}
	data = trimBOM(data)
	bom := new(cdx.BOM)
	switch parse.FirstByte(data) {
	case '<':
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(bom); err != nil {
			return nil, "", parse.XMLError(err)
		}
		if bom.XMLName.Local != "bom" {
			return nil, "", &parse.Error{Err: fmt.Errorf("not a cyclonedx xml document: root element <%s>, want <bom>", bom.XMLName.Local)}
		}
		if bom.SpecVersion == 0 {
			return nil, "", &parse.Error{Err: fmt.Errorf("not a cyclonedx xml document: unknown namespace %q", bom.XMLNS)}
		}
		return bom, FormatCycloneDXXML, nil
	case '{':
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(bom); err != nil {
			if errors.Is(err, cdx.ErrInvalidSpecVersion) {
				return nil, "", &parse.Error{Path: "specVersion", Err: err}
			}
			return nil, "", parse.JSONError(data, err)
		}
		if bom.BOMFormat != "CycloneDX" {
			return nil, "", &parse.Error{Path: "bomFormat", Err: fmt.Errorf("got %q, want CycloneDX", bom.BOMFormat)}
		}
		return bom, FormatCycloneDXJSON, nil
	case 0:
		return nil, "", &parse.Error{Err: errors.New("empty document")}
	default:
		return nil, "", &parse.Error{Line: 1, Col: 1, Err: errors.New("not a cyclonedx document: want JSON or XML")}
	}
}

func parseCycloneDX(data []byte, opts Options) (*Document, error) {
	bom, format, err := DecodeCycloneDX(data, opts)
	if err != nil {
		return nil, err
	}
	return FromCycloneDX(bom, format), nil
}

// FromCycloneDX turns a decoded BOM into a [Document].
func FromCycloneDX(bom *cdx.BOM, format Format) *Document {
	d := &Document{Format: format, SpecVersion: bom.SpecVersion.String(), SerialNumber: bom.SerialNumber}
	if bom.Metadata != nil && bom.Metadata.Timestamp != "" {
		d.Created, d.CreatedField = bom.Metadata.Timestamp, "metadata.timestamp"
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		c := d.component(bom.Metadata.Component, "metadata.component")
		d.Subject = &c
	}
	if bom.Components != nil {
		d.Components = make([]Component, 0, len(*bom.Components))
		d.walk(*bom.Components, "components")
	}
	return d
}

func (d *Document) walk(cs []cdx.Component, prefix string) {
	for i := range cs {
		path := prefix + "[" + strconv.Itoa(i) + "]"
		d.Components = append(d.Components, d.component(&cs[i], path))
		if cs[i].Components != nil {
			d.walk(*cs[i].Components, path+".components")
		}
	}
}

// component converts one CycloneDX component; nested components are not
// followed here.
func (d *Document) component(c *cdx.Component, path string) Component {
	out := Component{Path: path, BOMRef: c.BOMRef, Name: c.Name, Version: c.Version}
	if c.Group != "" {
		out.Name = c.Group + "/" + c.Name
	}
	d.addPURL(&out, c.PackageURL, path+".purl")
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			if s := DigestString(string(h.Algorithm), h.Value); s != "" {
				out.Digests = append(out.Digests, s)
			}
		}
		out.Digests = sortedDigests(out.Digests)
	}
	if c.Licenses != nil {
		for _, l := range *c.Licenses {
			switch {
			case l.Expression != "":
				out.Licenses = append(out.Licenses, l.Expression)
			case l.License != nil && l.License.ID != "":
				out.Licenses = append(out.Licenses, l.License.ID)
			case l.License != nil && l.License.Name != "":
				out.Licenses = append(out.Licenses, l.License.Name)
			}
		}
	}
	return out
}
