package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegistryList(t *testing.T) {
	code, out, errs := run(t, "registry", "list")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "REPO                                     TEAM  REQUIRE\n")
	assert.Contains(t, out, "\njguida941/ci-cd-hub                      -     checksums\n")

	code, out, errs = run(t, "registry", "list", "--json")
	require.Equal(t, 0, code, errs)
	var entries []registryListEntry
	require.NoError(t, json.Unmarshal([]byte(out), &entries))
	require.Len(t, entries, 4)
	assert.Equal(t, "jguida941/ci-cd-bst-demo-github-actions", entries[0].Repo, "sorted")

	dir := t.TempDir()
	reg := filepath.Join(dir, "r.cue")
	require.NoError(t, os.WriteFile(reg, []byte("teams: platform: {}\nrepos: \"acme/app\": {team: \"platform\", require: [\"checksums\", \"sbom\"]}\n"), 0o644))
	code, out, errs = run(t, "registry", "list", "--registry", reg)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "REPO      TEAM      REQUIRE\nacme/app  platform  checksums,sbom\n", out)

	code, _, errs = run(t, "registry", "list", "--registry", filepath.Join(dir, "missing"))
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errs, "--registry "+filepath.Join(dir, "missing")+": no such file or directory")
}

func TestUnknownRepoSuggests(t *testing.T) {
	args := release(t, "pass")
	args[2] = "jguida941/ci-cd-hbu"
	code, _, errs := run(t, args...)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errs, `unknown repo "jguida941/ci-cd-hbu" (did you mean jguida941/ci-cd-hub?)`)
	args[2] = "someone/else"
	_, _, errs = run(t, args...)
	assert.NotContains(t, errs, "did you mean")
}

func TestWaiverWithUnknownRuleSuggests(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "r.cue")
	for _, tt := range []struct {
		rule, want string
	}{
		{"checksums.lsted", `names rule "checksums.lsted", which no rule has, so it can never apply (did you mean checksums.listed?)`},
		{"checksums.listed", ""},
	} {
		src := "repos: \"jguida941/ci-cd-hub\": {require: [\"checksums\"], waivers: [{rule: \"" + tt.rule + "\", reason: \"r\", owner: \"o@x\", expires: \"2026-12-31\"}]}\n"
		require.NoError(t, os.WriteFile(reg, []byte(src), 0o644))
		code, _, errs := run(t, append(release(t, "pass"), "--registry", reg)...)
		require.Equal(t, 0, code, errs)
		if tt.want == "" {
			assert.NotContains(t, errs, "warning")
		} else {
			assert.Contains(t, errs, tt.want)
		}
	}
}
