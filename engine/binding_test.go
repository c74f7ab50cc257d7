package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// bindRelease is one release for TestEvidenceBinding: the artifact
// app.tar.gz, its checksums, a virtual Sigstore and the evaluation time.
type bindRelease struct {
	t                      *testing.T
	dir, app, sums, root   string
	art                    []byte
	digest, other          string
	ss                     *trusttest.Sigstore
	now                    time.Time
	releaseSAN, releaseIss string
}

func newBindRelease(t *testing.T) *bindRelease {
	r := &bindRelease{t: t, dir: t.TempDir(), art: []byte("hubgate binding fixture 1.0.0\n"), ss: trusttest.New(t),
		now:        afterSigning().Truncate(time.Second),
		releaseSAN: "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3", releaseIss: trust.GitHubActionsIssuer}
	r.digest = hexOf(r.art)
	r.other = hexOf([]byte("another artifact\n"))
	r.app = r.write("app.tar.gz", string(r.art))
	r.sums = r.write("SHA256SUMS", r.digest+"  app.tar.gz\n")
	r.root = r.write("trusted_root.json", string(r.ss.RootJSON))
	return r
}

func hexOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (r *bindRelease) write(name, body string) string {
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	require.NoError(r.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(r.t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func (r *bindRelease) at(d time.Duration) string { return r.now.Add(d).Format(time.RFC3339) }

// cdx is a CycloneDX document about the artifact with digest hex.
func (r *bindRelease) cdx(hex, timestamp, vulns string) string {
	return `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "metadata": {"timestamp": "` + timestamp + `", "component": {"type": "file", "name": "app.tar.gz", "hashes": [{"alg": "SHA-256", "content": "` + hex + `"}]}},
 "components": [{"type": "library", "name": "openssl", "version": "3.0.11-1", "purl": "pkg:deb/debian/openssl@3.0.11-1"}]` + vulns + `}`
}

// report is a CycloneDX vulnerability report about the artifact with
// digest hex, with one critical vulnerability.
func (r *bindRelease) report(hex string) string {
	return r.cdx(hex, r.at(-time.Hour), `, "vulnerabilities": [{"id": "CVE-2025-0001", "ratings": [{"score": 9.1, "method": "CVSSv31"}]}]`)
}

func (r *bindRelease) vex(hex, timestamp string) string {
	return `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "acme", "timestamp": "` + timestamp + `", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2025-0001"}, "products": [{"@id": "pkg:oci/app@sha256:` + hex + `"}], "status": "not_affected", "justification": "vulnerable_code_not_present"}]}`
}

// provenance is an actions/attest-build-provenance statement over hex,
// signed by the release workflow; started is its
// runDetails.metadata.startedOn.
func (r *bindRelease) provenance(name, hex, started string) string {
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":            "https://actions.github.io/buildtypes/workflow/v1",
			"externalParameters":   map[string]any{"workflow": map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"}},
			"internalParameters":   map[string]any{"github": map[string]any{"event_name": "push"}},
			"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/acme/app@refs/tags/v1.2.3", "digest": map[string]any{"gitCommit": trusttest.DefaultCommit}}},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": "https://github.com/actions/runner/github-hosted"},
			"metadata": map[string]any{"startedOn": started}},
	}
	st := trusttest.Statement(r.t, "https://slsa.dev/provenance/v1", pred, map[string]string{"app.tar.gz": hex})
	return r.write(name, string(r.ss.DSSEBundle(r.t, r.releaseSAN, r.releaseIss, st, trusttest.BundleOptions{})))
}

func (r *bindRelease) referrers(name, hex string) string {
	var refs []string
	for _, typ := range []string{"application/spdx+json", "application/vnd.cyclonedx+json", "application/vnd.in-toto+json"} {
		refs = append(refs, `{"digest":"sha256:`+hexOf([]byte(typ))+`","artifactType":"`+typ+`"}`)
	}
	return r.write(name, `{"ref":"ghcr.io/acme/app@sha256:`+hex+`","digest":"sha256:`+hex+`","referrers":[`+strings.Join(refs, ",")+`]}`)
}

