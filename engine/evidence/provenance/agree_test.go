package provenance_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	"github.com/cicd-hub/hubgate/engine/trust"
	hubrego "github.com/cicd-hub/hubgate/rego"
)

// TestRegoAgrees checks that BuilderTrusted and RefAllowed (used by
// `hubgate verify provenance`) decide as the Rego rules
// provenance.builder_trusted and provenance.ref do.
func TestRegoAgrees(t *testing.T) {
	var mods []func(*rego.Rego)
	for _, f := range []string{"lib.rego", "signature.rego", "provenance.rego"} {
		b, err := fs.ReadFile(hubrego.FS, f)
		require.NoError(t, err)
		mods = append(mods, rego.Module(f, string(b)))
	}
	ctx := context.Background()
	eval := func(t *testing.T, rule string, builders, refs []string, builderID, ref string) int {
		t.Helper()
		name, bref := provenance.SplitBuilderID(builderID)
		input := map[string]any{
			"repo": "acme/app", "subjects": []any{},
			"provenance": map[string]any{"present": true, "problems": []any{}, "files": []any{"p"}, "trusted_root": "embedded", "attestations": []any{map[string]any{
				"file": "p", "path": "", "line": 0, "verified": true, "keyed": true, "issuer": "", "san": "", "expired_trust": []any{},
				"statement": map[string]any{"predicate_type": provenance.PredicateSLSAv1, "subjects": []any{}, "builder_id": builderID, "builder_name": name, "builder_ref": bref,
					"source": map[string]any{"uri": "github.com/acme/app", "ref": ref, "path": "p"}},
			}}},
		}
		repo := map[string]any{"provenance": map[string]any{"builders": toAny(builders), "refs": toAny(refs)}}
		opts := append([]func(*rego.Rego){rego.Query("count(data.hub.provenance." + rule + ")"), rego.Input(input),
			rego.Data(map[string]any{"hub": map[string]any{"repo": repo}})}, mods...)
		rs, err := rego.New(opts...).Eval(ctx)
		require.NoError(t, err)
		require.Len(t, rs, 1)
		n, err := rs[0].Expressions[0].Value.(interface{ Int64() (int64, error) }).Int64()
		require.NoError(t, err)
		return int(n)
	}
	// One list of default builders: Rego's is Go's.
	rs, err := rego.New(append([]func(*rego.Rego){rego.Query("data.hub.provenance.default_builders"), rego.Input(map[string]any{"repo": "acme/app"})}, mods...)...).Eval(ctx)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, toAny(provenance.DefaultBuilders), rs[0].Expressions[0].Value)
	// One short-tag pattern.
	rs, err = rego.New(append([]func(*rego.Rego){rego.Query("data.hub.provenance.short_tag"), rego.Input(map[string]any{"repo": "acme/app"})}, mods...)...).Eval(ctx)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, provenance.ShortTag.String(), rs[0].Expressions[0].Value)
	rs, err = rego.New(append([]func(*rego.Rego){rego.Query("data.hub.provenance.release_tag"), rego.Input(map[string]any{"repo": "acme/app"})}, mods...)...).Eval(ctx)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, provenance.ReleaseTagRef.String(), rs[0].Expressions[0].Value)
	gen := provenance.DefaultBuilders[0]
	ids := []string{gen + "@refs/tags/v2.0.0", gen + "@refs/heads/main", gen, gen + "@refs/tags/v2.0.0-rc.1", "https://github.com/actions/runner/github-hosted", provenance.DefaultBuilders[3] + "@refs/tags/v1.9.0", "",
		gen + "@refs/heads/v2.0.0", gen + "@v2.0.0", gen + "@refs/tags/main", gen + "@main", gen + "@refs/tags/v02.0.0"}
	builderLists := [][]string{nil, {gen}, {gen + "@refs/tags/v2.0.0"}, {"https://github.com/actions/runner/github-hosted"},
		{gen + "@v2.0.0"}, {gen + "@main"}, {gen + "@v2.0.0-rc.1"}, {gen + "@v02.0.0"}, {gen + "@refs/heads/main"}}
	for _, builders := range builderLists {
		for _, id := range ids {
			want := provenance.BuilderTrusted(builders, id)
			got := eval(t, "builder_trusted", builders, nil, id, "refs/tags/v1") == 0
			assert.Equal(t, want, got, "builders %v, id %q", builders, id)
		}
	}
	for _, refs := range [][]string{{"refs/tags/v*"}, {"refs/heads/main", "refs/tags/*"}} {
		for _, ref := range []string{"refs/tags/v1.2.3", "refs/heads/main", "refs/tags/v1/x", "refs/heads/dev", ""} {
			want := provenance.RefAllowed(refs, ref)
			got := eval(t, "ref", nil, refs, gen+"@refs/tags/v2.0.0", ref) == 0
			assert.Equal(t, want, got, "refs %v, ref %q", refs, ref)
		}
	}
}

func toAny(ss []string) []any {
	out := []any{}
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

// TestRegoIdentityAgrees checks trust.MatchIdentity (the verify commands)
// and hub.signature.signer_ok (every Rego rule) decide alike, and that
// trust.DefaultIdentity is the Rego default.
func TestRegoIdentityAgrees(t *testing.T) {
	var mods []func(*rego.Rego)
	for _, f := range []string{"lib.rego", "signature.rego"} {
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
						rego.Query(`data.hub.signature.signer_ok(input.signer)`),
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
