package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

// Referrer is one referrer of an image, as listed and classified.
type Referrer struct {
	// Ref is REGISTRY/REPO@sha256:HEX of the referrer's manifest: the
	// evidence name findings use.
	Ref           string `json:"ref"`
	Digest        string `json:"digest"`
	MediaType     string `json:"mediaType"`
	ArtifactType  string `json:"artifactType"`
	PredicateType string `json:"predicateType,omitempty"`
	Use           Use    `json:"use"`
	// Problem says why the referrer's bytes are not used, or is empty.
	Problem string `json:"problem,omitempty"`
	// Data is the evidence blob, when the referrer is of a known use and
	// had no problem.
	Data []byte `json:"-"`
	// manifest is the referrer's manifest as fetched (digest checked).
	manifest []byte
}

// Result is the evidence found among an image's referrers.
type Result struct {
	Image Image
	// Referrers are all the referrers listed, in digest order.
	Referrers []Referrer
	// TooMany is set when the registry listed more than the limit; only
	// the first MaxReferrers (in the registry's order) were read.
	TooMany bool
}

// Items are the result as engine evidence: one item per provenance, SBOM
// and VEX referrer (with Data, or with Problem), and a referrers document
// listing every referrer, unknown ones included, so the decision records
// what was found.
func (r *Result) Items() []engine.Item {
	var items []engine.Item
	for _, ref := range r.Referrers {
		k := ref.Use.Kind()
		if k == "" {
			// Listed in the decision's inputs (its manifest's digest),
			// otherwise ignored by eval.
			data := ref.manifest
			if data == nil {
				data, _ = json.Marshal(map[string]string{"digest": ref.Digest, "mediaType": ref.MediaType, "artifactType": ref.ArtifactType})
			}
			items = append(items, engine.Item{Kind: policy.KindReferrers, Role: RoleListed, Path: ref.Ref + " (" + listedType(ref) + ")", Data: data, Problem: ref.Problem})
			continue
		}
		it := engine.Item{Kind: k, Path: ref.Ref, Data: ref.Data, Problem: ref.Problem}
		if it.Problem == "" && it.Data == nil {
			it.Problem = "referrer " + ref.Ref + ": no content"
		}
		items = append(items, it)
	}
	items = append(items, engine.Item{Kind: policy.KindReferrers, Path: r.Image.String() + " (referrers)", Data: r.document(), Problem: r.tooMany()})
	return items
}

// RoleListed is the role of the referrers items that list a referrer eval
// does not judge (engine/evidence/referrers reads it the same way).
const RoleListed = "listed"

func listedType(r Referrer) string {
	t := r.ArtifactType
	if t == "" {
		t = r.MediaType
	}
	if r.PredicateType != "" {
		t += ", " + r.PredicateType
	}
	return t
}

func (r *Result) tooMany() string {
	if r.TooMany {
		return fmt.Sprintf("%s: the registry lists more referrers than the limit; refusing to choose among them", r.Image)
	}
	return ""
}

// document is the result as `oras discover --format tree -o json` prints
// it, which the referrers kind reads.
func (r *Result) document() []byte {
	type node struct {
		Ref          string            `json:"ref"`
		MediaType    string            `json:"mediaType"`
		ArtifactType string            `json:"artifactType"`
		Digest       string            `json:"digest"`
		Annotations  map[string]string `json:"annotations,omitempty"`
		Referrers    []node            `json:"referrers"`
	}
	top := node{Ref: r.Image.String(), MediaType: ocispec.MediaTypeImageManifest, Digest: r.Image.Digest, Referrers: []node{}}
	for _, ref := range r.Referrers {
		n := node{Ref: ref.Ref, MediaType: ref.MediaType, ArtifactType: ref.ArtifactType, Digest: ref.Digest, Referrers: []node{}}
		if ref.PredicateType != "" {
			n.Annotations = map[string]string{AnnotationPredicateType: ref.PredicateType}
		}
		top.Referrers = append(top.Referrers, n)
	}
	b, _ := json.Marshal(top) // strings and maps of strings: cannot fail
	return b
}

// Discover lists the referrers of img (the referrers API, or the
// sha256-<hex> tag when the registry has none), and fetches the blob of
// each provenance, SBOM and VEX referrer. The error is a *DiscoveryError
// when the registry could not be reached; bad evidence is in the result.
func (c *Client) Discover(ctx context.Context, img Image) (*Result, error) {
	return c.discover(ctx, img, func(u Use) bool { return u.Kind() != "" })
}

// FindVSA returns the sigstore bundles annotated as SLSA verification
// summaries among the referrers of img, in digest order. Referrers with a
// problem are returned with it, without bytes.
func (c *Client) FindVSA(ctx context.Context, img Image) ([]Referrer, error) {
	r, err := c.discover(ctx, img, func(u Use) bool { return u == UseVSA })
	if err != nil {
		return nil, err
	}
	var out []Referrer
	for _, ref := range r.Referrers {
		if ref.Use == UseVSA {
			out = append(out, ref)
		}
	}
	return out, nil
}

var errTooMany = errors.New("too many referrers")

