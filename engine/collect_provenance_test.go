package engine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/cli"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

const (
	sigIssuer  = "https://token.actions.githubusercontent.com"
	sigSAN     = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
	genericGen = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
)

// evalNow is the evaluation time of tests that sign with trusttest: the
// virtual Fulcio and log sign at the wall clock (plus five minutes), and a
// signature made after --now is refused, so the tests evaluate an hour later.
var evalNow = time.Now().UTC().Add(time.Hour).Truncate(time.Second)

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func slsaV1Statement(t testing.TB, builder, repo, ref, digest string) []byte {
	t.Helper()
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
			"externalParameters":   map[string]any{"workflow": map[string]any{"ref": ref, "repository": "https://github.com/" + repo, "path": ".github/workflows/release.yml"}},
			"internalParameters":   map[string]any{"github": map[string]any{"event_name": "push"}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/" + repo + "@" + ref, "digest": map[string]any{"gitCommit": trusttest.DefaultCommit}}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": builder}},
	}
	return trusttest.Statement(t, "https://slsa.dev/provenance/v1", pred, map[string]string{"app.tar.gz": digest})
}

// builderProvenance signs an SLSA v1 statement by builder over digest, as
// slsa-github-generator does: with the certificate of the builder's
// reusable workflow, called from acme/app at ref (the statement's ref).
func (r *signingRelease) builderProvenance(t testing.TB, name, builder, repo, ref, digest string) string {
	t.Helper()
	c := trusttest.GitHubCert(builder, sigIssuer).CalledFrom("acme/app", ref)
	return r.write(t, name, r.ss.DSSEBundleCert(t, c, slsaV1Statement(t, builder, repo, ref, digest), trusttest.BundleOptions{}))
}

// signingRelease is one release directory with minted signing material.
type signingRelease struct {
	dir, app, root string
	ss             *trusttest.Sigstore
	art            []byte
}

func newSigningRelease(t testing.TB, registry string) *signingRelease {
	t.Helper()
	r := &signingRelease{dir: t.TempDir(), ss: trusttest.New(t), art: []byte("hubgate signing fixture 1.0.0\n")}
	r.app = r.write(t, "app.tar.gz", r.art)
	r.root = r.write(t, "trusted_root.json", r.ss.RootJSON)
	r.write(t, "SHA256SUMS", []byte(hexSHA(r.art)+"  app.tar.gz\n"))
	r.write(t, "registry.cue", []byte(registry))
	return r
}

func (r *signingRelease) write(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func (r *signingRelease) eval(t *testing.T, args ...string) (int, *policy.Decision, string) {
	t.Helper()
	base := []string{"eval", "--registry", filepath.Join(r.dir, "registry.cue"), "--repo", "acme/app",
		"--subject", r.app, "--checksums", filepath.Join(r.dir, "SHA256SUMS"), "--trusted-root", r.root, "--now", evalNow.Format(time.RFC3339), "-o", "json"}
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append(base, args...), strings.NewReader(""), &out, &errb)
	if code == 2 {
		return code, nil, errb.String()
	}
	var d policy.Decision
	require.NoError(t, json.Unmarshal(out.Bytes(), &d), "stdout: %s\nstderr: %s", out.String(), errb.String())
	return code, &d, errb.String()
}

func ruleIDs(d *policy.Decision) []string {
	if d == nil {
		return nil
	}
	var ids []string
	for _, f := range d.Findings {
		ids = append(ids, f.Rule)
	}
	return ids
}

func findRule(d *policy.Decision, rule string) *policy.Finding {
	for i := range d.Findings {
		if d.Findings[i].Rule == rule {
			return &d.Findings[i]
		}
	}
	return nil
}

const signingRegistry = `repos: "acme/app": {require: ["checksums", "signature", "provenance"]}`

