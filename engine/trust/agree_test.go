package trust_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust"
	hubrego "github.com/cicd-hub/hubgate/rego"
)

func toAny(ss []string) []any {
	out := []any{}
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

// TestRegoIdentityAgrees checks that hub.lib.signer_ok, the one identity
// judge of every Rego rule, decides as an independent Go oracle
// (trust.MatchIdentity, test-only: export_test.go) does, and that
// trust.DefaultIdentity is the Rego default.
func TestRegoIdentityAgrees(t *testing.T) {
	var mods []func(*rego.Rego)
	for _, f := range []string{"lib.rego"} {
		b, err := fs.ReadFile(hubrego.FS, f)
		require.NoError(t, err)
		mods = append(mods, rego.Module(f, string(b)))
	}
	const iss = "https://token.actions.githubusercontent.com"
	const san = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
	patterns := [][]trust.Identity{
		nil, // the default: the release workflow at a tag, run in the repo
		{{Issuer: `https://token\.actions\.githubusercontent\.com`, Subject: `https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*`}},
		{{Issuer: `.*`, Subject: `https://github\.com/acme/app/`}},
		{{Issuer: `x|https://token\.actions\.githubusercontent\.com`, Subject: `y|https://github\.com/.*`}},
		{{Issuer: `(`, Subject: `.*`}},
		{{Issuer: `^https://token\.actions\.githubusercontent\.com$`, Subject: `^https://github\.com/acme/.*$`}},
		{{Issuer: `.*`, Subject: `.*`, SourceRepositoryURI: `https://github\.com/acme/app`, BuildTrigger: `push`}},
		{{Issuer: `.*`, Subject: `.*`, SourceRepositoryRef: `refs/tags/.+`, BuildSignerURI: `https://github\.com/acme/.*`}},
		{{Issuer: `.*`, Subject: `.*`, BuildTrigger: `(`}},
	}
	sans := []string{san, "https://evil.example/" + san, "https://github.com/acme/app/.github/workflows/pr.yml@refs/tags/v1", "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/evil", "https://githubXcom/acme/app/.github/workflows/x.yml", ""}
	own := trust.Claims{SourceRepositoryURI: "https://github.com/acme/app", SourceRepositoryRef: "refs/tags/v1.2.3", BuildSignerURI: san, BuildTrigger: "push"}
	foreign, branch := own, own
	foreign.SourceRepositoryURI = "https://github.com/evil/caller"
	branch.SourceRepositoryRef = "refs/heads/evil"
	claims := []trust.Claims{own, foreign, branch, {}}
	for _, ids := range patterns {
		for _, s := range sans {
			for _, is := range []string{iss, iss + ".evil", ""} {
				for _, c := range claims {
					goIDs := ids
					if goIDs == nil {
						goIDs = []trust.Identity{trust.DefaultIdentity("acme/app", "", "")}
					}
					_, want := trust.MatchIdentity(goIDs, is, s, c)
					regIDs := []any{}
					for _, id := range ids {
						regIDs = append(regIDs, map[string]any{"issuer": id.Issuer, "subject": id.Subject,
							"source_repository_uri": id.SourceRepositoryURI, "source_repository_ref": id.SourceRepositoryRef,
							"build_signer_uri": id.BuildSignerURI, "build_trigger": id.BuildTrigger})
					}
					signer := map[string]any{"issuer": is, "san": s, "claims": map[string]any{
						"source_repository_uri": c.SourceRepositoryURI, "source_repository_ref": c.SourceRepositoryRef,
						"build_signer_uri": c.BuildSignerURI, "build_trigger": c.BuildTrigger,
					}}
					opts := append([]func(*rego.Rego){
						rego.Query(`data.hub.lib.signer_ok(input.signer)`),
						rego.Input(map[string]any{"repo": "acme/app", "signer": signer}),
						rego.Data(map[string]any{"hub": map[string]any{"repo": map[string]any{"provenance": map[string]any{"identities": regIDs}}}}),
					}, mods...)
					rs, err := rego.New(opts...).Eval(context.Background())
					require.NoError(t, err)
					assert.Equal(t, want, len(rs) > 0, "ids %v, issuer %q, san %q, claims %+v", ids, is, s, c)
				}
			}
		}
	}
}
