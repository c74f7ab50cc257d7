package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/vex"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
	"github.com/cicd-hub/hubgate/engine/evidence/vulnerabilities"
	"github.com/cicd-hub/hubgate/policy"
)

// Tests of issue 14 section 4: reports bound to the subject, unscored
// findings, future-dated VEX, VEX ties and enumerated justifications.

const otherHex = "9999999999999999999999999999999999999999999999999999999999999999"

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	}
	return dir
}

// grypeImage is the source grype writes for an image (or an SBOM of one).
func grypeImage(manifestDigest string, repoDigests string) string {
	return `{"source": {"type": "image", "target": {"userInput": "ghcr.io/example/demo:latest", "imageID": "", "manifestDigest": "` + manifestDigest + `", "tags": [], "repoDigests": [` + repoDigests + `]}},
 "matches": [{"vulnerability": {"id": "CVE-2025-0001", "severity": "critical", "cvss": [{"metrics": {"baseScore": 9.1}}]}, "relatedVulnerabilities": []}]}`
}

// syftCDX is a syft-shaped CycloneDX SBOM of an image: the digest is in
// metadata.component.version.
func syftCDX(serial, hex string) string {
	return `{"bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "` + serial + `", "version": 1,
 "metadata": {"timestamp": "2026-11-01T00:00:00Z", "component": {"bom-ref": "8c1a6f0e1b6f4f36", "type": "container", "name": "ghcr.io/example/demo:latest", "version": "sha256:` + hex + `"}},
 "components": [{"bom-ref": "pkg:deb/debian/openssl@3.0.11-1?arch=amd64", "type": "library", "name": "openssl", "version": "3.0.11-1", "purl": "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"}]}`
}

