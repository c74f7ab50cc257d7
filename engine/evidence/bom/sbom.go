package bom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

// Format names an SBOM format.
type Format string

// The formats [Parse] reads.
const (
	FormatCycloneDXJSON Format = "cyclonedx-json"
	FormatCycloneDXXML  Format = "cyclonedx-xml"
	FormatSPDXJSON      Format = "spdx-json"
)

// Document is one SBOM, read.
type Document struct {
	Format      Format `json:"format"`
	SpecVersion string `json:"spec_version"`
	// Subject is the component the SBOM describes (CycloneDX
	// metadata.component, the SPDX package the document DESCRIBES), nil
	// when it names none.
	Subject *Component `json:"subject"`
	// Components lists every component, nested ones flattened, in document
	// order.
	Components []Component `json:"components"`
	// Issues are elements that could not be read, such as invalid purls.
	Issues []parse.Issue `json:"issues"`
	// SerialNumber is a CycloneDX document's serialNumber ("urn:uuid:…"),
	// what a BOM-Link (urn:cdx:uuid/version#ref) names; "" otherwise.
	SerialNumber string `json:"serial_number,omitempty"`
	// Created is when the document says it was made, as written:
	// CycloneDX metadata.timestamp, SPDX creationInfo.created; "" when it
	// says nothing. CreatedField names the field.
	Created      string `json:"created,omitempty"`
	CreatedField string `json:"created_field,omitempty"`
	// Attestation is how the SBOM was signed when it came as the
	// predicate of an in-toto attestation, nil for a plain document.
	Attestation *Attestation `json:"attestation,omitempty"`
}

// Component is one component of an SBOM.
type Component struct {
	// Path is where the component is in the document ("components[3]").
	Path    string `json:"path"`
	BOMRef  string `json:"bom_ref,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// PURL is the canonical purl, "" when the component has none or it is
	// invalid (then an Issue names it).
	PURL string `json:"purl,omitempty"`
	// Digests are "alg:hex" strings with normalised algorithms, sorted.
	Digests []string `json:"digests,omitempty"`
	// Licenses are license ids, names or expressions as written, in order.
	Licenses []string `json:"licenses,omitempty"`
}

// Options tunes [Parse].
type Options struct {
	// MaxSize bounds the document; 0 means [parse.DefaultMaxSize].
	MaxSize int64
	// Trust, when set, lets Parse read an attested SBOM (a sigstore
	// bundle or DSSE envelope of an in-toto statement whose predicate is
	// the SBOM), verified against what it returns. Without it an attested
	// SBOM is an error: its content is never read unverified.
	Trust TrustFunc
}

// Parse reads an SBOM in any supported format, or, with opts.Trust, an
// attested one ([Attestation]). Errors carry positions (see [Error]).
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
		return nil, &parse.Error{Line: 1, Col: 1, Err: errors.New("not an sbom: want a CycloneDX (JSON or XML) or SPDX JSON document")}
	}
	bomFormat, spdxVersion, envelope, err := sniff(data)
	if err != nil {
		return nil, parse.JSONError(data, err)
	}
	switch {
	case envelope != "":
		return parseAttested(data, envelope, opts)
	case bomFormat != "":
		if bomFormat != "CycloneDX" {
			return nil, &parse.Error{Path: "bomFormat", Err: fmt.Errorf("unknown bomFormat %q: want CycloneDX", bomFormat)}
		}
		return parseCycloneDX(data, opts)
	case spdxVersion != "":
		return parseSPDXJSON(data)
	default:
		return nil, &parse.Error{Err: errors.New("not an sbom: no bomFormat (CycloneDX) or spdxVersion (SPDX) field")}
	}
}

// sniff reads the top-level keys of a JSON object with a streaming decoder
// until it meets bomFormat or spdxVersion (both come first in what the
// tools write), so a 3 MB document is not decoded twice just to learn its
// format. The document's validity is checked by the full decode that
// follows; a non-string value of either key is a syntax-level error here.
// envelope is "mediaType" or "payloadType" when it meets the key of a
// sigstore bundle or a DSSE envelope first: an attested SBOM.
func sniff(data []byte) (bomFormat, spdxVersion, envelope string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // '{', FirstByte said so
		return "", "", "", err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", "", "", err
		}
		key, _ := t.(string)
		switch key {
		case "bomFormat", "spdxVersion":
			var v string
			if err := dec.Decode(&v); err != nil {
				return "", "", "", err
			}
			if key == "bomFormat" {
				return v, "", "", nil
			}
			return "", v, "", nil
		case "mediaType", "payloadType":
			return "", "", key, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", "", "", err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return "", "", "", err
	}
	return "", "", "", nil
}

// addPURL canonicalises raw into c.PURL, or records an issue at path.
func (d *Document) addPURL(c *Component, raw, path string) {
	if raw == "" {
		return
	}
	p, err := CanonicalPURL(raw)
	if err != nil {
		d.Issues = append(d.Issues, parse.Issue{Path: path, Message: err.Error()})
		return
	}
	c.PURL = p
}

func sortedDigests(ds []string) []string {
	if len(ds) == 0 {
		return nil
	}
	sort.Strings(ds)
	out := ds[:0]
	for i, d := range ds {
		if i == 0 || d != ds[i-1] {
			out = append(out, d)
		}
	}
	return out
}

var licenseToken = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9.+\-:]*`)

// LicenseIDs splits a license expression into its license identifiers,
// dropping the operators AND, OR and WITH and exception ids after WITH. An
// expression "MIT OR GPL-3.0-only" gives both ids: a deny list matches either
// (fail closed).
func LicenseIDs(expr string) []string {
	toks := licenseToken.FindAllString(expr, -1)
	var out []string
	skip := false
	for _, t := range toks {
		switch strings.ToUpper(t) {
		case "AND", "OR":
			skip = false
			continue
		case "WITH":
			skip = true
			continue
		}
		if skip {
			skip = false
			continue
		}
		out = append(out, t)
	}
	return out
}

// trimBOM drops a UTF-8 byte order mark.
func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

// ArtifactDigests returns the digests that identify c as an artifact: its
// hashes, the digest in a pkg:oci or pkg:docker purl's version, and a
// version that is itself a digest (syft writes an image's manifest digest
// there). Each is "alg:hex", without duplicates, hashes first.
func (c *Component) ArtifactDigests() []string {
	out := append([]string{}, c.Digests...)
	versions := []string{c.Version}
	if u, err := ParsePURL(c.PURL); err == nil && (u.Type == "oci" || u.Type == "docker") {
		versions = append(versions, u.Version)
	}
	for _, v := range versions {
		ds := DigestIn(v)
		if ds == "" {
			continue
		}
		dup := false
		for _, have := range out {
			dup = dup || have == ds
		}
		if !dup {
			out = append(out, ds)
		}
	}
	return out
}
