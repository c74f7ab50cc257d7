// Package release writes the benchmark's full release: the evidence of one
// big, realistic release of acme/app, generated deterministically (the same
// bytes on every run, signatures included: the signing key is Ed25519, whose
// signatures are deterministic, derived from a fixed seed).
//
// The release is the one of issue 15's table:
//   - a CycloneDX 1.5 SBOM of 10,000 components (purls, hashes, licenses);
//   - a grype report of 2,000 matches, bound to the subject;
//   - an OpenVEX document of 1,000 statements (and the same statements as a
//     CycloneDX VEX, for the vulnerability gate alone);
//   - SLSA v1 provenance in a DSSE envelope and a message-signature bundle
//     over the subject, both signed by a registry key;
//   - a Squid access.log of 10,000 egress attempts against 500 allow entries;
//   - two 1,000-file determinism lists;
//   - SHA256SUMS over the subject.
//
// It uses the standard library alone, so that the harness (bench/) and the
// engine's benchmarks share it without pulling anything in.
package release

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Sizes is the shape of a release. [Full] is the table's.
type Sizes struct {
	Components   int // SBOM components
	Matches      int // grype matches
	Statements   int // VEX statements
	Egress       int // egress attempts
	Allow        int // egress allow entries in the registry
	Determinism  int // files in each determinism list
	SubjectBytes int // size of the subject file
}

// Full is the full release of the table.
var Full = Sizes{Components: 10_000, Matches: 2_000, Statements: 1_000, Egress: 10_000, Allow: 500, Determinism: 1_000, SubjectBytes: 4 << 20}

// Now is the evaluation time the release is made for.
var Now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// Repo is the release's repository.
const Repo = "acme/app"

// Builder is the trusted SLSA builder the provenance names.
const Builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0"

// Release is a written release: every file's path, under Dir.
type Release struct {
	Dir           string
	Registry      string // registry.cue: acme/app requires every kind given
	VulnRegistry  string // vuln-registry.cue: acme/app requires vulnerabilities only
	Subject       string
	SubjectDigest string // hex sha256
	Checksums     string
	SBOM          string
	Vulns         string
	VEX           string // OpenVEX
	CDXVEX        string // CycloneDX VEX, same statements
	Provenance    string // bare DSSE envelope (.intoto.jsonl)
	Signature     string // sigstore bundle v0.3, message signature
	PublicKey     string // PEM of the signing key
	Egress        string // Squid access.log
	DetOriginal   string
	DetRebuild    string
	// PeerInput is the vulnerability gate's input pre-normalised for the
	// peer policy (peer/sbom_vex.rego): what a shell step would have built
	// with jq before calling opa.
	PeerInput string
}

// EvalArgs are the hubgate eval arguments of the full release.
func (r *Release) EvalArgs() []string {
	return []string{"eval", "--registry", r.Registry, "--repo", Repo,
		"--subject", r.Subject, "--checksums", r.Checksums,
		"--sbom", r.SBOM, "--vulns", r.Vulns, "--vex", r.VEX,
		"--provenance", r.Provenance, "--signature", r.Signature,
		"--egress", r.Egress,
		"--determinism-original", r.DetOriginal, "--determinism-rebuild", r.DetRebuild,
		"--determinism-original-time", "2026-11-26T08:00:00Z", "--determinism-rebuild-time", "2026-11-27T09:00:00Z",
		"--now", Now.Format(time.RFC3339), "-o", "json"}
}

// VulnArgs are the hubgate eval arguments of the vulnerability gate alone:
// raw grype, the CycloneDX VEX, the SBOM, the registry (whose org
// defaults require checksums too; the subject is given by digest).
func (r *Release) VulnArgs() []string {
	return []string{"eval", "--registry", r.VulnRegistry, "--repo", Repo,
		"--subject-digest", "app.tar.gz=sha256:" + r.SubjectDigest,
		"--checksums", r.Checksums, "--sbom", r.SBOM, "--vulns", r.Vulns, "--vex", r.CDXVEX,
		"--now", Now.Format(time.RFC3339), "-o", "json"}
}

