package vsa_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

const (
	imgHex    = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	otherHex  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	policyDig = "sha256:1234567890123456789012345678901234567890123456789012345678901234"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func decision(allowed bool) *policy.Decision {
	o := policy.OutcomePass
	if !allowed {
		o = policy.OutcomeFail
	}
	return &policy.Decision{
		MediaType: policy.DecisionMediaType,
		Outcome:   o,
		Allowed:   allowed,
		Repo:      "acme/api",
		Subjects:  []policy.Subject{subject()},
		Policy:    policy.PolicyRef{Digest: policyDig},
		Inputs: []policy.Input{
			{Kind: policy.KindProvenance, Path: "prov.sigstore.json", Digest: policy.Digest{"sha256": otherHex}},
			{Kind: policy.KindSBOM, Path: "sbom.json"}, // no digest: not listed
		},
		Checks: []policy.Check{{Kind: policy.KindProvenance, Outcome: o}},
		Time:   t0,
	}
}

func subject() policy.Subject {
	return policy.Subject{Name: "ghcr.io/acme/api", Digest: policy.Digest{"sha256": imgHex}}
}

func newKey(t *testing.T, alg vsa.Algorithm) *vsa.Key {
	t.Helper()
	k, err := vsa.GenerateKey(alg)
	require.NoError(t, err)
	return k
}

func signed(t *testing.T, k *vsa.Key, d *policy.Decision) []byte {
	t.Helper()
	b, err := vsa.Sign(d, subject(), k, vsa.Options{VerifierID: "https://ci.example/hubgate"})
	require.NoError(t, err)
	return b
}

// tamper rewrites the DSSE payload of a bundle with f and keeps the signature.
func tamper(t *testing.T, b []byte, f func(string) string) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	env := m["dsseEnvelope"].(map[string]any)
	p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	require.NoError(t, err)
	np := f(string(p))
	require.NotEqual(t, string(p), np, "tamper changed nothing")
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(np))
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// TestSignVerify: VerifyBundle checks the signature, the subject and the
// format, and reports the claims; it judges none of them (a FAILED, old or
// future summary verifies: the hub.lib.vsa_problems Rego function judges
// it, see engine's TestEvaluateVSA and rego/lib_vsa_test.rego).
func TestSignVerify(t *testing.T) {
	for _, alg := range []vsa.Algorithm{vsa.AlgorithmECDSAP256, vsa.AlgorithmEd25519} {
		t.Run(string(alg), func(t *testing.T) {
			k := newKey(t, alg)
			other := newKey(t, alg)
			good := signed(t, k, decision(true))
			failed := signed(t, k, decision(false))
			t.Run("claims are reported, not judged", func(t *testing.T) {
				s, err := vsa.VerifyBundle(failed, k.Public(), "sha256:"+imgHex)
				require.NoError(t, err)
				assert.Equal(t, vsa.ResultFailed, s.Result)
				assert.Equal(t, []string{"FAILED"}, s.VerifiedLevels)
				assert.True(t, t0.Equal(s.TimeVerified))
			})
			tests := []struct {
				name    string
				bundle  []byte
				pub     *vsa.PublicKey
				digest  string
				wantErr error
			}{
				{name: "valid", bundle: good, pub: k.Public(), digest: "sha256:" + imgHex},
				{name: "other key", bundle: good, pub: other.Public(), digest: "sha256:" + imgHex, wantErr: vsa.ErrSignature},
				{name: "other digest", bundle: good, pub: k.Public(), digest: "sha256:" + otherHex, wantErr: vsa.ErrSignature},
				{name: "tampered result", bundle: tamper(t, failed, func(s string) string {
					return strings.Replace(s, `"FAILED","verifiedLevels":["FAILED"]`, `"PASSED","verifiedLevels":["SLSA_BUILD_LEVEL_3"]`, 1)
				}), pub: k.Public(), digest: "sha256:" + imgHex, wantErr: vsa.ErrSignature},
				{name: "tampered subject", bundle: tamper(t, good, func(s string) string { return strings.Replace(s, imgHex, otherHex, 1) }), pub: k.Public(), digest: "sha256:" + otherHex, wantErr: vsa.ErrSignature},
				{name: "tampered repo", bundle: tamper(t, good, func(s string) string { return strings.Replace(s, "github.com/acme/api", "github.com/acme/other", 1) }), pub: k.Public(), digest: "sha256:" + imgHex, wantErr: vsa.ErrSignature},
				{name: "not json", bundle: []byte("{"), pub: k.Public(), digest: "sha256:" + imgHex, wantErr: vsa.ErrMalformed},
				{name: "empty", bundle: nil, pub: k.Public(), digest: "sha256:" + imgHex, wantErr: vsa.ErrMalformed},
				{name: "too large", bundle: make([]byte, vsa.MaxBundleSize+1), pub: k.Public(), digest: "sha256:" + imgHex, wantErr: vsa.ErrMalformed},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s, err := vsa.VerifyBundle(tc.bundle, tc.pub, tc.digest)
					if tc.wantErr != nil {
						require.ErrorIs(t, err, tc.wantErr)
						return
					}
					require.NoError(t, err)
					assert.Equal(t, vsa.ResultPassed, s.Result)
					assert.Equal(t, "sha256:"+imgHex, s.Digest)
					assert.Equal(t, k.Public().ID(), s.KeyID)
					assert.Equal(t, []string{policyDig}, s.PolicyDigests)
					assert.True(t, t0.Equal(s.TimeVerified))
					assert.Equal(t, "git+https://github.com/acme/api", s.ResourceURI)
					assert.Equal(t, "acme/api", s.Repo)
					assert.Equal(t, []string{"SLSA_BUILD_LEVEL_1"}, s.VerifiedLevels)
					assert.Equal(t, 1, s.InputAttestations)
				})
			}
		})
	}
}

