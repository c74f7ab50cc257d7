package referrers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MaxFileSize bounds one oras discover document.
const MaxFileSize = 16 << 20

// maxReferrers bounds the referrers read, at every depth together.
const maxReferrers = 10000

// maxDepth bounds the nesting followed.
const maxDepth = 16

// ErrParse is wrapped by every parse error.
var ErrParse = errors.New("oras discover json")

var digestRE = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)

// Referrer is one attached artifact.
type Referrer struct {
	ArtifactType string `json:"artifact_type"`
	MediaType    string `json:"media_type"`
	Digest       string `json:"digest"`
	// Depth is 1 for artifacts attached to the subject, 2 for artifacts
	// attached to those, and so on.
	Depth int `json:"depth"`
	// Path locates it in the file ("referrers[0].referrers[1]").
	Path string `json:"path"`
}

// Document is what the file says.
type Document struct {
	// Format is "tree" (oras ≥ 1.3) or "index" (earlier).
	Format string `json:"format"`
	// Subject is the subject's digest ("sha256:hex"), "" when the file does
	// not say (the index format).
	Subject string `json:"subject"`
	// Reference is the subject's reference as oras printed it.
	Reference string     `json:"reference"`
	Referrers []Referrer `json:"referrers"`
}

type node struct {
	Ref          string          `json:"ref"`
	Reference    string          `json:"reference"`
	MediaType    string          `json:"mediaType"`
	ArtifactType string          `json:"artifactType"`
	Digest       string          `json:"digest"`
	Referrers    json.RawMessage `json:"referrers"`
	Manifests    json.RawMessage `json:"manifests"`
}

// Parse reads an oras discover JSON document.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrParse, MaxFileSize)
	}
	var top node
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the document", ErrParse)
	}
	doc := &Document{Referrers: []Referrer{}}
	doc.Reference = first(top.Ref, top.Reference)
	count := 0
	switch {
	case top.Referrers != nil && !isNull(top.Referrers):
		doc.Format = "tree"
		if top.Digest != "" {
			if !digestRE.MatchString(top.Digest) {
				return nil, fmt.Errorf("%w: digest: %q is not a digest", ErrParse, top.Digest)
			}
			doc.Subject = strings.ToLower(top.Digest)
		} else if _, d, ok := strings.Cut(doc.Reference, "@"); ok && digestRE.MatchString(d) {
			doc.Subject = strings.ToLower(d)
		}
		if err := walk(top.Referrers, "referrers", 1, &doc.Referrers, &count); err != nil {
			return nil, err
		}
	case top.Manifests != nil && !isNull(top.Manifests):
		doc.Format = "index"
		if err := walk(top.Manifests, "manifests", 1, &doc.Referrers, &count); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: neither \"referrers\" nor \"manifests\" is a list", ErrParse)
	}
	return doc, nil
}

func walk(raw json.RawMessage, path string, depth int, out *[]Referrer, count *int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: %s: nested deeper than %d", ErrParse, path, maxDepth)
	}
	var nodes []node
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrParse, path, err)
	}
	for i, n := range nodes {
		p := fmt.Sprintf("%s[%d]", path, i)
		*count++
		if *count > maxReferrers {
			return fmt.Errorf("%w: more than %d referrers", ErrParse, maxReferrers)
		}
		if !digestRE.MatchString(n.Digest) {
			return fmt.Errorf("%w: %s.digest: %q is not a digest", ErrParse, p, n.Digest)
		}
		*out = append(*out, Referrer{ArtifactType: n.ArtifactType, MediaType: n.MediaType, Digest: strings.ToLower(n.Digest), Depth: depth, Path: p})
		if n.Referrers != nil && !isNull(n.Referrers) {
			if err := walk(n.Referrers, p+".referrers", depth+1, out, count); err != nil {
				return err
			}
		}
	}
	return nil
}

func isNull(r json.RawMessage) bool { return string(bytes.TrimSpace(r)) == "null" }

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
