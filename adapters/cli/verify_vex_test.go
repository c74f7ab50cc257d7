package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/cli"
)

// runVEX runs hubgate in process and returns its exit code, stdout and stderr.
func runVEX(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

const vexDemoDigest = "sha256:1274fc170770be8c3348dedc6b8ca6e3ff04f944fce866c1a96bc422ba635106"

// vexMalformed is a file that opens but is no JSON.
var vexMalformed = vexFixture("releases/pass/SHA256SUMS")

func vexFixture(name string) string { return filepath.Join("..", "..", "fixtures", name) }

func TestVerifyVEX(t *testing.T) {
	type finding struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		Suppressed bool   `json:"suppressed"`
		Decision   *struct {
			Evidence string `json:"evidence"`
			Path     string `json:"path"`
		} `json:"decision"`
		NearMisses []struct {
			Reason string `json:"reason"`
		} `json:"near_misses"`
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		suppressed map[string]bool
		nearMiss   string
		stderr     string
	}{
		{
			name:       "hub vex bound to the subject",
			args:       []string{"--vex", vexFixture("vex/hub-vex.cdx.json"), "--subject-digest", vexDemoDigest},
			suppressed: map[string]bool{"CVE-2025-0001": true, "CVE-2024-9999": false},
		},
		{
			name:       "hub vex for another product: CVE-2025-0001 fails the threshold",
			args:       []string{"--vex", vexFixture("vex/hub-vex-other-product.cdx.json"), "--subject-digest", "demo=" + vexDemoDigest},
			wantCode:   1,
			suppressed: map[string]bool{"CVE-2025-0001": false, "CVE-2024-9999": false},
			nearMiss:   "another artifact",
		},
		{
			// The statuses use the digest the report scanned; the report is
			// bound to no release subject, so eval denies.
			name:       "no subject digest: the report is not bound, eval denies",
			args:       []string{"--vex", vexFixture("vex/hub-vex.cdx.json")},
			wantCode:   1,
			suppressed: map[string]bool{"CVE-2025-0001": true, "CVE-2024-9999": false},
			stderr:     "not bound to the release: no release subject was given",
		},
		{
			name:       "the org's default maximum age (8760h): the 2024 statement is too old",
			args:       []string{"--vex", vexFixture("vex/hub-vex.cdx.json"), "--subject-digest", vexDemoDigest, "--vex-max-age", ""},
			wantCode:   1,
			suppressed: map[string]bool{"CVE-2025-0001": false, "CVE-2024-9999": false},
			nearMiss:   "older than the maximum age 8760h0m0s",
		},
		{
			name:       "malformed vex is reported, statuses still printed, exit 1",
			args:       []string{"--vex", vexFixture("vex/hub-vex.cdx.json"), "--vex", vexMalformed, "--subject-digest", vexDemoDigest},
			wantCode:   1,
			suppressed: map[string]bool{"CVE-2025-0001": true, "CVE-2024-9999": false},
			stderr:     "hubgate: verify vex: " + vexMalformed + ":1: parse vex",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The fixtures' statements are from 2024: a ten-year maximum age
			// keeps them in age.
			args := append([]string{"verify", "vex", "-o", "json", "--now", "2026-11-28T00:00:00Z", "--vex-max-age", "87600h",
				"--vulns", vexFixture("vulns/hub-sbom-scan.grype.json")}, tt.args...)
			code, stdout, stderr := runVEX(t, args...)
			require.Equal(t, tt.wantCode, code, stderr)
			var res struct {
				Findings []finding `json:"findings"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
			require.Len(t, res.Findings, len(tt.suppressed))
			for _, f := range res.Findings {
				assert.Equal(t, tt.suppressed[f.ID], f.Suppressed, f.ID)
				if f.Suppressed {
					require.NotNil(t, f.Decision)
					assert.Equal(t, "vulnerabilities[0]", f.Decision.Path)
				}
			}
			if tt.nearMiss != "" {
				require.NotEmpty(t, res.Findings[0].NearMisses)
				assert.Contains(t, res.Findings[0].NearMisses[0].Reason, tt.nearMiss)
			}
			if tt.stderr != "" {
				assert.Contains(t, stderr, tt.stderr)
			}
		})
	}
}

func TestVerifyVEXText(t *testing.T) {
	code, stdout, stderr := runVEX(t, "verify", "vex", "--now", "2026-11-28T00:00:00Z", "--vulns", vexFixture("vulns/hub-sbom-scan.grype.json"),
		"--vex", vexFixture("vex/hub-vex.cdx.json"), "--subject-digest", vexDemoDigest, "--vex-max-age", "87600h")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "ALLOWED  verify/vex", "the decision follows the statuses")
	assert.Contains(t, stdout, "PASSED: verified vulnerabilities for subject-1")
	assert.Contains(t, stdout, "VULNERABILITY")
	assert.Regexp(t, `CVE-2025-0001 .* not_affected \(suppressed\) .*vulnerabilities\[0\]`, stdout)
	assert.Regexp(t, `CVE-2024-9999 .* none .*no VEX statement names CVE-2024-9999`, stdout)
}

func TestVerifyVEXUsage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no vulns", []string{"verify", "vex", "--vex", "x.json"}, "--vulns is required"},
		{"bad output", []string{"verify", "vex", "--vulns", "x.json", "-o", "sarif"}, "want text or json"},
		{"bad digest", []string{"verify", "vex", "--vulns", "x.json", "--subject-digest", "sha256:xyz"}, "--subject-digest"},
		{"bad now", []string{"verify", "vex", "--vulns", "x.json", "--now", "yesterday"}, "--now"},
		{"unreadable report", []string{"verify", "vex", "--vulns", "nope.json"}, "--vulns nope.json: no such file or directory"},
		{"unreadable vex", []string{"verify", "vex", "--vulns", vexFixture("vulns/grype-report.sample.json"), "--vex", "."}, "--vex .: is a directory, want a file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runVEX(t, tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tt.want)
			assert.Empty(t, stdout)
		})
	}
}

// TestVerifyVEXMaxFileSize: --max-file-size bounds each input, as eval's
// does: a report over it is not read, exit 1.
func TestVerifyVEXMaxFileSize(t *testing.T) {
	code, _, stderr := runVEX(t, "verify", "vex", "--vulns", vexFixture("vulns/hub-sbom-scan.grype.json"), "--subject-digest", vexDemoDigest, "--max-file-size", "100")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "size limit")
	code, _, stderr = runVEX(t, "verify", "vex", "--vulns", vexFixture("vulns/hub-sbom-scan.grype.json"), "--subject-digest", vexDemoDigest, "--max-file-size", "0")
	assert.Equal(t, 2, code, stderr)
}

// TestVerifyVEXMalformedReport: a report that opens but does not parse is
// evidence, exit 1, not a usage error.
func TestVerifyVEXMalformedReport(t *testing.T) {
	code, _, stderr := runVEX(t, "verify", "vex", "--vulns", vexMalformed)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, vexMalformed+":1: parse vulnerability report")
	assert.Contains(t, stderr, "no vulnerability report could be parsed")
}