// manifest writes a signed evidence manifest naming the subject hex and
// listing SHA256SUMS, in the directory dir; it returns the checksums path
// inside it.
func (r *bindRelease) manifest(dir, hex, timestamp string) (manifest, sums string) {
	body := r.digest + "  app.tar.gz\n"
	sums = r.write(dir+"/SHA256SUMS", body)
	m, err := json.Marshal(map[string]any{"version": "1.0", "timestamp": timestamp,
		"subjects": []any{map[string]any{"name": "app.tar.gz", "digest": map[string]string{"sha256": hex}}},
		"files":    []any{map[string]any{"path": "SHA256SUMS", "sha256": hexOf([]byte(body)), "size": len(body)}}})
	require.NoError(r.t, err)
	manifest = r.write(dir+"/evidence-manifest.json", string(m))
	r.write(dir+"/evidence-manifest.json.sigstore.json", string(r.ss.MessageBundle(r.t, r.releaseSAN, r.releaseIss, m, trusttest.BundleOptions{})))
	return manifest, sums
}

// signedBeside signs path's bytes with san and writes the bundle beside it.
func (r *bindRelease) signedBeside(path, san string) string {
	b, err := os.ReadFile(path)
	require.NoError(r.t, err)
	r.write(strings.TrimPrefix(path, r.dir+string(filepath.Separator))+".sigstore.json", string(r.ss.MessageBundle(r.t, san, r.releaseIss, b, trusttest.BundleOptions{})))
	return path
}

// drill writes a DR manifest about a backup captured a day ago, and a
// drill report of the backup captured at reportCaptured.
func (r *bindRelease) drill(dir, reportCaptured string) (manifest, report string) {
	backup := `{"rows": 1}`
	r.write(dir+"/backup.json", backup)
	manifest = r.write(dir+"/manifest.json", `{"backup": {"path": "backup.json", "sha256": "sha256:`+hexOf([]byte(backup))+`", "captured_at": "`+r.at(-24*time.Hour)+`"}}`)
	report = r.write(dir+"/dr-report.json", `{"schema": "dr_drill.v2", "run_id": "dr-1", "started_at": "`+r.at(-2*time.Hour)+`", "ended_at": "`+r.at(-time.Hour)+`", "backup_captured_at": "`+reportCaptured+`", "metrics": {"rto_seconds": 1}}`)
	return manifest, report
}

// cache writes a cache manifest listing x.whl, signed by the release
// workflow, and a cache directory holding content as x.whl.
func (r *bindRelease) cache(dir, content string) []Item {
	m := `{"version":1,"cache_dir":"c","entry_count":1,"algorithm":"sha256","entries":[{"path":"x.whl","size":5,"sha256":"` + hexOf([]byte("wheel")) + `"}]}`
	mp := r.write(dir+"/cache-manifest.json", m)
	sig := r.write(dir+"/cache-manifest.json.sigstore.json", string(r.ss.MessageBundle(r.t, r.releaseSAN, r.releaseIss, []byte(m), trusttest.BundleOptions{})))
	r.write(dir+"/cache/x.whl", content)
	return []Item{{Kind: policy.KindCache, Role: "manifest", Path: mp}, {Kind: policy.KindCache, Role: "signature", Path: sig}, {Kind: policy.KindCache, Role: "dir", Path: filepath.Join(r.dir, dir, "cache")}}
}

func (r *bindRelease) eval(registry string, items []Item, withSums bool) *policy.Decision {
	reg := r.write("registry-"+strconv.Itoa(len(items))+"-"+hexOf([]byte(registry))[:8]+".cue", registry+"\n")
	e, err := New(context.Background(), WithRegistryPath(reg))
	require.NoError(r.t, err)
	if withSums {
		items = append([]Item{{Kind: policy.KindChecksums, Path: r.sums}}, items...)
	}
	d, err := e.Evaluate(context.Background(), Input{Repo: "acme/app", Now: r.now, TrustedRoot: r.root,
		Subjects: []SubjectInput{{Path: r.app}}, Evidence: items})
	require.NoError(r.t, err)
	return d
}