func TestStatement(t *testing.T) {
	st, err := vsa.Statement(decision(true), subject(), vsa.Options{})
	require.NoError(t, err)
	a, err := vsa.MarshalStatement(st)
	require.NoError(t, err)
	st2, err := vsa.Statement(decision(true), subject(), vsa.Options{})
	require.NoError(t, err)
	b, err := vsa.MarshalStatement(st2)
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b), "same inputs, same bytes")

	var m struct {
		Type          string `json:"_type"`
		PredicateType string `json:"predicateType"`
		Subject       []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		Predicate struct {
			Verifier struct {
				ID string `json:"id"`
			} `json:"verifier"`
			TimeVerified string `json:"timeVerified"`
			ResourceURI  string `json:"resourceUri"`
			Policy       struct {
				URI    string            `json:"uri"`
				Digest map[string]string `json:"digest"`
			} `json:"policy"`
			InputAttestations []struct {
				URI    string            `json:"uri"`
				Digest map[string]string `json:"digest"`
			} `json:"inputAttestations"`
			VerificationResult string   `json:"verificationResult"`
			VerifiedLevels     []string `json:"verifiedLevels"`
		} `json:"predicate"`
	}
	require.NoError(t, json.Unmarshal(a, &m))
	assert.Equal(t, "https://in-toto.io/Statement/v1", m.Type)
	assert.Equal(t, vsa.PredicateType, m.PredicateType)
	require.Len(t, m.Subject, 1)
	assert.Equal(t, map[string]string{"sha256": imgHex}, m.Subject[0].Digest)
	assert.Equal(t, vsa.DefaultVerifierID, m.Predicate.Verifier.ID)
	assert.Equal(t, "2026-11-28T12:00:00Z", m.Predicate.TimeVerified)
	assert.Equal(t, map[string]string{"sha256": strings.TrimPrefix(policyDig, "sha256:")}, m.Predicate.Policy.Digest)
	assert.Equal(t, vsa.DefaultPolicyURI, m.Predicate.Policy.URI)
	assert.Equal(t, "git+https://github.com/acme/api", m.Predicate.ResourceURI, "resourceUri is the repo")
	assert.Equal(t, "ghcr.io/acme/api", m.Subject[0].Name)
	require.Len(t, m.Predicate.InputAttestations, 1)
	assert.Equal(t, "prov.sigstore.json", m.Predicate.InputAttestations[0].URI)
	assert.Equal(t, "PASSED", m.Predicate.VerificationResult)

	t.Run("failed decision", func(t *testing.T) {
		st, err := vsa.Statement(decision(false), subject(), vsa.Options{VerifiedLevels: []string{"SLSA_BUILD_LEVEL_3"}})
		require.NoError(t, err)
		b, err := vsa.MarshalStatement(st)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"verificationResult":"FAILED","verifiedLevels":["FAILED"]`)
	})

	bad := []struct {
		name string
		d    func() *policy.Decision
		s    policy.Subject
		want string
	}{
		{name: "nil decision", d: func() *policy.Decision { return nil }, s: subject(), want: "nil decision"},
		{name: "no sha256", d: func() *policy.Decision { return decision(true) }, s: policy.Subject{Name: "x", Digest: policy.Digest{"sha512": "ab"}}, want: "sha256 digest"},
		{name: "upper hex", d: func() *policy.Decision { return decision(true) }, s: policy.Subject{Name: "x", Digest: policy.Digest{"sha256": strings.ToUpper(imgHex)}}, want: "lower-case"},
		{name: "no time", d: func() *policy.Decision { d := decision(true); d.Time = time.Time{}; return d }, s: subject(), want: "no time"},
		{name: "no policy digest", d: func() *policy.Decision { d := decision(true); d.Policy.Digest = ""; return d }, s: subject(), want: "policy digest"},
		{name: "no repo", d: func() *policy.Decision { d := decision(true); d.Repo = ""; return d }, s: subject(), want: "repo"},
		{name: "repo not owner/name", d: func() *policy.Decision { d := decision(true); d.Repo = "acme/api/../x"; return d }, s: subject(), want: "want owner/name"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vsa.Statement(tc.d(), tc.s, vsa.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestKeys(t *testing.T) {
	for _, alg := range []vsa.Algorithm{vsa.AlgorithmECDSAP256, vsa.AlgorithmEd25519} {
		t.Run(string(alg)+" round trip", func(t *testing.T) {
			k := newKey(t, alg)
			p, err := k.MarshalPrivateKeyPEM()
			require.NoError(t, err)
			assert.Contains(t, string(p), "-----BEGIN PRIVATE KEY-----")
			k2, err := vsa.LoadPrivateKey(p)
			require.NoError(t, err)
			assert.Equal(t, k.Public().ID(), k2.Public().ID())
			pub, err := vsa.LoadPublicKey(k.Public().MarshalPEM())
			require.NoError(t, err)
			assert.Equal(t, k.Public().ID(), pub.ID())
			// A bundle signed by the reloaded key verifies with the reloaded public key.
			b := signed(t, k2, decision(true))
			_, err = vsa.VerifyBundle(b, pub, "sha256:"+imgHex)
			require.NoError(t, err)
		})
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	p384der, err := x509.MarshalPKCS8PrivateKey(p384)
	require.NoError(t, err)
	p384PubDer, err := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rsaDer, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	require.NoError(t, err)
	rsaPubDer, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	require.NoError(t, err)
	bad := []struct {
		name string
		pem  []byte
		pub  bool
		want string
	}{
		{name: "garbage", pem: []byte("not a key"), want: "no PEM block"},
		{name: "p384", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p384der}), want: "P-384"},
		{name: "rsa", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaDer}), want: "unsupported key type"},
		{name: "wrong type", pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), want: "want PRIVATE KEY"},
		{name: "bad der", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), want: "malformed"},
		{name: "public rsa", pem: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPubDer}), pub: true, want: "unsupported key type"},
		{name: "public as private", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaPubDer}), want: "malformed"},
		{name: "public p384", pem: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p384PubDer}), pub: true, want: "P-384"},
		{name: "public garbage", pem: []byte("not a key"), pub: true, want: "no PEM block"},
		{name: "public wrong type", pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), pub: true, want: `want "PUBLIC KEY"`},
		{name: "public bad der", pem: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2}}), pub: true, want: "malformed"},
		{name: "public too large", pem: make([]byte, 64<<10+1), pub: true, want: "larger than 65536 bytes"},
		{name: "private too large", pem: make([]byte, 64<<10+1), want: "larger than 65536 bytes"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.pub {
				_, err = vsa.LoadPublicKey(tc.pem)
			} else {
				_, err = vsa.LoadPrivateKey(tc.pem)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func FuzzVerifyBundle(f *testing.F) {
	k, err := vsa.GenerateKey(vsa.AlgorithmEd25519)
	require.NoError(f, err)
	b, err := vsa.Sign(decision(true), subject(), k, vsa.Options{})
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := vsa.VerifyBundle(data, k.Public(), "sha256:"+imgHex)
		if err == nil && s.Digest != "sha256:"+imgHex {
			t.Fatalf("verified a summary of another digest: %+v", s)
		}
	})
}

func TestFileName(t *testing.T) {
	n, err := vsa.FileName(subject())
	require.NoError(t, err)
	assert.Equal(t, imgHex+".vsa.json", n)
	_, err = vsa.FileName(policy.Subject{Name: "x", Digest: policy.Digest{"sha256": "../../x"}})
	require.Error(t, err)
}

// TestParseDigestIsCanonical: an image digest is sha256 in lower case;
// the forms policy.ParseDigest also reads are refused.
func TestParseDigestIsCanonical(t *testing.T) {
	b, err := vsa.ParseDigest("sha256:" + imgHex)
	require.NoError(t, err)
	assert.Len(t, b, 32)
	for _, d := range []string{
		"", imgHex, "sha256:" + strings.ToUpper(imgHex), "SHA256:" + imgHex,
		"sha512:" + imgHex + imgHex, "sha256:" + imgHex[1:], "sha256:../" + imgHex[3:],
	} {
		_, err := vsa.ParseDigest(d)
		assert.Error(t, err, d)
	}
}

func TestRepoURI(t *testing.T) {
	u, err := vsa.RepoURI("acme/api")
	require.NoError(t, err)
	assert.Equal(t, "git+https://github.com/acme/api", u)
	r, ok := vsa.RepoFromURI(u)
	assert.True(t, ok)
	assert.Equal(t, "acme/api", r)
	for _, bad := range []string{"", "acme", "acme/api/x", "-acme/api", "acme/a b"} {
		_, err := vsa.RepoURI(bad)
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"", "https://github.com/acme/api", "git+https://gitlab.com/acme/api", "git+https://github.com/acme/api/x", "git+https://github.com/acme/api@main", "ghcr.io/acme/api@sha256:" + imgHex} {
		_, ok := vsa.RepoFromURI(bad)
		assert.False(t, ok, bad)
	}
}
