package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

// evalVerdictOf runs eval and returns its exit code and the rule ids of the
// failing findings of kinds, sorted; a failure of another kind makes the
// verdicts incomparable.
func evalVerdictOf(t *testing.T, kinds []policy.EvidenceKind, args []string) (int, []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "decision.json")
	code, stdout, errs := run(t, append(args, "-o", "json="+out)...)
	require.Contains(t, []int{0, 1}, code, "stdout: %s\nstderr: %s", stdout, errs)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var d policy.Decision
	require.NoError(t, json.Unmarshal(b, &d))
	ids := []string{}
	for _, f := range d.Findings {
		if o := f.Effective(); o == policy.OutcomeFail || o == policy.OutcomeError {
			require.Contains(t, kinds, f.Kind(), "eval failed outside %v, so its verdict is not comparable: %+v", kinds, f)
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	return code, slices.Compact(ids)
}

// TestVerifyVEXIsEval: verify vex gives the verdict and the failing rules
// that eval gives on the same files, with the registry entry verify vex
// documents for its flags (its --help): a repo requiring vulnerabilities
// with the org's defaults, --vex-max-age setting the org's vex_max_age.
func TestVerifyVEXIsEval(t *testing.T) {
	dir := t.TempDir()
	const now = "2026-11-28T00:00:00Z"
	const product = "pkg:oci/demo@" + vexDemoDigest
	openVEX := func(name, timestamp, statement string) string {
		return write(t, dir, name, []byte(`{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/`+name+`",
  "author": "Demo Security",
  "timestamp": "`+timestamp+`",
  "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2025-0001"}, "products": [{"@id": "`+product+`"}], `+statement+`}]
}
`))
	}
	justified := openVEX("justified.json", "2026-11-01T00:00:00Z", `"status": "not_affected", "justification": "component_not_present"`)
	unjustified := openVEX("unjustified.json", "2026-11-01T00:00:00Z", `"status": "not_affected"`)
	future := openVEX("future.json", "2026-12-25T00:00:00Z", `"status": "not_affected", "justification": "component_not_present"`)
	bound := vexFixture("vulns/hub-sbom-scan.grype.json")
	unbound := vexFixture("vulns/grype-report.sample.json")
	hub := vexFixture("vex/hub-vex.cdx.json") // its statements are from 2024
	sums := write(t, dir, "SHA256SUMS", []byte(strings.TrimPrefix(vexDemoDigest, "sha256:")+"  demo\n"))

	tests := []struct {
		name      string
		vulns     string
		vex       []string
		sbom      string
		maxAge    string // --vex-max-age, and the org's vex_max_age
		wantCode  int
		wantRules []string
	}{
		{name: "suppressed by a justified statement", vulns: bound, vex: []string{justified}, wantCode: 0, wantRules: []string{}},
		{name: "no VEX: over the threshold", vulns: bound, wantCode: 1, wantRules: []string{"vulnerabilities.threshold"}},
		{name: "not_affected without a justification", vulns: bound, vex: []string{unjustified}, wantCode: 1,
			wantRules: []string{"vulnerabilities.threshold"}}, // vex.justification_missing warns
		{name: "report not bound to the subject", vulns: unbound, vex: []string{justified}, wantCode: 1, wantRules: []string{"vulnerabilities.bound"}},
		{name: "malformed VEX", vulns: bound, vex: []string{justified, vexMalformed}, wantCode: 1, wantRules: []string{"vex.evidence"}},
		{name: "malformed report", vulns: vexMalformed, vex: []string{justified}, wantCode: 1},
		{name: "statements older than the default maximum age", vulns: bound, vex: []string{hub}, wantCode: 1, wantRules: []string{"vulnerabilities.threshold"}},
		{name: "statements within --vex-max-age", vulns: bound, vex: []string{hub}, maxAge: "87600h", wantCode: 0, wantRules: []string{}},
		{name: "statements older than --vex-max-age", vulns: bound, vex: []string{justified}, maxAge: "24h", wantCode: 1, wantRules: []string{"vulnerabilities.threshold"}},
		{name: "statement after the evaluation time", vulns: bound, vex: []string{future}, wantCode: 1},
		{name: "with an SBOM", vulns: bound, vex: []string{justified}, sbom: vexFixture("sbom/demo.cdx.json")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vargs := []string{"verify", "vex", "--vulns", tc.vulns, "--subject-digest", "demo=" + vexDemoDigest, "--now", now}
			eargs := []string{"eval", "--repo", "acme/app", "--subject-digest", "demo=" + vexDemoDigest, "--checksums", sums,
				"--vulns", tc.vulns, "--now", now}
			kinds := []policy.EvidenceKind{policy.KindVulnerabilities}
			for _, v := range tc.vex {
				vargs = append(vargs, "--vex", v)
				eargs = append(eargs, "--vex", v)
			}
			if len(tc.vex) > 0 {
				kinds = append(kinds, policy.KindVEX)
			}
			if tc.sbom != "" {
				vargs = append(vargs, "--sbom", tc.sbom)
				eargs = append(eargs, "--sbom", tc.sbom)
				kinds = append(kinds, policy.KindSBOM)
			}
			org := ""
			if tc.maxAge != "" {
				vargs = append(vargs, "--vex-max-age", tc.maxAge)
				org = `org: vulnerabilities: vex_max_age: "` + tc.maxAge + `"` + "\n"
			}
			reg := write(t, t.TempDir(), "registry.cue", []byte(org+`repos: "acme/app": require: ["checksums", "vulnerabilities"]`+"\n"))
			eargs = append(eargs, "--registry", reg)

			vcode, vids := verifyVerdict(t, vargs)
			ecode, eids := evalVerdictOf(t, kinds, eargs)
			assert.Equal(t, ecode, vcode, "verify and eval disagree on the verdict")
			assert.Equal(t, eids, vids, "verify and eval disagree on the failing rules")
			if tc.sbom == "" {
				assert.Equal(t, tc.wantCode, vcode)
				if tc.wantRules != nil {
					assert.Equal(t, tc.wantRules, vids)
				}
			}
		})
	}
}
