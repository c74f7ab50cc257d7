package engine

import (
	"context"
	"time"

	govex "github.com/openvex/go-vex/pkg/vex"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
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
	// InvalidJustification lists not_affected statements whose
	// justification is not an enumerated value of their format (they
	// suppress nothing), at most maxVEXListed; the total counts them all.
	InvalidJustification      []vexInvalidRef `json:"invalid_justification"`
	InvalidJustificationTotal int             `json:"invalid_justification_total"`
	// Future lists statements dated after the evaluation time (they are
	// ignored), at most maxVEXListed; FutureTotal counts them all.
	Future      []vexFutureRef `json:"future"`
	FutureTotal int            `json:"future_total"`
	// Now is the evaluation time, RFC 3339.
	Now string `json:"now"`
}

// vexInvalidRef is a not_affected statement with a justification outside
// its format's enumeration.
type vexInvalidRef struct {
	vexStatementRef
	// Field is the justification's path; Allowed the format's values.
	Field   string   `json:"field"`
	Allowed []string `json:"allowed"`
}

// vexFutureRef is a statement ignored for a date after the evaluation time.
type vexFutureRef struct {
	vexStatementRef
	// Field is the date's path; Document is true when it is the
	// document's date.
	Field    string `json:"field"`
	Date     string `json:"date"`
	Document bool   `json:"document"`
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
	Justification string   `json:"justification"`
	Products      []string `json:"products"`
}

func newVEXStatementRef(s *vexdoc.Statement) vexStatementRef {
	ref := vexStatementRef{Evidence: s.Evidence, Path: s.Path, ID: s.ID, Vulnerability: s.Vulnerability, Status: string(s.Status), Justification: s.Justification, Products: []string{}}
	for j := range s.Products {
		ref.Products = append(ref.Products, s.Products[j].Name())
	}
	return ref
}

// vexResolver returns a bom-ref resolver over the SBOMs given with the
// release, so CycloneDX refs into the SBOM resolve to purls. The SBOMs are
// parsed on the first lookup only. SBOMs that cannot be read resolve
// nothing; the sbom collector reports them.
func vexResolver(env *Env) func(string) (bom.Component, bool) {
	items := env.ItemsOf(policy.KindSBOM)
	if len(items) == 0 {
		return nil
	}
	var resolve func(string) (bom.Component, bool)
	return func(ref string) (bom.Component, bool) {
		if resolve == nil {
			resolve = sbomResolver(readSBOMs(env, items))
		}
		return resolve(ref)
	}
}

// releaseSBOM is one SBOM given with the release, parsed.
type releaseSBOM struct {
	Evidence string
	Doc      *bom.Document
}

// readSBOMs parses every sbom item; those that cannot be read are left
// out (the sbom collector reports them).
func readSBOMs(env *Env, items []Item) []releaseSBOM {
	var out []releaseSBOM
	for _, it := range items {
		b, err := env.ReadFile(policy.KindSBOM, it.Role, it.Path)
		if err != nil {
			continue
		}
		doc, err := bom.Parse(b, bom.Options{MaxSize: env.MaxFileSize})
		if err != nil {
			continue
		}
		out = append(out, releaseSBOM{Evidence: it.Path, Doc: doc})
	}
	return out
}

// sbomResolver resolves bom-refs over docs, the first definition winning.
func sbomResolver(docs []releaseSBOM) func(string) (bom.Component, bool) {
	refs := map[string]bom.Component{}
	add := func(c bom.Component) {
		if c.BOMRef != "" {
			if _, dup := refs[c.BOMRef]; !dup {
				refs[c.BOMRef] = c
			}
		}
	}
	for _, d := range docs {
		if d.Doc.Subject != nil {
			add(*d.Doc.Subject)
		}
		for _, c := range d.Doc.Components {
			add(c)
		}
	}
	return func(ref string) (bom.Component, bool) {
		c, ok := refs[ref]
		return c, ok
	}
}

// readVEX reads and parses every vex item. Problems go to facts when it is
// not nil (the vex collector); the vulnerabilities collector passes nil and
// uses what could be read.
func readVEX(env *Env, items []Item, facts *Facts, resolve func(string) (bom.Component, bool)) []*vexdoc.Document {
	var docs []*vexdoc.Document
	for _, it := range items {
		b, err := env.ReadFile(policy.KindVEX, it.Role, it.Path)
		if err != nil {
			if facts != nil {
				facts.AddProblem(it.Path, "", 0, "read vex: %v", err)
			}
			continue
		}
		doc, err := vexdoc.Parse(b, vexdoc.Options{MaxSize: env.MaxFileSize, Resolve: resolve})
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

func collectVEX(ctx context.Context, env *Env, items []Item) evidence.Document {
	facts := &vexFacts{Facts: Facts{Present: len(items) > 0, Problems: []Problem{}}, Documents: []vexDocument{}, Unjustified: []vexStatementRef{}, InvalidJustification: []vexInvalidRef{}, Future: []vexFutureRef{}}
	if !env.Now.IsZero() {
		facts.Now = env.Now.UTC().Format(time.RFC3339)
	}
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
			if d, future := s.FutureDate(env.Now); future {
				facts.FutureTotal++
				if len(facts.Future) < maxVEXListed {
					facts.Future = append(facts.Future, vexFutureRef{vexStatementRef: newVEXStatementRef(s), Field: d.Field, Date: d.Time.UTC().Format(time.RFC3339), Document: d.Document})
				}
			}
			switch {
			case s.Justified():
			case s.InvalidJustification:
				facts.InvalidJustificationTotal++
				if len(facts.InvalidJustification) < maxVEXListed {
					ref := vexInvalidRef{vexStatementRef: newVEXStatementRef(s), Field: s.Path + ".justification", Allowed: govex.Justifications()}
					if doc.Format != vexdoc.FormatOpenVEX {
						ref.Field = s.Path + ".analysis.justification"
						ref.Allowed = vexdoc.CycloneDXJustifications()
					}
					facts.InvalidJustification = append(facts.InvalidJustification, ref)
				}
			default:
				facts.UnjustifiedTotal++
				if len(facts.Unjustified) < maxVEXListed {
					facts.Unjustified = append(facts.Unjustified, newVEXStatementRef(s))
				}
			}
		}
	}
	return facts
}
