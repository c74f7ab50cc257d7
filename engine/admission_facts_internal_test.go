package engine

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/admission"
)

// TestFactsASTSharesVSAResults: factsAST converts a VSA result or a mapping
// shared by several images once, and gives exactly what the JSON round
// trip gives.
func TestFactsASTSharesVSAResults(t *testing.T) {
	shared := &admission.VSAResult{Summaries: []admission.VSASummary{{
		Verified: true, Result: "PASSED", Repo: "acme/api", PolicyDigests: []string{"sha256:1"}, VerifiedLevels: []string{},
	}}}
	mapping := &admission.Mapping{Prefix: "ghcr.io", Repos: []string{"acme/api"}, PolicyDigests: []string{}, RequiredLevels: []string{"L3"}}
	other := &admission.VSAResult{Error: "no verification summary", Summaries: []admission.VSASummary{}}
	facts := &admission.Facts{
		Object: "Pod ns/p", Referrers: []admission.Referrer{}, Secrets: []admission.Secret{}, Workflows: []admission.Workflow{},
		Images: []admission.Image{
			{Name: "a", VSA: shared, Mapping: mapping},
			{Name: "b", VSA: other, Mapping: &admission.Mapping{Prefix: "docker.io", Repos: []string{}}},
			{Name: "c"},
			{Name: "d", VSA: shared, Mapping: mapping},
		},
	}
	got, err := factsAST(facts, nil)
	require.NoError(t, err)
	b, err := json.Marshal(facts)
	require.NoError(t, err)
	want, err := ast.ValueFromReader(bytes.NewReader(b))
	require.NoError(t, err)
	require.Equal(t, 0, want.Compare(got), "got %v\nwant %v", got, want)
	require.NotNil(t, facts.Images[3].VSA, "the caller's facts keep their results")
	require.Same(t, facts.Images[0].Mapping, facts.Images[3].Mapping, "and their mappings")
}
