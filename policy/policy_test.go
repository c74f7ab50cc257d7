package policy_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

func TestOutcomeZeroNeverAllows(t *testing.T) {
	var o policy.Outcome
	assert.Equal(t, policy.OutcomeUnknown, o)
	assert.False(t, o.Allowed(), "the zero outcome must not allow")
	assert.Equal(t, "unknown", o.String())
}

func TestOutcomeAllowedAndBlocks(t *testing.T) {
	tests := []struct {
		o       policy.Outcome
		allowed bool
		blocks  bool
	}{
		{policy.OutcomeUnknown, false, false},
		{policy.OutcomePass, true, false},
		{policy.OutcomeWarn, true, false},
		{policy.OutcomeFail, false, true},
		{policy.OutcomeError, false, true},
		{policy.Outcome(42), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.o.String(), func(t *testing.T) {
			assert.Equal(t, tt.allowed, tt.o.Allowed())
			assert.Equal(t, tt.blocks, tt.o.Blocks())
		})
	}
}

func TestWorstWins(t *testing.T) {
	assert.Equal(t, policy.OutcomeError, policy.OutcomeFail.Worse(policy.OutcomeError))
	assert.Equal(t, policy.OutcomeFail, policy.OutcomeFail.Worse(policy.OutcomeWarn))
	assert.Equal(t, policy.OutcomeWarn, policy.OutcomePass.Worse(policy.OutcomeWarn))
	fs := []policy.Finding{
		{Outcome: policy.OutcomeWarn},
		{Outcome: policy.OutcomeFail, Waiver: &policy.Waiver{Rule: "x"}},
		{Outcome: policy.OutcomePass},
	}
	assert.Equal(t, policy.OutcomeWarn, policy.Fold(fs), "a waived fail must not count, the warn must")
	assert.Equal(t, policy.OutcomePass, policy.Fold(nil))
}

func TestOutcomeAndSeverityText(t *testing.T) {
	for _, o := range []policy.Outcome{policy.OutcomeUnknown, policy.OutcomePass, policy.OutcomeWarn, policy.OutcomeFail, policy.OutcomeError} {
		b, err := json.Marshal(o)
		require.NoError(t, err)
		var back policy.Outcome
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, o, back)
	}
	_, err := json.Marshal(policy.Outcome(9))
	assert.Error(t, err, "an out-of-range outcome must not marshal")
	var o policy.Outcome
	assert.Error(t, json.Unmarshal([]byte(`"PASSED"`), &o))
	var s policy.Severity
	require.NoError(t, json.Unmarshal([]byte(`"critical"`), &s))
	assert.Equal(t, policy.SeverityCritical, s)
	assert.Error(t, json.Unmarshal([]byte(`"severe"`), &s))
}

func TestWaiver(t *testing.T) {
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	w := policy.Waiver{Rule: "checksums.listed", Target: "a.bin", Expires: exp}
	assert.True(t, w.Matches(policy.Finding{Rule: "checksums.listed", Target: "a.bin"}))
	assert.False(t, w.Matches(policy.Finding{Rule: "checksums.listed", Target: "b.bin"}))
	assert.False(t, w.Matches(policy.Finding{Rule: "checksums.digest_match", Target: "a.bin"}))
	any := policy.Waiver{Rule: "checksums.listed", Expires: exp}
	assert.True(t, any.Matches(policy.Finding{Rule: "checksums.listed", Target: "b.bin"}), "a waiver without target names every target")
	assert.False(t, w.Expired(exp.Add(-time.Second)))
	assert.True(t, w.Expired(exp), "a waiver no longer applies at its expiry instant")
}

func TestFindingKind(t *testing.T) {
	assert.Equal(t, policy.KindChecksums, policy.Finding{Rule: "checksums.listed"}.Kind())
	assert.Equal(t, policy.KindEvidenceBundle, policy.Finding{Rule: "evidence_bundle.signed"}.Kind())
	for _, k := range policy.Kinds() {
		assert.True(t, k.Valid())
	}
	assert.False(t, policy.EvidenceKind("sboms").Valid())
}

// jsonKeys collects every key path of a JSON document.
func jsonKeys(t *testing.T, prefix string, v any, out *[]string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			*out = append(*out, prefix+k)
			jsonKeys(t, prefix+k+".", c, out)
		}
	case []any:
		for _, c := range x {
			jsonKeys(t, prefix+"[].", c, out)
		}
	}
}

// TestDecisionJSONKeysArePinned pins the wire format: a key added, renamed
// or dropped must change DecisionMediaType's version and this list.
func TestDecisionJSONKeysArePinned(t *testing.T) {
	d := policy.Decision{
		MediaType: policy.DecisionMediaType,
		ID:        "0123",
		Outcome:   policy.OutcomeFail,
		Repo:      "acme/app",
		Subjects:  []policy.Subject{{Name: "a.bin", Digest: policy.Digest{"sha256": "ab"}, Size: 3}},
		Policy:    policy.PolicyRef{Digest: "sha256:00"},
		Inputs:    []policy.Input{{Kind: policy.KindChecksums, Role: "x", Path: "SHA256SUMS", Digest: policy.Digest{"sha256": "cd"}}},
		Checks:    []policy.Check{{Kind: policy.KindChecksums, Outcome: policy.OutcomeFail, Findings: 1}},
		Findings: []policy.Finding{{
			Rule: "checksums.listed", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh,
			Waiver: &policy.Waiver{Rule: "checksums.listed", Target: "a.bin", Reason: "r", Owner: "o"},
		}},
		Time: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
	}
	b, err := json.Marshal(d)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	var keys []string
	jsonKeys(t, "", v, &keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	want := []string{
		"allowed", "checks", "checks.[].findings", "checks.[].kind", "checks.[].outcome",
		"findings", "findings.[].actual", "findings.[].evidence", "findings.[].expected",
		"findings.[].line", "findings.[].message", "findings.[].outcome", "findings.[].path",
		"findings.[].remediation", "findings.[].rule", "findings.[].severity", "findings.[].target",
		"findings.[].waiver", "findings.[].waiver.expires", "findings.[].waiver.owner",
		"findings.[].waiver.reason", "findings.[].waiver.rule", "findings.[].waiver.target",
		"id", "inputs", "inputs.[].digest", "inputs.[].digest.sha256", "inputs.[].kind", "inputs.[].path", "inputs.[].role",
		"mediaType", "outcome", "policy", "policy.digest", "repo",
		"subjects", "subjects.[].digest", "subjects.[].digest.sha256", "subjects.[].name", "subjects.[].size", "time",
	}
	assert.Equal(t, want, keys)
	assert.Contains(t, string(b), `"mediaType":"application/vnd.hubgate.decision+json;version=0.1"`)
	for _, k := range keys {
		last := k[strings.LastIndex(k, ".")+1:]
		assert.Equal(t, strings.ToLower(last[:1]), last[:1], "key %s must start lower-case", k)
	}
}

// TestStandardLibraryOnly keeps policy free of heavy dependencies: every
// caller imports it.
func TestStandardLibraryOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			first := strings.Split(p, "/")[0]
			assert.NotContains(t, first, ".", "%s imports %s, which is not in the standard library", f, p)
		}
	}
}