func (c *Client) discover(ctx context.Context, img Image, fetch func(Use) bool) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	fail := func(err error) error { return classify(img.Registry(), img.String(), err) }
	repo, subject, err := c.resolve(ctx, img)
	if err != nil {
		return nil, fail(err)
	}
	res := &Result{Image: img}
	var descs []ocispec.Descriptor
	err = repo.Referrers(ctx, subject, "", func(page []ocispec.Descriptor) error {
		for _, d := range page {
			if len(descs) == c.opts.MaxReferrers {
				res.TooMany = true
				return errTooMany
			}
			descs = append(descs, d)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errTooMany) {
		return nil, fail(err)
	}
	slices.SortFunc(descs, func(a, b ocispec.Descriptor) int { return strings.Compare(a.Digest.String(), b.Digest.String()) })
	for _, d := range descs {
		ref, err := c.referrer(ctx, repo, img, d, fetch)
		if err != nil {
			return nil, fail(err)
		}
		res.Referrers = append(res.Referrers, ref)
	}
	return res, nil
}

// referrer reads one referrer's manifest and, when fetch wants its use, its
// blob. The error is for the registry failing; bad content is a Problem.
func (c *Client) referrer(ctx context.Context, repo *remote.Repository, img Image, d ocispec.Descriptor, fetch func(Use) bool) (Referrer, error) {
	ref := Referrer{
		Ref:           img.Registry() + "/" + img.Repository() + "@" + d.Digest.String(),
		Digest:        d.Digest.String(),
		MediaType:     d.MediaType,
		ArtifactType:  d.ArtifactType,
		PredicateType: d.Annotations[AnnotationPredicateType],
	}
	ref.Use = Classify(ref.ArtifactType, ref.PredicateType)
	if d.MediaType != ocispec.MediaTypeImageManifest {
		// An index or a Docker manifest: nothing hubgate reads.
		ref.Use = UseUnknown
		return ref, nil
	}
	if d.Size > MaxManifestSize {
		ref.Problem = fmt.Sprintf("referrer %s: manifest of %d bytes exceeds %d", ref.Ref, d.Size, MaxManifestSize)
		return ref, nil
	}
	raw, bad, err := fetchVerified(ctx, repo, d)
	if err != nil {
		return ref, err
	}
	if bad != "" {
		ref.Problem = fmt.Sprintf("referrer %s: manifest: %s", ref.Ref, bad)
		return ref, nil
	}
	ref.manifest = raw
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		ref.Problem = fmt.Sprintf("referrer %s: manifest: %v", ref.Ref, err)
		return ref, nil
	}
	// The manifest is what was signed into the registry; the listing is
	// the registry's word (and cosign's fallback index drops annotations).
	at := m.ArtifactType
	if at == "" {
		at = m.Config.MediaType
	}
	ref.ArtifactType = at
	if p := m.Annotations[AnnotationPredicateType]; p != "" {
		ref.PredicateType = p
	} else if len(m.Layers) == 1 && m.Layers[0].Annotations[annotationInTotoPred] != "" {
		ref.PredicateType = m.Layers[0].Annotations[annotationInTotoPred]
	}
	ref.Use = Classify(ref.ArtifactType, ref.PredicateType)
	if !fetch(ref.Use) {
		return ref, nil
	}
	switch {
	case m.Subject == nil:
		ref.Problem = fmt.Sprintf("referrer %s: manifest has no subject", ref.Ref)
	case m.Subject.Digest.String() != img.Digest:
		ref.Problem = fmt.Sprintf("referrer %s: attached to %s, not to the image %s", ref.Ref, m.Subject.Digest, img.Digest)
	case len(m.Layers) != 1:
		ref.Problem = fmt.Sprintf("referrer %s: %d layers, want exactly 1 evidence blob", ref.Ref, len(m.Layers))
	case m.Layers[0].Size > c.opts.MaxBlobSize:
		ref.Problem = fmt.Sprintf("referrer %s: blob %s of %d bytes exceeds the limit of %d", ref.Ref, m.Layers[0].Digest, m.Layers[0].Size, c.opts.MaxBlobSize)
	}
	if ref.Problem != "" {
		return ref, nil
	}
	blob, bad, err := fetchVerified(ctx, repo, m.Layers[0])
	if err != nil {
		return ref, err
	}
	if bad != "" {
		ref.Problem = fmt.Sprintf("referrer %s: blob %s: %s", ref.Ref, m.Layers[0].Digest, bad)
		return ref, nil
	}
	ref.Data = blob
	return ref, nil
}

// fetchVerified fetches d and checks its size and digest. bad is set when
// the content does not match d; err when the registry failed.
func fetchVerified(ctx context.Context, repo *remote.Repository, d ocispec.Descriptor) (b []byte, bad string, err error) {
	rc, err := repo.Fetch(ctx, d)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	b, err = content.ReadAll(rc, d)
	switch {
	case errors.Is(err, content.ErrMismatchedDigest):
		return nil, "digest mismatch: the registry served content whose digest is not " + d.Digest.String(), nil
	case errors.Is(err, content.ErrTrailingData), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, content.ErrInvalidDescriptorSize):
		return nil, fmt.Sprintf("size mismatch: %v (want %d bytes of %s)", err, d.Size, d.Digest), nil
	case err != nil:
		return nil, "", err
	}
	return b, "", nil
}
