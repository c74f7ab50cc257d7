package vex

import (
	"context"
	"time"

	govex "github.com/openvex/go-vex/pkg/vex"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

// maxVEXListed bounds the statements each list in the vex facts carries.
const maxVEXListed = 1000

// Facts is the facts document of the vex kind, input.vex in Rego. Which
// statement applies to which vulnerability is in input.vulnerabilities.
type Facts struct {
	evidence.Facts
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

// Collect reads every VEX document (parsed once per eval, shared with
// vulnerabilities) into input.vex.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{Facts: evidence.New(items), Documents: []vexDocument{}, Unjustified: []vexStatementRef{}, InvalidJustification: []vexInvalidRef{}, Future: []vexFutureRef{}}
	if !env.Now.IsZero() {
		facts.Now = env.Now.UTC().Format(time.RFC3339)
	}
	if ctx.Err() != nil {
		for _, it := range items {
			facts.AddProblem(it.Path, "", 0, "not read: %v", ctx.Err())
		}
		return facts
	}
	var docs []*vexdoc.Document
	for _, it := range items {
		doc, rerr, perr := vexdoc.Read(env, it)
		switch {
		case rerr != nil:
			facts.AddProblem(it.Path, "", 0, "read vex: %v", rerr)
			continue
		case perr != nil:
			p := evidence.ProblemOf(it.Path, perr)
			p.Message = "parse vex: " + p.Message
			facts.Problems = append(facts.Problems, p)
			continue
		}
		for _, is := range doc.Issues {
			facts.AddProblem(it.Path, is.Path, 0, "parse vex: %s: %s", is.Path, is.Message)
		}
		docs = append(docs, doc)
	}
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