// TestEvidenceBinding runs a whole evaluation per evidence kind: evidence
// bound to this release (or, for the repository-level kinds, to this
// repository's build) is allowed; the same evidence about another subject,
// another backup, another directory or from another signer is denied by the
// rule that says so, with the file, the field, the expected and the actual
// value. Future-dated evidence is refused the same way.
func TestEvidenceBinding(t *testing.T) {
	type variant func(r *bindRelease) []Item
	it := func(kind policy.EvidenceKind, role, path string) Item {
		return Item{Kind: kind, Role: role, Path: path}
	}
	tests := []struct {
		name     string
		registry string
		// sums adds the release's bound checksums.
		sums   bool
		bound  variant
		other  variant
		rule   string
		path   string // the finding's field, "" when the rule names none
		actual string // in the finding's actual (or message)
	}{
		{
			name: "checksums of another file", registry: `repos: "acme/app": {require: ["checksums"]}`,
			bound: func(r *bindRelease) []Item { return []Item{it(policy.KindChecksums, "", r.sums)} },
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindChecksums, "", r.write("OTHER.SUMS", r.other+"  other.tar.gz\n"))}
			},
			rule: "checksums.listed",
		},
		{
			name: "checksums with another digest", registry: `repos: "acme/app": {require: ["checksums"]}`,
			bound: func(r *bindRelease) []Item { return []Item{it(policy.KindChecksums, "", r.sums)} },
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindChecksums, "", r.write("OTHER.SUMS", r.other+"  app.tar.gz\n"))}
			},
			rule: "checksums.digest_match", actual: "",
		},
		{
			name: "sbom of another artifact with the subject's name", registry: `repos: "acme/app": {require: ["checksums", "sbom"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSBOM, "", r.write("sbom.json", r.cdx(r.digest, r.at(-time.Hour), "")))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSBOM, "", r.write("other.json", r.cdx(r.other, r.at(-time.Hour), "")))}
			},
			rule: "sbom.describes_subject", path: "metadata.component", actual: "sha256:",
		},
		{
			name: "sbom dated after --now", registry: `repos: "acme/app": {require: ["checksums", "sbom"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSBOM, "", r.write("sbom.json", r.cdx(r.digest, r.at(0), "")))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSBOM, "", r.write("future.json", r.cdx(r.digest, r.at(time.Hour), "")))}
			},
			rule: "sbom.evidence", path: "metadata.timestamp", actual: "after the evaluation time",
		},
		{
			name: "vulnerability report about another artifact", registry: `repos: "acme/app": {require: ["checksums", "vulnerabilities"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("r.json", r.cdx(r.digest, r.at(-time.Hour), `, "vulnerabilities": []`)))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("o.json", r.cdx(r.other, r.at(-time.Hour), `, "vulnerabilities": []`)))}
			},
			rule: "vulnerabilities.bound", path: "metadata.component",
		},
		{
			name: "vulnerability report dated after --now", registry: `repos: "acme/app": {require: ["checksums", "vulnerabilities"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("r.json", r.cdx(r.digest, r.at(0), `, "vulnerabilities": []`)))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("f.json", `{"matches": [], "source": {"type": "image", "target": {"userInput": "app", "manifestDigest": "sha256:`+r.digest+`"}}, "descriptor": {"name": "grype", "timestamp": "`+r.at(time.Hour)+`"}}`))}
			},
			rule: "vulnerabilities.evidence", path: "descriptor.timestamp", actual: "after the evaluation time",
		},
		{
			name: "vex about another product", registry: `repos: "acme/app": {require: ["checksums", "vulnerabilities", "vex"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("r.json", r.report(r.digest))), it(policy.KindVEX, "", r.write("vex.json", r.vex(r.digest, r.at(-time.Hour))))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("r.json", r.report(r.digest))), it(policy.KindVEX, "", r.write("other.vex.json", r.vex(r.other, r.at(-time.Hour))))}
			},
			rule: "vulnerabilities.threshold", actual: "",
		},
		{
			name: "vex dated after --now", registry: `repos: "acme/app": {require: ["checksums", "vulnerabilities", "vex"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("r.json", r.report(r.digest))), it(policy.KindVEX, "", r.write("vex.json", r.vex(r.digest, r.at(0))))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindVulnerabilities, "", r.write("r.json", r.report(r.digest))), it(policy.KindVEX, "", r.write("future.vex.json", r.vex(r.digest, r.at(time.Hour))))}
			},
			rule: "vex.future", path: "timestamp",
		},
		{
			name: "signature over another artifact", registry: `repos: "acme/app": {require: ["checksums", "signature"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSignature, "", r.write("app.sigstore.json", string(r.ss.MessageBundle(r.t, r.releaseSAN, r.releaseIss, r.art, trusttest.BundleOptions{}))))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSignature, "", r.write("other.sigstore.json", string(r.ss.MessageBundle(r.t, r.releaseSAN, r.releaseIss, []byte("another artifact\n"), trusttest.BundleOptions{}))))}
			},
			rule: "signature.verified", actual: "",
		},
		{
			name: "signature made after --now", registry: `repos: "acme/app": {require: ["checksums", "signature"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindSignature, "", r.write("app.sigstore.json", string(r.ss.MessageBundle(r.t, r.releaseSAN, r.releaseIss, r.art, trusttest.BundleOptions{}))))}
			},
			other: func(r *bindRelease) []Item {
				// Evaluated two hours before the signing time.
				r.now = r.now.Add(-2 * time.Hour)
				return []Item{it(policy.KindSignature, "", r.write("app.sigstore.json", string(r.ss.MessageBundle(r.t, r.releaseSAN, r.releaseIss, r.art, trusttest.BundleOptions{}))))}
			},
			rule: "signature.evidence", path: "verificationMaterial.tlogEntries.integratedTime", actual: "after the evaluation time",
		},
		{
			name: "provenance of another artifact", registry: `repos: "acme/app": {require: ["checksums", "provenance"], provenance: builders: ["https://github.com/actions/runner/github-hosted"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindProvenance, "", r.provenance("p.json", r.digest, r.at(-time.Hour)))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindProvenance, "", r.provenance("o.json", r.other, r.at(-time.Hour)))}
			},
			rule: "provenance.subject_digest", actual: "",
		},
		{
			name: "provenance of a build started after --now", registry: `repos: "acme/app": {require: ["checksums", "provenance"], provenance: builders: ["https://github.com/actions/runner/github-hosted"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindProvenance, "", r.provenance("p.json", r.digest, r.at(0)))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindProvenance, "", r.provenance("f.json", r.digest, r.at(time.Hour)))}
			},
			rule: "provenance.evidence", path: "predicate.runDetails.metadata.startedOn", actual: "after the evaluation time",
		},
		{
			name: "referrers of another digest", registry: `repos: "acme/app": {require: ["checksums", "referrers"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				return []Item{it(policy.KindReferrers, "", r.referrers("ok.json", r.digest))}
			},
			other: func(r *bindRelease) []Item {
				return []Item{it(policy.KindReferrers, "", r.referrers("other.json", r.other))}
			},
			rule: "referrers.required", path: "digest", actual: "sha256:",
		},
		{
			name: "evidence manifest of another release", registry: `repos: "acme/app": {require: ["checksums", "evidence_bundle"]}`,
			bound: func(r *bindRelease) []Item {
				m, sums := r.manifest("ev", r.digest, r.at(-time.Hour))
				return []Item{it(policy.KindChecksums, "", sums), it(policy.KindEvidenceBundle, "manifest", m)}
			},
			other: func(r *bindRelease) []Item {
				m, sums := r.manifest("ev", r.other, r.at(-time.Hour))
				return []Item{it(policy.KindChecksums, "", sums), it(policy.KindEvidenceBundle, "manifest", m)}
			},
			rule: "evidence_bundle.subjects",
		},
		{
			name: "determinism lists of another file", registry: `repos: "acme/app": {require: ["checksums", "determinism"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				l := r.write("orig.sha256", r.digest+"  app.tar.gz\n")
				return []Item{it(policy.KindDeterminism, "original", l), it(policy.KindDeterminism, "rebuild", l),
					{Kind: policy.KindDeterminism, Role: "original-time", Value: r.at(-48 * time.Hour)}, {Kind: policy.KindDeterminism, Role: "rebuild-time", Value: r.at(-time.Hour)}}
			},
			other: func(r *bindRelease) []Item {
				l := r.write("other.sha256", r.other+"  other.tar.gz\n")
				return []Item{it(policy.KindDeterminism, "original", l), it(policy.KindDeterminism, "rebuild", l),
					{Kind: policy.KindDeterminism, Role: "original-time", Value: r.at(-48 * time.Hour)}, {Kind: policy.KindDeterminism, Role: "rebuild-time", Value: r.at(-time.Hour)}}
			},
			rule: "determinism.subject_bound",
		},
		{
			name: "drill report of another backup", registry: `repos: "acme/app": {require: ["checksums", "drill"]}`, sums: true,
			bound: func(r *bindRelease) []Item {
				m, rep := r.drill("dr", r.at(-24*time.Hour))
				return []Item{it(policy.KindDrill, "manifest", m), it(policy.KindDrill, "report", rep)}
			},
			other: func(r *bindRelease) []Item {
				m, rep := r.drill("dr", r.at(-72*time.Hour))
				return []Item{it(policy.KindDrill, "manifest", m), it(policy.KindDrill, "report", rep)}
			},
			rule: "drill.stale", actual: "it restored another backup",
		},
		{
			name: "egress report signed by another repository", registry: `repos: "acme/app": {require: ["checksums", "egress"], egress: {allow: ["github.com"], canary: "canary.example.org", require_signed: true}}`, sums: true,
			bound: func(r *bindRelease) []Item {
				p := r.write("egress/egress-report.json", `{"attempts":[{"host":"github.com","port":443,"allowed":true},{"host":"canary.example.org","port":443,"allowed":false}]}`)
				return []Item{it(policy.KindEgress, "", r.signedBeside(p, r.releaseSAN))}
			},
			other: func(r *bindRelease) []Item {
				p := r.write("egress/egress-report.json", `{"attempts":[{"host":"github.com","port":443,"allowed":true},{"host":"canary.example.org","port":443,"allowed":false}]}`)
				return []Item{it(policy.KindEgress, "", r.signedBeside(p, "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.3"))}
			},
			rule: "egress.signed",
		},
		{
			name: "cache manifest of another directory", registry: `repos: "acme/app": {require: ["checksums", "cache"]}`, sums: true,
			bound: func(r *bindRelease) []Item { return r.cache("c", "wheel") },
			other: func(r *bindRelease) []Item { return r.cache("c", "evil!") },
			rule:  "cache.mismatch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newBindRelease(t)
			d := r.eval(tt.registry, tt.bound(r), tt.sums)
			assert.True(t, d.Allowed, "bound evidence: %v", bindRules(d))
			r = newBindRelease(t)
			d = r.eval(tt.registry, tt.other(r), tt.sums)
			require.False(t, d.Allowed, "%v", bindRules(d))
			var f *policy.Finding
			for i := range d.Findings {
				if d.Findings[i].Rule == tt.rule {
					f = &d.Findings[i]
					break
				}
			}
			require.NotNil(t, f, "want %s, got %v", tt.rule, bindRules(d))
			assert.NotEqual(t, policy.OutcomePass, f.Outcome)
			assert.NotEmpty(t, f.Evidence, "the finding names the file")
			if tt.path != "" {
				assert.Equal(t, tt.path, f.Path)
			}
			if tt.actual != "" {
				assert.Contains(t, f.Actual+" "+f.Message, tt.actual)
			}
		})
	}
}

func bindRules(d *policy.Decision) []string {
	var out []string
	for _, f := range d.Findings {
		out = append(out, f.Rule+" "+f.Path+": "+f.Message)
	}
	return out
}
