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
			assert.Empty(t, c.Images)
		}},
		{name: "images", in: `{images: {"ghcr.io/acme": {repos: ["acme/api"]}, "docker.io/library/nginx": {repos: ["acme/web", "acme/api"], policy_digests: ["sha256:` + digA[7:] + `"], required_levels: ["SLSA_BUILD_LEVEL_1"]}, "localhost:5000/x": repos: ["a/b"]}}`,
			check: func(t *testing.T, c admission.Config) {
				assert.Equal(t, admission.ImageMapping{Repos: []string{"acme/api"}, PolicyDigests: []string{}, RequiredLevels: []string{}}, c.Images["ghcr.io/acme"])
				assert.Equal(t, admission.ImageMapping{Repos: []string{"acme/web", "acme/api"}, PolicyDigests: []string{digA}, RequiredLevels: []string{"SLSA_BUILD_LEVEL_1"}}, c.Images["docker.io/library/nginx"])
				assert.Len(t, c.Images, 3)
			}},
		{name: "full", in: `{namespaces: dev: {mode: "audit", failure: "open"}, namespaces: prod: {}, registries: ["ghcr.io/acme"], vsa: {max_age: "24h", policy_digests: ["sha256:` + digA[7:] + `"], verifier_id: "https://ci"}}`,
			check: func(t *testing.T, c admission.Config) {
				assert.Equal(t, admission.NamespaceConfig{Mode: admission.ModeAudit, Failure: admission.FailOpen}, c.Namespaces["dev"])
				assert.Equal(t, admission.NamespaceConfig{Mode: admission.ModeEnforce, Failure: admission.FailClosed}, c.Namespaces["prod"])
				assert.Equal(t, admission.Duration(24*time.Hour), c.VSA.MaxAge)
				assert.Equal(t, "https://ci", c.VSA.VerifierID)
			}},
		{name: "waivers", in: `{waivers: [{rule: "admission.vsa", target: "api", reason: "summary store migration", owner: "platform", expires: "2026-12-31"}]}`,
			check: func(t *testing.T, c admission.Config) {
				require.Len(t, c.Waivers, 1)
				ws := c.PolicyWaivers()
				require.Len(t, ws, 1)
				assert.Equal(t, "api", ws[0].Target)
				assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ws[0].Expires, "a date is valid through that whole UTC day")
			}},
		{name: "waiver of a release rule", in: `{waivers: [{rule: "checksums.listed", reason: "r", owner: "o", expires: "2026-12-31"}]}`, wantErr: true},
		{name: "waiver without owner", in: `{waivers: [{rule: "admission.vsa", reason: "r", owner: "", expires: "2026-12-31"}]}`, wantErr: true},
		{name: "waiver with a bad expiry", in: `{waivers: [{rule: "admission.vsa", reason: "r", owner: "o", expires: "soon"}]}`, wantErr: true},
		{name: "bad mode", in: `{default_mode: "warn"}`, wantErr: true},
		{name: "bad failure", in: `{namespaces: a: failure: "maybe"}`, wantErr: true},
		{name: "bad namespace name", in: `{namespaces: "Not_A_Namespace": {}}`, wantErr: true},
		{name: "bad duration", in: `{vsa: max_age: "7d"}`, wantErr: true},
		{name: "zero duration", in: `{vsa: max_age: "0s"}`, wantErr: true},
		{name: "bad digest", in: `{vsa: policy_digests: ["sha256:AB"]}`, wantErr: true},
		{name: "registry with scheme", in: `{registries: ["oci://ghcr.io"]}`, wantErr: true},
		{name: "image without repos", in: `{images: "ghcr.io/acme": {repos: []}}`, wantErr: true},
		{name: "image repo not owner/name", in: `{images: "ghcr.io/acme": {repos: ["acme"]}}`, wantErr: true},
		{name: "image prefix not normalised", in: `{images: "nginx": {repos: ["acme/api"]}}`, wantErr: true},
		{name: "image prefix with tag", in: `{images: "ghcr.io/acme/api:1": {repos: ["acme/api"]}}`, wantErr: true},
		{name: "image prefix with trailing slash", in: `{images: "ghcr.io/acme/": {repos: ["acme/api"]}}`, wantErr: true},
		{name: "image unknown field", in: `{images: "ghcr.io/acme": {repos: ["acme/api"], repo: "x"}}`, wantErr: true},
		{name: "image bad policy digest", in: `{images: "ghcr.io/acme": {repos: ["acme/api"], policy_digests: ["sha256:AB"]}}`, wantErr: true},
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

// TestDefaultRegistryImages: the embedded default registry maps the hub's
// images to their repos, so `webhook serve` without --registry starts in
// enforce mode.
func TestDefaultRegistryImages(t *testing.T) {
	reg, err := registry.LoadDefault()
	require.NoError(t, err)
	var raw json.RawMessage
	require.NoError(t, reg.Section("admission", &raw))
	c, err := admission.ParseConfig(raw)
	require.NoError(t, err)
	_, err = c.CheckServe()
	require.NoError(t, err)
	p, m, ok := c.MatchImage("ghcr.io/jguida941/ci-cd-bst-demo-github-actions/api")
	require.True(t, ok)
	assert.Equal(t, "ghcr.io/jguida941/ci-cd-bst-demo-github-actions", p)
	assert.Equal(t, []string{"jguida941/ci-cd-bst-demo-github-actions"}, m.Repos)
	for prefix, m := range c.Images {
		for _, name := range m.Repos {
			_, err := reg.Repo(name)
			assert.NoError(t, err, "%s: mapped repo %s is in the registry", prefix, name)
		}
	}
	_, _, ok = c.MatchImage("ghcr.io/jguida941/other/api")
	assert.False(t, ok)
}
