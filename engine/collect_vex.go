package engine

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence/sbom"
	"github.com/cicd-hub/hubgate/engine/evidence/vex"
	"github.com/cicd-hub/hubgate/policy"
)

// maxVEXListed bounds the statements each list in the vex facts carries.
const maxVEXListed = 1000

// vexFacts is the facts document of the vex kind, input.vex in Rego. Which
// statement applies to which vulnerability is in input.vulnerabilities.
type vexFacts struct {
	Facts
	// Documents are the VEX documents that could be read, in order.
	Documents []vexDocument `json:"documents"`
	// Statements counts every usable statement.
	Statements int `json:"statements"`
	// Unjustified lists not_affected statements with neither a
	// justification nor an impact statement (they suppress nothing), at
	// most maxVEXListed; UnjustifiedTotal counts them all.
	Unjustified      []vexStatementRef `json:"unjustified"`
	UnjustifiedTotal int               `json:"unjustified_total"`
}

type vexDocument struct {
	Evidence   string `json:"evidence"`
	Format     string `json:"format"`
	ID         string `json:"id"`
	Statements int    `json:"statements"`
}

type vexStatementRef struct {
	Evidence      string   `json:"evidence"`
	Path          string   `json:"path"`
	ID            string   `json:"id"`
	Vulnerability string   `json:"vulnerability"`
	Status        string   `json:"status"`
	Products      []string `json:"products"`
}

// vexResolver returns a bom-ref resolver over the SBOMs given with the
// release, so CycloneDX refs into the SBOM resolve to purls. The SBOMs are
// parsed on the first lookup only. SBOMs that cannot be read resolve
// nothing; the sbom collector reports them.
func vexResolver(env *Env) func(string) (sbom.Component, bool) {
	items := env.ItemsOf(policy.KindSBOM)
	if len(items) == 0 {
		return nil
	}
	var refs map[string]sbom.Component
	return func(ref string) (sbom.Component, bool) {
		if refs == nil {
			refs = map[string]sbom.Component{}
			for _, it := range items {
				b, err := env.ReadFile(policy.KindSBOM, it.Role, it.Path)
				if err != nil {
					continue
				}
				doc, err := sbom.Parse(b, sbom.Options{MaxSize: env.MaxFileSize})
				if err != nil {
					continue
				}
				add := func(c sbom.Component) {
					if c.BOMRef != "" {
						if _, dup := refs[c.BOMRef]; !dup {
							refs[c.BOMRef] = c
						}
					}
				}
				if doc.Subject != nil {
					add(*doc.Subject)
				}
				for _, c := range doc.Components {
					add(c)
				}
			}
		}
		c, ok := refs[ref]
		return c, ok
	}
}

// readVEX reads and parses every vex item. Problems go to facts when it is
// not nil (the vex collector); the vulnerabilities collector passes nil and
// uses what could be read.
func readVEX(env *Env, items []Item, facts *Facts, resolve func(string) (sbom.Component, bool)) []*vex.Document {
	var docs []*vex.Document
	for _, it := range items {
		b, err := env.ReadFile(policy.KindVEX, it.Role, it.Path)
		if err != nil {
			if facts != nil {
				facts.AddProblem(it.Path, "", 0, "read vex: %v", err)
			}
			continue
		}
		doc, err := vex.Parse(b, vex.Options{MaxSize: env.MaxFileSize, Resolve: resolve})
		if err != nil {
			if facts != nil {
				p := sbomProblem(it.Path, err)
				p.Message = "parse vex: " + p.Message
				facts.Problems = append(facts.Problems, p)
			}
			continue
		}
		doc.Evidence = it.Path
		for i := range doc.Statements {
			doc.Statements[i].Evidence = it.Path
		}
		if facts != nil {
			for _, is := range doc.Issues {
				facts.AddProblem(it.Path, is.Path, 0, "parse vex: %s: %s", is.Path, is.Message)
			}
		}
		docs = append(docs, doc)
	}
	return docs
}

func collectVEX(ctx context.Context, env *Env, items []Item) any {
	facts := &vexFacts{Facts: Facts{Present: len(items) > 0, Problems: []Problem{}}, Documents: []vexDocument{}, Unjustified: []vexStatementRef{}}
	if ctx.Err() != nil {
		for _, it := range items {
			facts.AddProblem(it.Path, "", 0, "not read: %v", ctx.Err())
		}
		return facts
	}
	docs := readVEX(env, items, &facts.Facts, vexResolver(env))
	for _, doc := range docs {
		facts.Documents = append(facts.Documents, vexDocument{Evidence: doc.Evidence, Format: string(doc.Format), ID: doc.ID, Statements: len(doc.Statements)})
		facts.Statements += len(doc.Statements)
		for i := range doc.Statements {
			s := &doc.Statements[i]
			if s.Justified() {
				continue
			}
			facts.UnjustifiedTotal++
			if len(facts.Unjustified) >= maxVEXListed {
				continue
			}
			ref := vexStatementRef{Evidence: s.Evidence, Path: s.Path, ID: s.ID, Vulnerability: s.Vulnerability, Status: string(s.Status), Products: []string{}}
			for j := range s.Products {
				ref.Products = append(ref.Products, s.Products[j].Name())
			}
			facts.Unjustified = append(facts.Unjustified, ref)
		}
	}
	return facts
}
