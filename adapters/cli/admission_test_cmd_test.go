package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

const secureDigest = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// vsaDir signs a summary with the given result for the secure fixture's
// image digest and returns the folder and the public key file.
func vsaDir(t *testing.T, allowed bool) (dir, pub string) {
	t.Helper()
	k, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	dir = t.TempDir()
	pub = filepath.Join(t.TempDir(), "k.pub")
	require.NoError(t, os.WriteFile(pub, k.Public().MarshalPEM(), 0o644))
	now, _ := time.Parse(time.RFC3339, evalNow)
	s := policy.Subject{Name: "api", Digest: policy.Digest{"sha256": secureDigest}}
	outcome := policy.OutcomePass
	if !allowed {
		outcome = policy.OutcomeFail
	}
	d := &policy.Decision{MediaType: policy.DecisionMediaType, Outcome: outcome, Allowed: allowed, Repo: "jguida941/ci-cd-bst-demo-github-actions",
		Subjects: []policy.Subject{s}, Policy: policy.PolicyRef{Digest: "sha256:" + strings.Repeat("1", 64)}, Time: now}
	b, err := vsa.Sign(d, s, k, vsa.Options{})
	require.NoError(t, err)
	name, err := vsa.FileName(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	return dir, pub
}

func TestAdmissionTest(t *testing.T) {
	fx := filepath.Join("..", "..", "fixtures", "admission")
	secure := filepath.Join(fx, "deployment_secure.yaml")
	passDir, passPub := vsaDir(t, true)
	failDir, failPub := vsaDir(t, false)
	_, otherPub := vsaDir(t, true)

	for _, tt := range []struct {
		name  string
		args  []string
		code  int
		want  string
		wantE string
	}{
		{"secure with a PASSED summary", []string{"-f", secure, "--vsa-dir", passDir, "--vsa-key", passPub}, 0, "ALLOWED  admission  outcome=pass", ""},
		{"secure without summaries fails closed", []string{"-f", secure}, 1, "FAIL admission.vsa (critical)", ""},
		{"FAILED summary", []string{"-f", secure, "--vsa-dir", failDir, "--vsa-key", failPub}, 1, "FAIL admission.vsa", ""},
		{"summary signed by another key", []string{"-f", secure, "--vsa-dir", passDir, "--vsa-key", otherPub}, 1, "FAIL admission.vsa", ""},
		{"tagged image", []string{"-f", filepath.Join(fx, "deployment_tagged.yaml"), "--vsa-dir", passDir, "--vsa-key", passPub}, 1, "FAIL admission.digest_pinned", ""},
		{"static secret", []string{"-f", filepath.Join(fx, "deployment_secret_env.yaml")}, 1, "FAIL admission.secretless", ""},
		{"a directory", []string{"-f", fx}, 1, "deployment_tagged.yaml", ""},
		{"missing file", []string{"-f", filepath.Join(fx, "nope.yaml")}, 2, "", "--file " + filepath.Join(fx, "nope.yaml") + ": no such file or directory"},
		{"vsa-dir without key", []string{"-f", secure, "--vsa-dir", passDir}, 2, "", "--vsa-dir and --vsa-key go together"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"admission", "test", "--now", evalNow}, tt.args...)...)
			assert.Equal(t, tt.code, code, "%s%s", stdout, stderr)
			assert.Contains(t, stdout, tt.want)
			assert.Contains(t, stderr, tt.wantE)
		})
	}

	// Malformed manifests are exit 2, naming the file and document.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\n---\nkind: [\n"), 0o644))
	code, _, stderr := run(t, "admission", "test", "-f", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, bad+": document 2:")

	// Every output format; JSON is a decision.
	code, stdout, _ := run(t, "admission", "test", "--now", evalNow, "-f", secure, "-o", "json")
	require.Equal(t, 1, code)
	var d policy.Decision
	require.NoError(t, json.Unmarshal([]byte(stdout), &d))
	assert.False(t, d.Allowed)
	assert.Equal(t, "admission.vsa", d.Findings[0].Rule)
	for _, f := range []string{"sarif", "junit", "markdown", "github"} {
		code, out, errs := run(t, "admission", "test", "--now", evalNow, "-f", secure, "-o", f)
		assert.Equal(t, 1, code, errs)
		assert.Contains(t, out, "admission.vsa", f)
	}
	// Deterministic.
	_, a1, _ := run(t, "admission", "test", "--now", evalNow, "-f", fx, "-o", "json")
	_, a2, _ := run(t, "admission", "test", "--now", evalNow, "-f", fx, "-o", "json")
	assert.Equal(t, a1, a2)
}