func TestVulnerabilityReportBinding(t *testing.T) {
	const serial = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
	vdr := func(link string) string {
		return `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "vulnerabilities": [{"id": "CVE-2025-0001", "ratings": [{"score": 9.1, "method": "CVSSv31"}], "affects": [{"ref": "` + link + `"}]}]}`
	}
	tests := []struct {
		name     string
		files    map[string]string
		sbom     string // file name of the SBOM item, "" for none
		subjects bool
		bound    bool
		contains string // in BoundBy or Unbound
	}{
		{name: "grype manifestDigest is the subject", files: map[string]string{"r.json": grypeImage("sha256:"+vulnDemoHex, "")}, subjects: true, bound: true, contains: "source.target digest sha256:" + vulnDemoHex},
		{name: "grype repoDigests name the subject", files: map[string]string{"r.json": grypeImage("", `"ghcr.io/example/demo@sha256:`+vulnDemoHex+`"`)}, subjects: true, bound: true, contains: vulnDemoHex},
		{name: "grype scanned another image", files: map[string]string{"r.json": grypeImage("sha256:"+otherHex, "")}, subjects: true, contains: "scanned another artifact"},
		{name: "the hub sample names only a tag", files: map[string]string{"r.json": mustRead(t, vulnFixture("vulns/grype-report.sample.json"))}, subjects: true, contains: "names no digest"},
		{name: "the hub's sbom scan is bound", files: map[string]string{"r.json": mustRead(t, vulnFixture("vulns/hub-sbom-scan.grype.json"))}, subjects: true, bound: true},
		{name: "an empty report about nothing", files: map[string]string{"r.json": `{"matches": []}`}, subjects: true, contains: "it is empty and names no digest"},
		{name: "an empty report about the subject", files: map[string]string{"r.json": `{"matches": [], "source": {"type": "image", "target": {"userInput": "demo", "manifestDigest": "sha256:` + vulnDemoHex + `"}}}`}, subjects: true, bound: true},
		{name: "no subject given", files: map[string]string{"r.json": grypeImage("sha256:"+vulnDemoHex, "")}, contains: "no release subject"},
		{name: "grype sbom-file names the bound SBOM", files: map[string]string{"r.json": `{"matches": [], "source": {"type": "sbom-file", "target": "policy-inputs/sbom/app.cdx.json"}}`, "app.cdx.json": syftCDX(serial, vulnDemoHex)}, sbom: "app.cdx.json", subjects: true, bound: true, contains: "the SBOM"},
		{name: "grype sbom-file names an SBOM of another image", files: map[string]string{"r.json": `{"matches": [], "source": {"type": "sbom-file", "target": "app.cdx.json"}}`, "app.cdx.json": syftCDX(serial, otherHex)}, sbom: "app.cdx.json", subjects: true, contains: "not bound to the release"},
		{name: "grype sbom-file names an SBOM not given", files: map[string]string{"r.json": `{"matches": [], "source": {"type": "sbom-file", "target": "app.cdx.json"}}`}, subjects: true, contains: "not given with --sbom"},
		{name: "CycloneDX BOM-Link into the bound SBOM", files: map[string]string{"r.json": vdr("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:deb/debian/openssl@3.0.11-1?arch=amd64"), "app.cdx.json": syftCDX(serial, vulnDemoHex)}, sbom: "app.cdx.json", subjects: true, bound: true, contains: "BOM-Link"},
		{name: "CycloneDX BOM-Link into another SBOM", files: map[string]string{"r.json": vdr("urn:cdx:00000000-0000-4000-8000-000000000000/1#pkg:deb/debian/openssl@3.0.11-1?arch=amd64"), "app.cdx.json": syftCDX(serial, vulnDemoHex)}, sbom: "app.cdx.json", subjects: true, contains: "not given with --sbom"},
		{name: "CycloneDX metadata.component hash is the subject", files: map[string]string{"r.json": `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": {"component": {"type": "container", "name": "demo", "hashes": [{"alg": "SHA-256", "content": "` + vulnDemoHex + `"}]}}, "vulnerabilities": []}`}, subjects: true, bound: true, contains: "metadata.component digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			items := []Item{{Kind: policy.KindVulnerabilities, Path: filepath.Join(dir, "r.json")}}
			if tt.sbom != "" {
				items = append(items, Item{Kind: policy.KindSBOM, Path: filepath.Join(dir, tt.sbom)})
			}
			env := vulnEnv(nil, items...)
			if !tt.subjects {
				env.Subjects = nil
			}
			facts := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
			require.Empty(t, facts.Problems)
			require.Len(t, facts.Reports, 1)
			r := facts.Reports[0]
			assert.Equal(t, tt.bound, r.Bound, "bound_by %q, unbound %q", r.BoundBy, r.Unbound)
			if tt.bound {
				assert.Empty(t, r.Unbound)
				assert.Contains(t, r.BoundBy, tt.contains)
			} else {
				assert.Empty(t, r.BoundBy)
				assert.Contains(t, r.Unbound, tt.contains)
				assert.NotEmpty(t, r.TargetField)
				assert.Contains(t, r.Actual, "target ")
			}
		})
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

func TestUnscoredFindings(t *testing.T) {
	report := `{"source": {"type": "image", "target": {"userInput": "demo", "manifestDigest": "sha256:` + vulnDemoHex + `"}}, "matches": [
 {"vulnerability": {"id": "GHSA-sev-only", "severity": "High"}},
 {"vulnerability": {"id": "CVE-medium-only", "severity": "Medium"}},
 {"vulnerability": {"id": "CVE-nothing", "severity": "Unknown"}},
 {"vulnerability": {"id": "CVE-scored", "severity": "Low", "cvss": [{"metrics": {"baseScore": 9.8}}]}}]}`
	dir := writeFiles(t, map[string]string{"r.json": report})
	env := vulnEnv(nil, Item{Kind: policy.KindVulnerabilities, Path: filepath.Join(dir, "r.json")})
	facts := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
	require.Len(t, facts.Findings, 4)
	type want struct {
		score    float64
		has      bool
		source   string
		unscored bool
	}
	wants := []want{{7.0, true, "severity", false}, {4.0, true, "severity", false}, {0, false, "", true}, {9.8, true, "cvss", false}}
	for i, w := range wants {
		f := facts.Findings[i]
		assert.Equal(t, w, want{f.Score, f.HasScore, f.ScoreSource, f.Unscored}, f.ID)
	}
}

// openVEX writes an OpenVEX 0.2.0 document with one statement about the
// subject image.
func openVEX(id, docTime, stmtTime, status, justification string) string {
	s := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/` + id + `", "author": "Demo Security", "timestamp": "` + docTime + `", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2025-0001"}, "products": [{"@id": "pkg:oci/demo@sha256:` + vulnDemoHex + `"}], "status": "` + status + `"`
	if stmtTime != "" {
		s += `, "timestamp": "` + stmtTime + `"`
	}
	if justification != "" {
		s += `, "justification": "` + justification + `"`
	}
	if status == "affected" {
		s += `, "action_statement": "upgrade"`
	}
	if status == "not_affected" {
		s += `, "impact_statement": "the helper is not shipped"`
	}
	return s + `}]}`
}

// cdxVEX writes a CycloneDX 1.5 VEX about the subject image (the hub's
// shape).
func cdxVEX(metaTime, lastUpdated, state, justification string) string {
	return `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "metadata": {"timestamp": "` + metaTime + `", "component": {"type": "container", "name": "demo-image", "bom-ref": "demo", "hashes": [{"alg": "SHA-256", "content": "` + vulnDemoHex + `"}]}},
 "vulnerabilities": [{"id": "CVE-2025-0001", "analysis": {"state": "` + state + `", "justification": "` + justification + `", "detail": "the helper is not shipped", "lastUpdated": "` + lastUpdated + `"}}]}`
}

// assessOne runs the collector over the bound hub scan and the VEX files
// given, in order, and returns CVE-2025-0001's assessment.
func assessOne(t *testing.T, dir string, vexFiles ...string) (vexdoc.Result, *vex.Facts) {
	t.Helper()
	files := map[string]string{}
	items := []Item{{Kind: policy.KindVulnerabilities, Path: vulnFixture("vulns/hub-sbom-scan.grype.json")}}
	for i := 0; i+1 < len(vexFiles); i += 2 {
		files[vexFiles[i]] = vexFiles[i+1]
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	for i := 0; i+1 < len(vexFiles); i += 2 {
		items = append(items, Item{Kind: policy.KindVEX, Path: filepath.Join(dir, vexFiles[i])})
	}
	env := vulnEnv(nil, items...)
	facts := vulnerabilities.Collect(context.Background(), env, itemsOf(env, policy.KindVulnerabilities)).(*vulnerabilities.Facts)
	require.Empty(t, facts.Problems)
	require.True(t, facts.Reports[0].Bound)
	vf := vex.Collect(context.Background(), env, itemsOf(env, policy.KindVEX)).(*vex.Facts)
	require.Empty(t, vf.Problems)
	for _, f := range facts.Findings {
		if f.ID == "CVE-2025-0001" {
			res := f.Result
			for i := range res.NearMisses {
				// Evidence paths differ per temp dir; compare base names.
				res.NearMisses[i].Evidence = filepath.Base(res.NearMisses[i].Evidence)
			}
			if res.Decision != nil {
				d := *res.Decision
				d.Evidence = filepath.Base(d.Evidence)
				res.Decision = &d
			}
			for i := range res.Ties {
				res.Ties[i].Evidence = filepath.Base(res.Ties[i].Evidence)
			}
			return res, vf
		}
	}
	t.Fatal("no CVE-2025-0001")
	return vexdoc.Result{}, nil
}

// vulnEnv's now is 2026-11-28T00:00:00Z.
func TestVEXFutureDated(t *testing.T) {
	const past, future = "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"
	tests := []struct {
		name       string
		doc        string
		suppressed bool
		field      string
	}{
		{"openvex statement in the past", openVEX("a", past, past, "not_affected", "component_not_present"), true, ""},
		{"openvex statement dated at now", openVEX("a", past, "2026-11-28T00:00:00Z", "not_affected", "component_not_present"), true, ""},
		{"openvex statement after now", openVEX("a", past, future, "not_affected", "component_not_present"), false, "statements[0].timestamp"},
		{"openvex document after now", openVEX("a", future, past, "not_affected", "component_not_present"), false, "timestamp"},
		{"cyclonedx statement after now", cdxVEX(past, future, "not_affected", "code_not_present"), false, "vulnerabilities[0].analysis.lastUpdated"},
		{"cyclonedx document after now", cdxVEX(future, past, "not_affected", "code_not_present"), false, "metadata.timestamp"},
		{"cyclonedx in the past", cdxVEX(past, past, "not_affected", "code_not_present"), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, vf := assessOne(t, t.TempDir(), "vex.json", tt.doc)
			assert.Equal(t, tt.suppressed, res.Suppressed)
			if tt.field == "" {
				assert.Empty(t, vf.Future)
				return
			}
			assert.Nil(t, res.Decision, "a future statement decides nothing")
			require.Len(t, res.NearMisses, 1)
			assert.Contains(t, res.NearMisses[0].Reason, "dated after the evaluation time ("+tt.field+" 2026-12-01T00:00:00Z, now 2026-11-28T00:00:00Z)")
			require.Len(t, vf.Future, 1)
			assert.Equal(t, tt.field, vf.Future[0].Field)
			assert.Equal(t, future, vf.Future[0].Date)
			assert.Equal(t, "2026-11-28T00:00:00Z", vf.Now)
		})
	}
}

func TestVEXTieIndependentOfOrder(t *testing.T) {
	const ts = "2026-11-01T00:00:00Z"
	a := openVEX("a", ts, ts, "not_affected", "component_not_present")
	b := openVEX("b", ts, ts, "affected", "")
	dir := t.TempDir()
	ab, _ := assessOne(t, dir, "a.json", a, "b.json", b)
	ba, _ := assessOne(t, dir, "b.json", b, "a.json", a)
	assert.Equal(t, ab, ba, "the result does not depend on file order")
	assert.False(t, ab.Suppressed)
	assert.Equal(t, vexdoc.StatusAffected, ab.Status, "the less favourable status decides")
	require.Len(t, ab.Ties, 1)
	assert.Equal(t, vexdoc.StatusNotAffected, ab.Ties[0].Status)
	require.Len(t, ab.NearMisses, 1)
	assert.Contains(t, ab.NearMisses[0].Reason, "ties on time")

	// fixed against not_affected: fixed is the less favourable.
	c := openVEX("c", ts, ts, "fixed", "")
	dir = t.TempDir()
	ac, _ := assessOne(t, dir, "a.json", a, "c.json", c)
	ca, _ := assessOne(t, dir, "c.json", c, "a.json", a)
	assert.Equal(t, ac, ca)
	assert.Equal(t, vexdoc.StatusFixed, ac.Status)
	require.Len(t, ac.Ties, 1)

	// Closest negative: a second later, not_affected wins and there is no tie.
	later := openVEX("a", "2026-11-01T00:00:01Z", "2026-11-01T00:00:01Z", "not_affected", "component_not_present")
	dir = t.TempDir()
	lb, _ := assessOne(t, dir, "a.json", later, "b.json", b)
	bl, _ := assessOne(t, dir, "b.json", b, "a.json", later)
	assert.Equal(t, lb, bl)
	assert.True(t, lb.Suppressed)
	assert.Empty(t, lb.Ties)
	assert.Contains(t, lb.NearMisses[0].Reason, "superseded")
}

func TestVEXJustificationEnumerations(t *testing.T) {
	const ts = "2026-11-01T00:00:00Z"
	tests := []struct {
		name       string
		doc        string
		suppressed bool
		field      string
	}{
		{"openvex valid", openVEX("a", ts, ts, "not_affected", "vulnerable_code_not_in_execute_path"), true, ""},
		{"openvex bogus", openVEX("a", ts, ts, "not_affected", "trust_me"), false, "statements[0].justification"},
		{"openvex cyclonedx value", openVEX("a", ts, ts, "not_affected", "code_not_present"), false, "statements[0].justification"},
		{"cyclonedx valid", cdxVEX(ts, ts, "not_affected", "code_not_reachable"), true, ""},
		{"cyclonedx hub's openvex value", cdxVEX(ts, ts, "not_affected", "component_not_present"), true, ""},
		{"cyclonedx bogus", cdxVEX(ts, ts, "not_affected", "trust_me"), false, "vulnerabilities[0].analysis.justification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, vf := assessOne(t, t.TempDir(), "vex.json", tt.doc)
			assert.Equal(t, tt.suppressed, res.Suppressed)
			if tt.field == "" {
				assert.Empty(t, vf.InvalidJustification)
				return
			}
			require.Len(t, res.NearMisses, 1)
			assert.Contains(t, res.NearMisses[0].Reason, "not an enumerated value")
			require.Len(t, vf.InvalidJustification, 1)
			assert.Equal(t, tt.field, vf.InvalidJustification[0].Field)
			assert.NotEmpty(t, vf.InvalidJustification[0].Allowed)
			assert.Empty(t, vf.Unjustified, "an impact statement does not rescue a bogus justification")
		})
	}
}

// TestVulnerabilitiesUnboundReports: a report that names no subject digest
// is not malformed, but not bound either (vulnerabilities.bound fails it).
func TestVulnerabilitiesUnboundReports(t *testing.T) {
	unbound, _, _ := vexCheck(vulnEnv(nil, Item{Kind: policy.KindVulnerabilities, Path: vulnFixture("vulns/grype-report.sample.json")}))
	assert.Empty(t, unbound.Problems, "an unbound report is not malformed")
	require.Len(t, unbound.Reports, 1)
	assert.False(t, unbound.Reports[0].Bound)
	assert.Equal(t, "source.target", unbound.Reports[0].TargetField)
	assert.Contains(t, unbound.Reports[0].Unbound, "names no digest")

	bound, _, _ := vexCheck(vulnEnv(nil, Item{Kind: policy.KindVulnerabilities, Path: vulnFixture("vulns/hub-sbom-scan.grype.json")}))
	assert.Empty(t, bound.Problems)
	require.Len(t, bound.Reports, 1)
	assert.True(t, bound.Reports[0].Bound)
}
