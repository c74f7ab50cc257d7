package vulnerabilities_test

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
)

func keys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestAssessmentKeys pins the keys rego/vulnerabilities.rego reads: a key
// left out of the JSON (omitempty) makes a Rego rule undefined, and the
// finding silently disappears.
func TestAssessmentKeys(t *testing.T) {
	a := vulnerabilities.Assessment{Result: vexdoc.Result{Decision: &vexdoc.Ref{}, NearMisses: []vexdoc.NearMiss{{}}}}
	assert.Equal(t, []string{
		"aliases", "component", "component_text", "cvss", "cvss_text", "decision", "epss", "epss_text", "evidence",
		"has_cvss", "has_epss", "has_score", "id", "near_miss_total", "near_misses", "path", "purls", "reason", "score",
		"score_source", "severity", "status", "status_text", "suppressed", "target", "ties", "unscored", "why_text",
	}, keys(t, a))
	ref := []string{"evidence", "id", "impact", "justification", "path", "product", "status", "timestamp", "vulnerability"}
	assert.Equal(t, ref, keys(t, a.Decision))
	assert.Equal(t, append(append([]string{}, ref[:5]...), "product", "reason", "status", "timestamp", "vulnerability"), keys(t, a.NearMisses[0]))
}
