package provenance

import (
	"strings"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// Fields a [Mismatch] names.
const (
	FieldSource  = "source repository"
	FieldRef     = "ref"
	FieldCommit  = "commit"
	FieldBuilder = "builder id"
	FieldTrigger = "trigger"
)

// Mismatch is a field on which a verified statement's predicate and its
// signing certificate's Fulcio extensions disagree. Both values are given
// with where each was read.
type Mismatch struct {
	Field string `json:"field"`
	// Certificate is the certificate's value and CertificateSource the
	// extension it was read from.
	Certificate       string `json:"certificate"`
	CertificateSource string `json:"certificate_source"`
	// Predicate is the predicate's value ("" when the predicate does not
	// state it) and PredicatePath its JSON path.
	Predicate     string `json:"predicate"`
	PredicatePath string `json:"predicate_path"`
}

// CompareCertificate checks, as slsa-verifier does for GitHub Actions
// builders, that the predicate agrees with the certificate on every field
// the certificate carries:
//
//   - the source repository (sourceRepositoryURI vs the predicate's source,
//     both normalised as [NormalizeSourceURI] does);
//   - the ref (sourceRepositoryRef);
//   - the commit (sourceRepositoryDigest, case-insensitive);
//   - the builder id (buildSignerURI), when the builder id names a GitHub
//     Actions workflow ("…/.github/workflows/…@ref", the reusable-workflow
//     builders such as slsa-github-generator, whose certificate is issued
//     to the builder); a runner builder id such as
//     "https://github.com/actions/runner/github-hosted" is not a workflow
//     and is not compared;
//   - the trigger (buildTrigger vs the predicate's GitHub event name).
//
// A field the certificate does not carry is not compared (a key-signed
// statement has no certificate: nothing is). A field the certificate
// carries and the predicate does not state is a mismatch.
func CompareCertificate(st *Statement, c trust.Claims) []Mismatch {
	out := []Mismatch{}
	if st == nil {
		return out
	}
	add := func(field, cert, certSrc, pred, path string, same func(a, b string) bool) {
		if cert == "" || (pred != "" && same(cert, pred)) {
			return
		}
		out = append(out, Mismatch{Field: field, Certificate: cert, CertificateSource: certSrc, Predicate: pred, PredicatePath: path})
	}
	exact := func(a, b string) bool { return a == b }
	srcPath := st.Source.Path
	if srcPath == "" {
		srcPath = "predicate"
	}
	add(FieldSource, c.SourceRepositoryURI, "certificate extension sourceRepositoryURI (1.3.6.1.4.1.57264.1.12)", st.Source.URI, srcPath,
		func(a, b string) bool {
			x, _ := NormalizeSourceURI(a)
			y, _ := NormalizeSourceURI(b)
			return strings.EqualFold(x, y)
		})
	add(FieldRef, c.SourceRepositoryRef, "certificate extension sourceRepositoryRef (1.3.6.1.4.1.57264.1.14)", st.Source.Ref, srcPath, exact)
	add(FieldCommit, c.SourceRepositoryDigest, "certificate extension sourceRepositoryDigest (1.3.6.1.4.1.57264.1.13)", st.Source.Commit, srcPath, strings.EqualFold)
	if IsWorkflowBuilder(st.BuilderID) {
		add(FieldBuilder, c.BuildSignerURI, "certificate extension buildSignerURI (1.3.6.1.4.1.57264.1.9)", st.BuilderID, st.BuilderPath(), exact)
	}
	trigPath := st.TriggerPath
	switch {
	case trigPath != "":
	case st.PredicateType == PredicateSLSAv02:
		trigPath = "predicate.invocation.environment.github_event_name"
	default:
		trigPath = "predicate.buildDefinition.internalParameters.github.event_name"
	}
	add(FieldTrigger, c.BuildTrigger, "certificate extension buildTrigger (1.3.6.1.4.1.57264.1.20)", st.Trigger, trigPath, exact)
	return out
}

// IsWorkflowBuilder reports whether a builder id names a GitHub Actions
// workflow ("https://github.com/o/r/.github/workflows/x.yml@ref").
func IsWorkflowBuilder(id string) bool {
	name, _ := SplitBuilderID(id)
	return strings.HasPrefix(name, "https://github.com/") && strings.Contains(name, "/.github/workflows/")
}

// BuilderPath is the JSON path of the builder id in the predicate.
func (st *Statement) BuilderPath() string {
	if st.PredicateType == PredicateSLSAv02 {
		return "predicate.builder.id"
	}
	return "predicate.runDetails.builder.id"
}
