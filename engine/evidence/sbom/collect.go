package sbom

import (
	"context"
	"slices"
	"sort"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

// maxSBOMListed bounds the components each list in the sbom facts carries;
// the totals count them all.
const maxSBOMListed = 1000

// Facts is the facts document of the sbom kind, input.sbom in Rego.
type Facts struct {
	evidence.Facts
	// Documents are the SBOMs that could be read, in the order given.
	Documents []sbomDocument `json:"documents"`
	// Components counts every component of every document.
	Components int `json:"components"`
	// WithoutPURL lists components with no (valid) purl, at most
	// maxSBOMListed; WithoutPURLTotal counts them all.
	WithoutPURL      []sbomComponentRef `json:"without_purl"`
	WithoutPURLTotal int                `json:"without_purl_total"`
	// Licenses maps each license id (expressions split into ids) to the
	// components that carry it, sorted by id.
	Licenses []sbomLicense `json:"licenses"`
}

type sbomDocument struct {
	Evidence    string `json:"evidence"`
	Format      string `json:"format"`
	SpecVersion string `json:"spec_version"`
	Components  int    `json:"components"`
	// Subject is what the SBOM says it describes, null when nothing.
	Subject *sbomSubject `json:"subject"`
	// Attestation is how an attested SBOM was signed (its signer and the
	// subjects its statement binds it to), null for a plain document.
	Attestation *bom.Attestation `json:"attestation"`
}

type sbomSubject struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	BOMRef  string `json:"bom_ref"`
	// Digests are "alg:hex", from the hashes and from a pkg:oci purl.
	Digests []string `json:"digests"`
}

type sbomComponentRef struct {
	Evidence string `json:"evidence"`
	Path     string `json:"path"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	PURL     string `json:"purl"`
}

type sbomLicense struct {
	ID         string             `json:"id"`
	Total      int                `json:"total"`
	Components []sbomComponentRef `json:"components"`
}

// Collect reads every SBOM (parsed once per eval, shared with vex and
// vulnerabilities) into input.sbom.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{Facts: evidence.New(items), Documents: []sbomDocument{}, WithoutPURL: []sbomComponentRef{}, Licenses: []sbomLicense{}}
	licenses := map[string]*sbomLicense{}
	for _, it := range items {
		if ctx.Err() != nil {
			facts.AddProblem(it.Path, "", 0, "not read: %v", ctx.Err())
			continue
		}
		doc, rerr, err := bom.Read(env, it)
		if rerr != nil {
			facts.AddProblem(it.Path, "", 0, "read sbom: %v", rerr)
			continue
		}
		if err != nil {
			p := evidence.ProblemOf(it.Path, err)
			p.Message = "parse sbom: " + p.Message
			facts.Problems = append(facts.Problems, p)
			continue
		}
		for _, is := range doc.Issues {
			facts.AddProblem(it.Path, is.Path, 0, "parse sbom: %s: %s", is.Path, is.Message)
		}
		facts.FutureTime(it.Path, doc.CreatedField, doc.Created, env.Now)
		if doc.Attestation != nil {
			facts.FutureSigningTimes(it.Path, doc.Attestation.Timestamps, env.Now)
		}
		d := sbomDocument{Evidence: it.Path, Format: string(doc.Format), SpecVersion: doc.SpecVersion, Components: len(doc.Components), Attestation: doc.Attestation}
		if s := doc.Subject; s != nil {
			// ArtifactDigests adds a digest hiding in a pkg:oci purl's
			// version, or in the version itself (syft writes an image's
			// digest there).
			subj := &sbomSubject{Name: s.Name, Version: s.Version, PURL: s.PURL, BOMRef: s.BOMRef, Digests: s.ArtifactDigests()}
			d.Subject = subj
		}
		facts.Documents = append(facts.Documents, d)
		facts.Components += len(doc.Components)
		for _, c := range doc.Components {
			ref := sbomComponentRef{Evidence: it.Path, Path: c.Path, Name: c.Name, Version: c.Version, PURL: c.PURL}
			if c.PURL == "" {
				facts.WithoutPURLTotal++
				if len(facts.WithoutPURL) < maxSBOMListed {
					facts.WithoutPURL = append(facts.WithoutPURL, ref)
				}
			}
			var ids []string
			for _, l := range c.Licenses {
				for _, id := range bom.LicenseIDs(l) {
					if !slices.Contains(ids, id) {
						ids = append(ids, id)
					}
				}
			}
			for _, id := range ids {
				l := licenses[id]
				if l == nil {
					l = &sbomLicense{ID: id, Components: []sbomComponentRef{}}
					licenses[id] = l
				}
				l.Total++
				if len(l.Components) < maxSBOMListed {
					l.Components = append(l.Components, ref)
				}
			}
		}
	}
	ids := make([]string, 0, len(licenses))
	for id := range licenses {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		facts.Licenses = append(facts.Licenses, *licenses[id])
	}
	return facts
}
