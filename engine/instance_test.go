package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// TestTimestampOnlyInstanceProvenance: provenance from a Sigstore instance
// that logs nothing (GitHub's own, for private repositories: its Fulcio and
// an RFC 3161 timestamp) passes through Evaluate with that instance's
// trusted root given as --trusted-root, and fails with the public-good-like
// root that lists a log, and when the timestamp is missing.
func TestTimestampOnlyInstanceProvenance(t *testing.T) {
	r := newBindRelease(t)
	registry := `repos: "acme/app": {require: ["checksums", "provenance"], provenance: builders: ["https://github.com/actions/runner/github-hosted"]}`
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":            "https://actions.github.io/buildtypes/workflow/v1",
			"externalParameters":   map[string]any{"workflow": map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"}},
			"internalParameters":   map[string]any{"github": map[string]any{"event_name": "push"}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/acme/app@refs/tags/v1.2.3", "digest": map[string]any{"gitCommit": trusttest.DefaultCommit}}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": "https://github.com/actions/runner/github-hosted"},
			"metadata": map[string]any{"startedOn": r.at(-time.Hour)}},
	}
	st := trusttest.Statement(t, "https://slsa.dev/provenance/v1", pred, map[string]string{"app.tar.gz": r.digest})
	stamped := r.write("stamped.sigstore.json", string(r.ss.DSSEBundle(t, r.releaseSAN, r.releaseIss, st, trusttest.BundleOptions{NoTlog: true, TSA: true})))
	bare := r.write("bare.sigstore.json", string(r.ss.DSSEBundle(t, r.releaseSAN, r.releaseIss, st, trusttest.BundleOptions{NoTlog: true})))
	instanceRoot := r.write("instance-root.json", string(r.ss.RootWithoutLogs(t)))

	failed := func(d *policy.Decision) []string {
		var out []string
		for _, f := range d.Findings {
			if !f.Outcome.Allowed() {
				out = append(out, f.Rule)
			}
		}
		return out
	}

	r.root = instanceRoot
	d := r.eval(registry, []Item{{Kind: policy.KindProvenance, Path: stamped}}, true)
	assert.True(t, d.Allowed, "with the instance's root: %v", failed(d))

	d = r.eval(registry, []Item{{Kind: policy.KindProvenance, Path: bare}}, true)
	assert.False(t, d.Allowed)
	assert.Contains(t, failed(d), "provenance.signed", "no timestamp")

	r.root = r.write("logged-root.json", string(r.ss.RootJSON))
	d = r.eval(registry, []Item{{Kind: policy.KindProvenance, Path: stamped}}, true)
	require.False(t, d.Allowed)
	assert.Contains(t, failed(d), "provenance.signed", "a root with a log requires a log entry")
}