// key is the deterministic signing key.
func key() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("hubgate bench signing key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Write generates the release into dir (created if needed).
func Write(dir string, s Sizes) (*Release, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r := &Release{Dir: dir}
	var werr error
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil && werr == nil {
			werr = err
		}
		return p
	}
	js := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil && werr == nil {
			werr = err
		}
		return b
	}

	// The subject: deterministic pseudo-random bytes (a SHA-256 chain).
	art := make([]byte, 0, s.SubjectBytes+32)
	blk := sha256.Sum256([]byte("hubgate bench subject"))
	for len(art) < s.SubjectBytes {
		art = append(art, blk[:]...)
		blk = sha256.Sum256(blk[:])
	}
	art = art[:s.SubjectBytes]
	sum := sha256.Sum256(art)
	digest := hex.EncodeToString(sum[:])
	r.SubjectDigest = digest
	r.Subject = write("app.tar.gz", art)
	r.Checksums = write("SHA256SUMS", []byte(digest+"  app.tar.gz\n"))

	// SBOM.
	purl := func(i int) string {
		return fmt.Sprintf("pkg:npm/%%40scope%d/pkg-%d@1.%d.0", i%97, i, i%10)
	}
	comps := make([]map[string]any, s.Components)
	for i := range comps {
		comps[i] = map[string]any{
			"type": "library", "bom-ref": fmt.Sprintf("c%d", i), "name": fmt.Sprintf("pkg-%d", i),
			"group": fmt.Sprintf("@scope%d", i%97), "version": fmt.Sprintf("1.%d.0", i%10), "purl": purl(i),
			"licenses": []any{map[string]any{"license": map[string]any{"id": []string{"MIT", "Apache-2.0", "BSD-3-Clause"}[i%3]}}},
			"hashes":   []any{map[string]any{"alg": "SHA-256", "content": fmt.Sprintf("%064x", i)}},
		}
	}
	r.SBOM = write("sbom.cdx.json", js(map[string]any{
		"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
		"metadata": map[string]any{"timestamp": "2026-11-27T10:00:00Z", "component": map[string]any{
			"type": "application", "name": "app.tar.gz", "bom-ref": "app",
			"hashes": []any{map[string]any{"alg": "SHA-256", "content": digest}}}},
		"components": comps,
	}))

	// grype: matches on every (Components/Matches)-th component, low scores
	// mostly, so that the gate has work to do and a few findings.
	step := max(1, s.Components/max(1, s.Matches))
	matches := make([]map[string]any, s.Matches)
	for j := range matches {
		c := (j * step) % s.Components
		score := float64(j%70) / 10 // below 7.0
		matches[j] = map[string]any{
			"vulnerability": map[string]any{"id": fmt.Sprintf("GHSA-%04d-%04d-xxxx", j/10000, j%10000), "severity": "Medium",
				"cvss": []any{map[string]any{"version": "3.1", "metrics": map[string]any{"baseScore": score}}}},
			"relatedVulnerabilities": []any{map[string]any{"id": fmt.Sprintf("CVE-2026-%d", 10000+j),
				"cvss": []any{map[string]any{"version": "3.1", "metrics": map[string]any{"baseScore": score}}}}},
			"artifact": map[string]any{"name": fmt.Sprintf("pkg-%d", c), "version": fmt.Sprintf("1.%d.0", c%10), "purl": purl(c)},
			"metadata": map[string]any{"epss": map[string]any{"percentile": float64(j%1000) / 1000}},
		}
	}
	r.Vulns = write("grype.json", js(map[string]any{"matches": matches,
		"source": map[string]any{"type": "file", "target": map[string]any{"userInput": "app.tar.gz", "manifestDigest": "sha256:" + digest}}}))

	// VEX: statements on every other match, alternating subject-scoped
	// (subject + subcomponent) and purl-scoped.
	stmts := make([]map[string]any, s.Statements)
	cdxVulns := make([]map[string]any, s.Statements)
	for k := range stmts {
		j := (k * 2) % max(1, s.Matches)
		c := (j * step) % s.Components
		var prod map[string]any
		if k%2 == 0 {
			prod = map[string]any{"@id": "pkg:generic/app.tar.gz?checksum=sha256:" + digest, "identifiers": map[string]any{"purl": "pkg:generic/app.tar.gz"},
				"hashes": map[string]any{"sha-256": digest}, "subcomponents": []any{map[string]any{"@id": purl(c)}}}
		} else {
			prod = map[string]any{"@id": purl(c)}
		}
		ts := time.Date(2026, 11, 1, 0, 0, k%60, 0, time.UTC).Format(time.RFC3339)
		stmts[k] = map[string]any{
			"vulnerability": map[string]any{"name": fmt.Sprintf("CVE-2026-%d", 10000+j)},
			"products":      []any{prod}, "status": "not_affected", "justification": "vulnerable_code_not_present",
			"timestamp": ts,
		}
		cdxVulns[k] = map[string]any{
			"bom-ref": fmt.Sprintf("v%d", k), "id": fmt.Sprintf("CVE-2026-%d", 10000+j),
			"analysis": map[string]any{"state": "not_affected", "justification": "code_not_present", "lastUpdated": ts},
			"affects":  []any{map[string]any{"ref": purl(c)}},
		}
	}
	r.VEX = write("vex.openvex.json", js(map[string]any{"@context": "https://openvex.dev/ns/v0.2.0",
		"@id": "https://acme.example/vex/app-1.0.0", "author": "acme security", "timestamp": "2026-11-27T10:00:00Z",
		"version": 1, "statements": stmts}))
	r.CDXVEX = write("vex.cdx.json", js(map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"serialNumber":    "urn:uuid:5b1c5f0e-8f7e-4c7b-9a43-0d3b1f3b2a11",
		"metadata":        map[string]any{"timestamp": "2026-11-27T10:00:00Z", "component": map[string]any{"type": "application", "name": "app.tar.gz", "bom-ref": "app", "hashes": []any{map[string]any{"alg": "SHA-256", "content": digest}}}},
		"vulnerabilities": cdxVulns}))

	// Provenance and signature, keyed.
	k := key()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, err
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	r.PublicKey = write("key.pub", pubPEM)
	stmt := js(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": "app.tar.gz", "digest": map[string]string{"sha256": digest}}},
		"predicateType": "https://slsa.dev/provenance/v1",
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType":          "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
				"externalParameters": map[string]any{"workflow": map[string]any{"ref": "refs/tags/v1.0.0", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"}},
				"internalParameters": map[string]any{"github": map[string]any{"event_name": "push"}},
				"resolvedDependencies": []any{map[string]any{"uri": "git+https://github.com/acme/app@refs/tags/v1.0.0",
					"digest": map[string]any{"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}},
			},
			"runDetails": map[string]any{"builder": map[string]any{"id": Builder}},
		},
	})
	const payloadType = "application/vnd.in-toto+json"
	pae := "DSSEv1 " + strconv.Itoa(len(payloadType)) + " " + payloadType + " " + strconv.Itoa(len(stmt)) + " " + string(stmt)
	r.Provenance = write("app.intoto.jsonl", append(js(map[string]any{
		"payloadType": payloadType,
		"payload":     base64.StdEncoding.EncodeToString(stmt),
		"signatures":  []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(ed25519.Sign(k, []byte(pae)))}},
	}), '\n'))
	r.Signature = write("app.tar.gz.sigstore.json", js(map[string]any{
		"mediaType":            "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{"publicKey": map[string]any{"hint": "bench-key"}},
		"messageSignature": map[string]any{
			"messageDigest": map[string]any{"algorithm": "SHA2_256", "digest": base64.StdEncoding.EncodeToString(sum[:])},
			"signature":     base64.StdEncoding.EncodeToString(ed25519.Sign(k, art)),
		},
	}))

	// Egress: 500 allow entries (exact hosts and wildcards), 10k attempts on
	// allowed hosts and the denied canary.
	allow := make([]string, s.Allow)
	for i := range allow {
		if i%5 == 0 {
			allow[i] = fmt.Sprintf("*.mirror%d.example.com", i)
		} else {
			allow[i] = fmt.Sprintf("host%d.example.com", i)
		}
	}
	var log strings.Builder
	for i := range s.Egress {
		a := (i * 7) % s.Allow
		host := allow[a]
		if strings.HasPrefix(host, "*.") {
			host = fmt.Sprintf("cdn%d.%s", i%13, host[2:])
		}
		fmt.Fprintf(&log, "%d.%03d %6d 10.1.0.5 TCP_TUNNEL/200 %d CONNECT %s:443 - HIER_DIRECT/10.2.%d.%d -\n",
			1764300000+i/1000, i%1000, 50+i%200, 1000+i%5000, host, (i/250)%250, i%250)
	}
	fmt.Fprintf(&log, "%d.999      0 10.1.0.5 TCP_DENIED/403 3900 CONNECT canary.hubgate.invalid:443 - HIER_NONE/- text/html\n", 1764300000+s.Egress/1000)
	r.Egress = write("access.log", []byte(log.String()))

	// Determinism: equal lists, the rebuild's in another order.
	var orig, reb strings.Builder
	fmt.Fprintf(&orig, "%s  dist/app.tar.gz\n", digest)
	lines := make([]string, s.Determinism-1)
	for i := range lines {
		h := sha256.Sum256([]byte("file " + strconv.Itoa(i)))
		lines[i] = fmt.Sprintf("%x  dist/files/f%04d.bin\n", h, i)
		orig.WriteString(lines[i])
	}
	for i := len(lines) - 1; i >= 0; i-- {
		reb.WriteString(lines[i])
	}
	fmt.Fprintf(&reb, "%s  dist/app.tar.gz\n", digest)
	r.DetOriginal = write("original.sha256", []byte(orig.String()))
	r.DetRebuild = write("rebuild.sha256", []byte(reb.String()))

	// Registries.
	keyJSON := js(string(pubPEM))
	allowJSON := js(allow)
	r.Registry = write("registry.cue", []byte(`repos: "acme/app": {
	require: ["checksums", "sbom", "vex", "vulnerabilities", "provenance", "signature", "egress", "determinism"]
	provenance: keys: [`+string(keyJSON)+`]
	vulnerabilities: cvss_threshold: 7.0
	egress: {allow: `+string(allowJSON)+`, canary: "canary.hubgate.invalid", blocked_attempts: "fail"}
}
`))
	r.VulnRegistry = write("vuln-registry.cue", []byte(`repos: "acme/app": {
	require: ["checksums", "vulnerabilities"]
	vulnerabilities: cvss_threshold: 7.0
}
`))

	// The peer's input: what the old hub's shell step fed opa, already
	// normalised with jq: flat vulnerabilities, flat VEX exemptions.
	type pv struct {
		ID    string  `json:"id"`
		Purl  string  `json:"purl"`
		Score float64 `json:"score"`
		EPSS  float64 `json:"epss"`
	}
	type pe struct {
		ID     string `json:"id"`
		Purl   string `json:"purl"`
		Status string `json:"status"`
	}
	pin := struct {
		Threshold float64  `json:"threshold"`
		EPSS      float64  `json:"epss_threshold"`
		Vulns     []pv     `json:"vulnerabilities"`
		VEX       []pe     `json:"vex"`
		SBOM      []string `json:"components"`
	}{Threshold: 7.0, EPSS: 0.75}
	for j, m := range matches {
		c := (j * step) % s.Components
		pin.Vulns = append(pin.Vulns, pv{ID: fmt.Sprintf("CVE-2026-%d", 10000+j), Purl: purl(c), Score: m["vulnerability"].(map[string]any)["cvss"].([]any)[0].(map[string]any)["metrics"].(map[string]any)["baseScore"].(float64),
			EPSS: m["metadata"].(map[string]any)["epss"].(map[string]any)["percentile"].(float64)})
	}
	for k := range stmts {
		j := (k * 2) % max(1, s.Matches)
		pin.VEX = append(pin.VEX, pe{ID: fmt.Sprintf("CVE-2026-%d", 10000+j), Purl: purl((j * step) % s.Components), Status: "not_affected"})
	}
	for i := range s.Components {
		pin.SBOM = append(pin.SBOM, purl(i))
	}
	r.PeerInput = write("peer-input.json", js(pin))
	if werr != nil {
		return nil, werr
	}
	return r, nil
}
