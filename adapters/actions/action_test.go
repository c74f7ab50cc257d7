package actions

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestActionYAML checks the composite action's contract: its inputs and
// outputs, SHA-pinned uses:, and no ${{ }} expression inside a shell script
// (inputs reach scripts through env only, so they cannot inject shell).
func TestActionYAML(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	require.NoError(t, err)
	var action struct {
		Inputs  map[string]struct{ Default string } `yaml:"inputs"`
		Outputs map[string]struct{ Value string }   `yaml:"outputs"`
		Runs    struct {
			Using string `yaml:"using"`
			Steps []struct {
				Name string            `yaml:"name"`
				ID   string            `yaml:"id"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &action))
	assert.Equal(t, "composite", action.Runs.Using)
	for _, in := range []string{"registry", "policy", "repo", "checksums", "sbom", "vex", "vulns", "provenance", "signature", "subject", "github-token", "check-name", "sarif-file", "fail-on"} {
		assert.Contains(t, action.Inputs, in)
	}
	assert.Equal(t, "${{ github.token }}", action.Inputs["github-token"].Default)
	assert.Equal(t, "fail", action.Inputs["fail-on"].Default)
	for _, out := range []string{"outcome", "allowed", "decision-path"} {
		require.Contains(t, action.Outputs, out)
		assert.Equal(t, "${{ steps.eval.outputs."+out+" }}", action.Outputs[out].Value)
	}
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	builds := false
	for _, s := range action.Runs.Steps {
		if s.Uses != "" {
			assert.Regexp(t, pinned, s.Uses, s.Name)
			assert.Regexp(t, regexp.MustCompile(regexp.QuoteMeta(s.Uses)+` # v\d+\.\d+\.\d+`), string(b), "version comment for "+s.Uses)
		}
		assert.NotContains(t, s.Run, "${{", "step %q interpolates an expression into shell", s.Name)
		if strings.Contains(s.Run, "go build") && strings.Contains(s.Run, "./cmd/hubgate") {
			builds = true
			assert.Equal(t, "${{ github.action_path }}", s.Env["ACTION_PATH"])
		}
	}
	assert.True(t, builds, "builds hubgate at the action's ref")
}
