package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

// TestExampleFormatsParse: every minimal example of examples/formats (the
// README's "Input formats") is read without an evidence error: a user can
// start from it.
func TestExampleFormatsParse(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	base := []string{"eval", "--registry", filepath.Join(root, "first-repo", "registry.cue"), "--repo", "acme/first", "--now", evalNow,
		"--subject", filepath.Join(root, "first-repo", "app.tar.gz"), "--checksums", filepath.Join(root, "first-repo", "SHA256SUMS"), "-o", "json"}
	for _, tt := range []struct {
		kind  policy.EvidenceKind
		flags []string
	}{
		{policy.KindSBOM, []string{"--sbom", "sbom.cdx.json"}},
		{policy.KindVulnerabilities, []string{"--vulns", "grype.json"}},
		{policy.KindVEX, []string{"--vex", "openvex.json", "--vulns", "grype.json"}},
		{policy.KindVEX, []string{"--vex", "csaf-vex.json", "--vulns", "grype.json"}},
		{policy.KindEgress, []string{"--egress", "egress-report.json"}},
		{policy.KindReferrers, []string{"--referrers", "referrers.json"}},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			args := append([]string{}, base...)
			for i, f := range tt.flags {
				if i%2 == 1 {
					f = filepath.Join(root, "formats", f)
				}
				args = append(args, f)
			}
			code, out, errs := run(t, args...)
			require.Contains(t, []int{0, 1}, code, errs)
			var d policy.Decision
			require.NoError(t, json.Unmarshal([]byte(out), &d))
			for _, f := range d.Findings {
				assert.NotEqual(t, string(tt.kind)+".evidence", f.Rule, "%s: %s", f.Evidence, f.Message)
				assert.NotEqual(t, policy.OutcomeError, f.Outcome, "%s: %s", f.Rule, f.Message)
			}
			var inputs []string
			for _, in := range d.Inputs {
				inputs = append(inputs, string(in.Kind))
			}
			assert.Contains(t, inputs, string(tt.kind), "the file was read as %s", tt.kind)
		})
	}
}

// TestExampleVEXSuppresses: the example report's high vulnerability fails
// vulnerabilities.threshold, and each example VEX format (OpenVEX, CSAF 2.0)
// suppresses it the same way. (The example report names no digest, so
// vulnerabilities.bound fails throughout: that is another rule.)
func TestExampleVEXSuppresses(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	base := []string{"eval", "--registry", filepath.Join(root, "first-repo", "registry.cue"), "--repo", "acme/first", "--now", evalNow,
		"--subject", filepath.Join(root, "first-repo", "app.tar.gz"), "--checksums", filepath.Join(root, "first-repo", "SHA256SUMS"), "-o", "json",
		"--vulns", filepath.Join(root, "formats", "grype.json")}
	rules := func(extra ...string) []string {
		t.Helper()
		_, out, errs := run(t, append(append([]string{}, base...), extra...)...)
		var d policy.Decision
		require.NoError(t, json.Unmarshal([]byte(out), &d), errs)
		var got []string
		for _, f := range d.Findings {
			got = append(got, f.Rule+" "+f.Outcome.String())
		}
		return got
	}
	assert.Contains(t, rules(), "vulnerabilities.threshold fail", "without VEX")
	for _, v := range []string{"openvex.json", "csaf-vex.json"} {
		got := rules("--vex", filepath.Join(root, "formats", v))
		assert.NotContains(t, got, "vulnerabilities.threshold fail", v)
		assert.Contains(t, got, "vulnerabilities.vex_applied pass", v)
	}
}