// TestSigningEndToEnd runs `hubgate eval` with minted signatures and
// provenance: the positive release is allowed, and each negative case is
// denied by the rule that names the check, with expected and actual.
func TestSigningEndToEnd(t *testing.T) {
	r := newSigningRelease(t, signingRegistry)
	digest := hexSHA(r.art)
	builder := genericGen + "@refs/tags/v2.1.0"
	sig := r.write(t, "app.sigstore.json", r.ss.MessageBundle(t, sigSAN, sigIssuer, r.art, trusttest.BundleOptions{}))
	prov := r.builderProvenance(t, "app.intoto.sigstore.json", builder, "acme/app", "refs/tags/v1.2.3", digest)
	// actions/attest-build-provenance: signed by the repo's release
	// workflow, the builder id is the GitHub runner's.
	attested := r.write(t, "app.attest.sigstore.json", r.ss.DSSEBundle(t, sigSAN, sigIssuer, slsaV1Statement(t, "https://github.com/actions/runner/github-hosted", "acme/app", "refs/tags/v1.2.3", digest), trusttest.BundleOptions{}))

	t.Run("signed release with trusted provenance is allowed", func(t *testing.T) {
		code, d, errs := r.eval(t, "--signature", sig, "--provenance", prov)
		require.Equal(t, 0, code, "findings: %v %s", ruleIDs(d), errs)
		assert.True(t, d.Allowed)
	})
	t.Run("attest-build-provenance from the release workflow is allowed", func(t *testing.T) {
		reg := `repos: "acme/app": {require: ["checksums", "signature", "provenance"], provenance: builders: ["https://github.com/actions/runner/github-hosted"]}`
		rr := *r
		rr.dir = t.TempDir()
		rr.write(t, "registry.cue", []byte(reg))
		rr.write(t, "SHA256SUMS", []byte(hexSHA(r.art)+"  app.tar.gz\n"))
		code, d, errs := rr.eval(t, "--signature", sig, "--provenance", attested)
		require.Equal(t, 0, code, "findings: %v %s", ruleIDs(d), errs)
	})
	t.Run("a trusted root whose windows have ended warns", func(t *testing.T) {
		code, d, errs := r.eval(t, "--signature", sig, "--provenance", prov, "--now", "2030-01-01T00:00:00Z")
		require.Equal(t, 0, code, "findings: %v %s", ruleIDs(d), errs)
		f := findRule(d, "signature.trusted_root_current")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Equal(t, policy.OutcomeWarn, f.Outcome)
		require.NotNil(t, findRule(d, "provenance.trusted_root_current"), "%v", ruleIDs(d))
	})

	negatives := []struct {
		name     string
		args     func(t *testing.T) []string
		rule     string
		expected string
		actual   string
	}{
		{
			name: "wrong SAN",
			args: func(t *testing.T) []string {
				return []string{"--signature", r.write(t, "wrong-san.json", r.ss.MessageBundle(t, "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main", sigIssuer, r.art, trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.identity", expected: `SAN ^(?:https://github\.com/acme/app/\.github/workflows/release\.yml@(?:refs/tags/.+))$`, actual: "https://github.com/evil/app",
		},
		{
			name: "signed by the pull-request workflow",
			args: func(t *testing.T) []string {
				return []string{"--signature", r.write(t, "pr.json", r.ss.MessageBundle(t, "https://github.com/acme/app/.github/workflows/pr.yml@refs/tags/v1.2.3", sigIssuer, r.art, trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.identity", expected: `release\.yml`, actual: "SAN https://github.com/acme/app/.github/workflows/pr.yml",
		},
		{
			name: "signed by the release workflow at a branch",
			args: func(t *testing.T) []string {
				return []string{"--signature", r.write(t, "evil-branch.json", r.ss.MessageBundle(t, "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/evil", sigIssuer, r.art, trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.identity", expected: `refs/tags/.+`, actual: "source_repository_ref refs/heads/evil",
		},
		{
			name: "signed by this repo's release workflow called from another repo",
			args: func(t *testing.T) []string {
				c := trusttest.GitHubCert(sigSAN, sigIssuer).CalledFrom("evil/caller", "refs/tags/v1.2.3")
				return []string{"--signature", r.write(t, "caller.json", r.ss.MessageBundleCert(t, c, r.art, trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.identity", expected: `source_repository_uri ^(?:https://github\.com/acme/app)$`, actual: "source_repository_uri https://github.com/evil/caller",
		},
		{
			name: "provenance predicate names another repo than its certificate",
			args: func(t *testing.T) []string {
				c := trusttest.GitHubCert(builder, sigIssuer).CalledFrom("acme/app", "refs/tags/v1.2.3")
				p := r.write(t, "p-other-repo.json", r.ss.DSSEBundleCert(t, c, slsaV1Statement(t, builder, "acme/other", "refs/tags/v1.2.3", digest), trusttest.BundleOptions{}))
				return []string{"--signature", sig, "--provenance", p}
			},
			rule: "provenance.certificate", expected: "source repository https://github.com/acme/app, from the certificate extension sourceRepositoryURI", actual: "source repository github.com/acme/other, from predicate.buildDefinition.externalParameters.workflow",
		},
		{
			name: "provenance predicate names another ref than its certificate",
			args: func(t *testing.T) []string {
				c := trusttest.GitHubCert(builder, sigIssuer).CalledFrom("acme/app", "refs/heads/main")
				p := r.write(t, "p-other-ref.json", r.ss.DSSEBundleCert(t, c, slsaV1Statement(t, builder, "acme/app", "refs/tags/v1.2.3", digest), trusttest.BundleOptions{}))
				return []string{"--signature", sig, "--provenance", p}
			},
			rule: "provenance.certificate", expected: "ref refs/heads/main", actual: "ref refs/tags/v1.2.3",
		},
		{
			name: "provenance signed by a trusted builder for another repo",
			args: func(t *testing.T) []string {
				c := trusttest.GitHubCert(builder, sigIssuer).CalledFrom("evil/app", "refs/tags/v1.2.3")
				p := r.write(t, "p-builder-foreign.json", r.ss.DSSEBundleCert(t, c, slsaV1Statement(t, builder, "evil/app", "refs/tags/v1.2.3", digest), trusttest.BundleOptions{}))
				return []string{"--signature", sig, "--provenance", p}
			},
			rule: "provenance.identity", expected: "release\\.yml", actual: "source_repository_uri https://github.com/evil/app",
		},
		{
			name: "wrong issuer",
			args: func(t *testing.T) []string {
				return []string{"--signature", r.write(t, "wrong-iss.json", r.ss.MessageBundle(t, sigSAN, "https://accounts.google.com", r.art, trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.identity", expected: "token", actual: "issuer https://accounts.google.com",
		},
		{
			name: "signature over another artifact",
			args: func(t *testing.T) []string {
				return []string{"--signature", r.write(t, "other.json", r.ss.MessageBundle(t, sigSAN, sigIssuer, []byte("other"), trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.verified", expected: "over a release subject", actual: "none of the subjects",
		},
		{
			name: "signature from another trust root",
			args: func(t *testing.T) []string {
				return []string{"--signature", r.write(t, "foreign.json", trusttest.New(t).MessageBundle(t, sigSAN, sigIssuer, r.art, trusttest.BundleOptions{})), "--provenance", prov}
			},
			rule: "signature.verified", expected: "trusted root", actual: "not verified",
		},
		{
			name: "untrusted builder",
			args: func(t *testing.T) []string {
				return []string{"--signature", sig, "--provenance", r.builderProvenance(t, "p-branch.json", genericGen+"@refs/heads/main", "acme/app", "refs/tags/v1.2.3", digest)}
			},
			rule: "provenance.builder_trusted", expected: "release tag", actual: genericGen + "@refs/heads/main",
		},
		{
			name: "wrong source repo",
			args: func(t *testing.T) []string {
				c := trusttest.GitHubCert(builder, sigIssuer).CalledFrom("evil/app", "refs/tags/v1.2.3")
				return []string{"--signature", sig, "--provenance", r.write(t, "p-evil.json", r.ss.DSSEBundleCert(t, c, slsaV1Statement(t, builder, "evil/app", "refs/tags/v1.2.3", digest), trusttest.BundleOptions{}))}
			},
			rule: "provenance.source", expected: "github.com/acme/app", actual: "github.com/evil/app",
		},
		{
			name: "provenance subject digest mismatch",
			args: func(t *testing.T) []string {
				return []string{"--signature", sig, "--provenance", r.builderProvenance(t, "p-other.json", builder, "acme/app", "refs/tags/v1.2.3", hexSHA([]byte("other")))}
			},
			rule: "provenance.subject_digest", expected: "sha256:" + digest, actual: "sha256:" + hexSHA([]byte("other")),
		},
		{
			name: "the hub's unsigned provenance",
			args: func(t *testing.T) []string {
				b, err := os.ReadFile(filepath.Join("..", "fixtures", "provenance", "hub-slsa-provenance-unsigned.json"))
				require.NoError(t, err)
				return []string{"--signature", sig, "--provenance", r.write(t, "hub.json", b)}
			},
			rule: "provenance.signed", expected: "signed", actual: "no signatures",
		},
		{
			name: "keyless provenance with no tlog entry",
			args: func(t *testing.T) []string {
				st := slsaV1Statement(t, builder, "acme/app", "refs/tags/v1.2.3", digest)
				c := trusttest.GitHubCert(builder, sigIssuer).CalledFrom("acme/app", "refs/tags/v1.2.3")
				return []string{"--signature", sig, "--provenance", r.write(t, "p-notlog.json", r.ss.DSSEBundleCert(t, c, st, trusttest.BundleOptions{NoTlog: true}))}
			},
			rule: "provenance.signed", expected: "transparency-log", actual: "0 < 1",
		},
	}
	for _, tc := range negatives {
		t.Run(tc.name, func(t *testing.T) {
			code, d, errs := r.eval(t, tc.args(t)...)
			require.Equal(t, 1, code, errs)
			assert.False(t, d.Allowed)
			f := findRule(d, tc.rule)
			require.NotNil(t, f, "want %s, got %v", tc.rule, ruleIDs(d))
			assert.Contains(t, f.Expected, tc.expected)
			assert.Contains(t, f.Actual, tc.actual)
		})
	}
}

// TestSigningDisallowedRef uses a registry with refs and identities.
func TestSigningDisallowedRef(t *testing.T) {
	reg := `repos: "acme/app": {
	require: ["checksums", "provenance"]
	provenance: {
		refs: ["refs/tags/v*"]
		identities: [{issuer: "https://token\\.actions\\.githubusercontent\\.com", subject: "https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.*"}]
	}
}`
	r := newSigningRelease(t, reg)
	digest := hexSHA(r.art)
	builder := genericGen + "@refs/tags/v2.1.0"
	good := r.builderProvenance(t, "good.json", builder, "acme/app", "refs/tags/v1.2.3", digest)
	code, d, errs := r.eval(t, "--provenance", good)
	require.Equal(t, 0, code, "%v %s", ruleIDs(d), errs)

	main := r.builderProvenance(t, "main.json", builder, "acme/app", "refs/heads/main", digest)
	code, d, _ = r.eval(t, "--provenance", main)
	require.Equal(t, 1, code)
	f := findRule(d, "provenance.ref")
	require.NotNil(t, f, "%v", ruleIDs(d))
	assert.Equal(t, "refs/heads/main", f.Actual)
	assert.Equal(t, "a ref matching one of refs/tags/v*", f.Expected)

	// A SAN the identity matches only as a substring is denied.
	prefixed := r.write(t, "prefixed.json", r.ss.DSSEBundle(t, "https://evil.example/"+sigSAN, sigIssuer, slsaV1Statement(t, builder, "acme/app", "refs/tags/v1.2.3", digest), trusttest.BundleOptions{}))
	code, d, _ = r.eval(t, "--provenance", prefixed)
	require.Equal(t, 1, code)
	require.NotNil(t, findRule(d, "provenance.identity"), "%v", ruleIDs(d))
}

// TestSigningKeyed uses a registry key for a bare DSSE envelope and a keyed
// signature bundle.
func TestSigningKeyed(t *testing.T) {
	k := trusttest.NewKey(t, "ecdsa")
	keyPEM, err := json.Marshal(string(k.PEM(t)))
	require.NoError(t, err)
	reg := `repos: "acme/app": {require: ["checksums", "signature", "provenance"], provenance: keys: [` + string(keyPEM) + `]}`
	r := newSigningRelease(t, reg)
	digest := hexSHA(r.art)
	builder := genericGen + "@refs/tags/v2.1.0"
	env := r.write(t, "app.intoto.jsonl", k.Envelope(t, trusttest.InTotoPayloadType, slsaV1Statement(t, builder, "acme/app", "refs/tags/v1.2.3", digest)))
	sig := r.write(t, "app.sigstore.json", k.MessageBundle(t, r.art))
	code, d, errs := r.eval(t, "--signature", sig, "--provenance", env)
	require.Equal(t, 0, code, "%v %s", ruleIDs(d), errs)

	other := trusttest.NewKey(t, "ecdsa")
	bad := r.write(t, "bad.intoto.jsonl", other.Envelope(t, trusttest.InTotoPayloadType, slsaV1Statement(t, builder, "acme/app", "refs/tags/v1.2.3", digest)))
	code, d, _ = r.eval(t, "--signature", sig, "--provenance", bad)
	require.Equal(t, 1, code)
	require.NotNil(t, findRule(d, "provenance.signed"), "%v", ruleIDs(d))
}

// BenchmarkEvalSigned evaluates one release with a keyless signature,
// keyless SLSA provenance and oras referrers, with the engine built once.
func BenchmarkEvalSigned(b *testing.B) {
	reg := `repos: "acme/app": {require: ["checksums", "signature", "provenance", "referrers"]}`
	r := newSigningRelease(b, reg)
	digest := hexSHA(r.art)
	builder := genericGen + "@refs/tags/v2.1.0"
	sig := r.write(b, "app.sigstore.json", r.ss.MessageBundle(b, sigSAN, sigIssuer, r.art, trusttest.BundleOptions{}))
	prov := r.builderProvenance(b, "prov.json", builder, "acme/app", "refs/tags/v1.2.3", digest)
	refs := r.write(b, "referrers.json", []byte(`{"ref":"r@sha256:`+digest+`","digest":"sha256:`+digest+`","referrers":[
		{"digest":"sha256:`+hexSHA([]byte("a"))+`","artifactType":"application/spdx+json"},
		{"digest":"sha256:`+hexSHA([]byte("b"))+`","artifactType":"application/vnd.cyclonedx+json"},
		{"digest":"sha256:`+hexSHA([]byte("c"))+`","artifactType":"application/vnd.in-toto+json"}]}`))
	ctx := context.Background()
	e, err := engine.New(ctx, engine.WithRegistryPath(filepath.Join(r.dir, "registry.cue")))
	require.NoError(b, err)
	in := engine.Input{
		Repo: "acme/app", Now: evalNow, TrustedRoot: r.root,
		Subjects: []engine.SubjectInput{{Path: r.app}},
		Evidence: []engine.Item{
			{Kind: policy.KindChecksums, Path: filepath.Join(r.dir, "SHA256SUMS")},
			{Kind: policy.KindSignature, Path: sig},
			{Kind: policy.KindProvenance, Path: prov},
			{Kind: policy.KindReferrers, Path: refs},
		},
	}
	d, err := e.Evaluate(ctx, in)
	require.NoError(b, err)
	require.True(b, d.Allowed, "%v", ruleIDs(d))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReferrersEndToEnd checks oras discover output through eval, with the
// default required types (SPDX, CycloneDX, in-toto).
func TestReferrersEndToEnd(t *testing.T) {
	r := newSigningRelease(t, `repos: "acme/app": {require: ["checksums", "referrers"]}`)
	digest := hexSHA(r.art)
	doc := func(subject string, types ...string) string {
		var refs []string
		for _, typ := range types {
			refs = append(refs, `{"digest":"sha256:`+hexSHA([]byte(typ))+`","artifactType":"`+typ+`"}`)
		}
		return `{"ref":"ghcr.io/acme/app@sha256:` + subject + `","digest":"sha256:` + subject + `","referrers":[` + strings.Join(refs, ",") + `]}`
	}
	all := []string{"application/spdx+json", "application/vnd.cyclonedx+json", "application/vnd.in-toto+json"}
	code, d, errs := r.eval(t, "--referrers", r.write(t, "ok.json", []byte(doc(digest, all...))))
	require.Equal(t, 0, code, "%v %s", ruleIDs(d), errs)

	code, d, _ = r.eval(t, "--referrers", r.write(t, "other.json", []byte(doc(hexSHA([]byte("x")), all...))))
	require.Equal(t, 1, code)
	require.NotNil(t, findRule(d, "referrers.required"), "%v", ruleIDs(d))

	code, d, _ = r.eval(t, "--referrers", r.write(t, "two.json", []byte(doc(digest, all[:2]...))))
	require.Equal(t, 1, code)
	f := findRule(d, "referrers.required")
	require.NotNil(t, f, "%v", ruleIDs(d))
	assert.Equal(t, "application/vnd.in-toto+json", f.Target)
}
