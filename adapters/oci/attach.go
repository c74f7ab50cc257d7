package oci

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
)

// File is one file to attach.
type File struct {
	Name string
	Data []byte
}

// Attached is one referrer pushed by [Client.Attach].
type Attached struct {
	File         string
	Digest       string
	ArtifactType string
	// PredicateType is set for sigstore bundles of a DSSE statement.
	PredicateType string
}

// DetectType says which artifact type a file is pushed as: a sigstore
// bundle (with its statement's predicate type), a CycloneDX or SPDX SBOM,
// or an OpenVEX document. Anything else is an error.
func DetectType(name string, b []byte) (artifactType, predicateType string, err error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '<' {
		if bytes.Contains(b, []byte("http://cyclonedx.org/schema/bom")) {
			return MediaCDXXML, "", nil
		}
		return "", "", fmt.Errorf("%s: an XML file that is not a CycloneDX BOM", name)
	}
	var doc struct {
		MediaType    string          `json:"mediaType"`
		BOMFormat    string          `json:"bomFormat"`
		SPDXVersion  string          `json:"spdxVersion"`
		Context      json.RawMessage `json:"@context"`
		DSSEEnvelope *struct {
			PayloadType string `json:"payloadType"`
			Payload     string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return "", "", fmt.Errorf("%s: not JSON: %w", name, err)
	}
	switch {
	case len(doc.MediaType) > len("application/vnd.dev.sigstore.bundle") && doc.MediaType[:len("application/vnd.dev.sigstore.bundle")] == "application/vnd.dev.sigstore.bundle":
		if doc.DSSEEnvelope == nil {
			return MediaBundle, "", nil
		}
		payload, err := base64.StdEncoding.DecodeString(doc.DSSEEnvelope.Payload)
		if err != nil {
			return "", "", fmt.Errorf("%s: dsseEnvelope.payload: %w", name, err)
		}
		var st struct {
			PredicateType string `json:"predicateType"`
		}
		if err := json.Unmarshal(payload, &st); err != nil {
			return "", "", fmt.Errorf("%s: dsseEnvelope.payload: not an in-toto statement: %w", name, err)
		}
		return MediaBundle, st.PredicateType, nil
	case doc.BOMFormat == "CycloneDX":
		return MediaCycloneDX, "", nil
	case doc.SPDXVersion != "":
		return MediaSPDX, "", nil
	case bytes.Contains(doc.Context, []byte("openvex.dev/ns")):
		return MediaOpenVEX, "", nil
	}
	return "", "", fmt.Errorf("%s: not a sigstore bundle, CycloneDX or SPDX SBOM, or OpenVEX document", name)
}

// Attach pushes each file as a referrer of img, with the layout cosign v3
// uses for its bundles: an OCI 1.1 image manifest whose artifactType and
// single layer are the file's media type, an empty config, the image as
// subject, and for bundles the dev.sigstore.bundle.content and
// dev.sigstore.bundle.predicateType annotations. On a registry without
// the referrers API, oras-go updates the sha256-<hex> tag index.
func (c *Client) Attach(ctx context.Context, img Image, files []File, now time.Time) ([]Attached, error) {
	type typed struct {
		File
		at, pt string
	}
	var ts []typed
	for _, f := range files {
		if int64(len(f.Data)) > c.opts.MaxBlobSize {
			return nil, fmt.Errorf("%s: %d bytes exceeds the limit of %d", f.Name, len(f.Data), c.opts.MaxBlobSize)
		}
		at, pt, err := DetectType(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		ts = append(ts, typed{File: f, at: at, pt: pt})
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	fail := func(err error) error { return classify(img.Registry(), img.String(), err) }
	repo, subject, err := c.resolve(ctx, img)
	if err != nil {
		return nil, fail(err)
	}
	var out []Attached
	for _, t := range ts {
		layer := ocispec.Descriptor{MediaType: t.at, Digest: digest.FromBytes(t.Data), Size: int64(len(t.Data))}
		if err := repo.Push(ctx, layer, bytes.NewReader(t.Data)); err != nil && !isExists(err) {
			return out, fail(fmt.Errorf("%s: push blob: %w", t.Name, err))
		}
		ann := map[string]string{annotationCreated: now.UTC().Format(time.RFC3339)}
		if t.at == MediaBundle {
			ann[AnnotationContent] = "message-signature"
			if t.pt != "" {
				ann[AnnotationContent] = "dsse-envelope"
				ann[AnnotationPredicateType] = t.pt
			}
		}
		sub := ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
		m, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, t.at, oras.PackManifestOptions{
			Subject: &sub, Layers: []ocispec.Descriptor{layer}, ManifestAnnotations: ann,
		})
		if err != nil {
			return out, fail(fmt.Errorf("%s: push manifest: %w", t.Name, err))
		}
		out = append(out, Attached{File: t.Name, Digest: m.Digest.String(), ArtifactType: t.at, PredicateType: t.pt})
	}
	return out, nil
}
