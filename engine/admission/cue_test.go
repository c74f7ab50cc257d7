package admission_test

import (
	"encoding/json"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/registry"
)

// TestRegistrySection checks that the registry's top-level admission section
// (cue/section_admission.cue) and [admission.Config] agree: what the registry
// accepts decodes, with the same defaults, and what it refuses fails to load.
func TestRegistrySection(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		check   func(t *testing.T, c admission.Config)
	}{
		{name: "empty is the default", in: `{}`, check: func(t *testing.T, c admission.Config) {
			assert.Equal(t, admission.DefaultConfig().Exempt, c.Exempt)
			assert.Equal(t, admission.ModeEnforce, c.DefaultMode)
			assert.Equal(t, admission.Duration(168*time.Hour), c.VSA.MaxAge)
			assert.Empty(t, c.Registries)
		}},
		{name: "full", in: `{namespaces: dev: {mode: "audit", failure: "open"}, namespaces: prod: {}, registries: ["ghcr.io/acme"], vsa: {max_age: "24h", policy_digests: ["sha256:` + digA[7:] + `"], verifier_id: "https://ci"}}`,
			check: func(t *testing.T, c admission.Config) {
				assert.Equal(t, admission.NamespaceConfig{Mode: admission.ModeAudit, Failure: admission.FailOpen}, c.Namespaces["dev"])
				assert.Equal(t, admission.NamespaceConfig{Mode: admission.ModeEnforce, Failure: admission.FailClosed}, c.Namespaces["prod"])
				assert.Equal(t, admission.Duration(24*time.Hour), c.VSA.MaxAge)
				assert.Equal(t, "https://ci", c.VSA.VerifierID)
			}},
		{name: "bad mode", in: `{default_mode: "warn"}`, wantErr: true},
		{name: "bad failure", in: `{namespaces: a: failure: "maybe"}`, wantErr: true},
		{name: "bad namespace name", in: `{namespaces: "Not_A_Namespace": {}}`, wantErr: true},
		{name: "bad duration", in: `{vsa: max_age: "7d"}`, wantErr: true},
		{name: "zero duration", in: `{vsa: max_age: "0s"}`, wantErr: true},
		{name: "bad digest", in: `{vsa: policy_digests: ["sha256:AB"]}`, wantErr: true},
		{name: "registry with scheme", in: `{registries: ["oci://ghcr.io"]}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "repos: \"acme/app\": {}\nadmission: " + tc.in + "\n"
			reg, err := registry.Load(fstest.MapFS{"registry.cue": {Data: []byte(src)}}, "registry.cue")
			if tc.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "registry.cue:2:")
				return
			}
			require.NoError(t, err)
			var raw json.RawMessage
			require.NoError(t, reg.Section("admission", &raw))
			c, err := admission.ParseConfig(raw)
			require.NoError(t, err, string(raw))
			tc.check(t, c)
		})
	}
}
