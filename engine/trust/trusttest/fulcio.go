package trusttest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/rekor/pkg/pki"
	"github.com/sigstore/rekor/pkg/types"
	_ "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1" // registers hashedrekord v0.0.1
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// Cert is what a minted Fulcio leaf certificate says: its SAN (a URI when
// it parses as one with a scheme, else an e-mail address) and its Fulcio
// extensions (Issuer and every other non-empty field, each as a DER
// UTF8String under its v2 OID 1.3.6.1.4.1.57264.1.8 to .22).
type Cert struct {
	SAN        string
	Extensions certificate.Extensions
}

// DefaultCommit is the source commit [GitHubCert] puts in certificates.
const DefaultCommit = "0123456789abcdef0123456789abcdef01234567"

var workflowSAN = regexp.MustCompile(`^https://github\.com/([^/]+/[^/]+)/\.github/workflows/[^@]+@(.+)$`)

// GitHubCert is the certificate GitHub Actions gets from Fulcio for a
// workflow run whose job_workflow_ref is san, run in the workflow's own
// repository on a push of the workflow's ref: source repository, ref and
// build signer taken from san, trigger "push", commit [DefaultCommit]. For
// any other SAN or issuer, only the issuer is set.
func GitHubCert(san, issuer string) Cert {
	c := Cert{SAN: san, Extensions: certificate.Extensions{Issuer: issuer}}
	m := workflowSAN.FindStringSubmatch(san)
	if issuer != "https://token.actions.githubusercontent.com" || m == nil {
		return c
	}
	e := &c.Extensions
	e.SourceRepositoryURI = "https://github.com/" + m[1]
	e.SourceRepositoryRef = m[2]
	e.SourceRepositoryDigest = DefaultCommit
	e.BuildSignerURI = san
	e.BuildConfigURI = san
	e.BuildTrigger = "push"
	e.RunnerEnvironment = "github-hosted"
	e.RunInvocationURI = "https://github.com/" + m[1] + "/actions/runs/1/attempts/1"
	return c
}

// fulcio is a test Fulcio CA whose leaves carry [Cert]'s extensions.
type fulcio struct {
	ca    *root.FulcioCertificateAuthority
	inter *x509.Certificate
	key   *ecdsa.PrivateKey
}

func newFulcio(t testing.TB) *fulcio {
	t.Helper()
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		t.Fatalf("fulcio root: %v", err)
	}
	inter, key, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		t.Fatalf("fulcio intermediate: %v", err)
	}
	return &fulcio{
		ca: &root.FulcioCertificateAuthority{
			URI:                 "https://virtual.fulcio.sigstore.dev",
			Root:                rootCert,
			Intermediates:       []*x509.Certificate{inter},
			ValidityPeriodStart: time.Now().Add(-5 * time.Hour),
			ValidityPeriodEnd:   time.Now().Add(time.Hour),
		},
		inter: inter,
		key:   key,
	}
}

var extensionOIDs = []struct {
	oid asn1.ObjectIdentifier
	get func(e *certificate.Extensions) string
}{
	{certificate.OIDIssuerV2, func(e *certificate.Extensions) string { return e.Issuer }},
	{certificate.OIDBuildSignerURI, func(e *certificate.Extensions) string { return e.BuildSignerURI }},
	{certificate.OIDBuildSignerDigest, func(e *certificate.Extensions) string { return e.BuildSignerDigest }},
	{certificate.OIDRunnerEnvironment, func(e *certificate.Extensions) string { return e.RunnerEnvironment }},
	{certificate.OIDSourceRepositoryURI, func(e *certificate.Extensions) string { return e.SourceRepositoryURI }},
	{certificate.OIDSourceRepositoryDigest, func(e *certificate.Extensions) string { return e.SourceRepositoryDigest }},
	{certificate.OIDSourceRepositoryRef, func(e *certificate.Extensions) string { return e.SourceRepositoryRef }},
	{certificate.OIDSourceRepositoryIdentifier, func(e *certificate.Extensions) string { return e.SourceRepositoryIdentifier }},
	{certificate.OIDSourceRepositoryOwnerURI, func(e *certificate.Extensions) string { return e.SourceRepositoryOwnerURI }},
	{certificate.OIDSourceRepositoryOwnerIdentifier, func(e *certificate.Extensions) string { return e.SourceRepositoryOwnerIdentifier }},
	{certificate.OIDBuildConfigURI, func(e *certificate.Extensions) string { return e.BuildConfigURI }},
	{certificate.OIDBuildConfigDigest, func(e *certificate.Extensions) string { return e.BuildConfigDigest }},
	{certificate.OIDBuildTrigger, func(e *certificate.Extensions) string { return e.BuildTrigger }},
	{certificate.OIDRunInvocationURI, func(e *certificate.Extensions) string { return e.RunInvocationURI }},
	{certificate.OIDSourceRepositoryVisibilityAtSigning, func(e *certificate.Extensions) string { return e.SourceRepositoryVisibilityAtSigning }},
}

// leaf mints a 10-minute leaf certificate from now for c.
func (f *fulcio) leaf(t testing.TB, c Cert) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("leaf key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore:    time.Now(),
		NotAfter:     time.Now().Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	if u, err := url.Parse(c.SAN); err == nil && strings.Contains(c.SAN, "://") {
		tmpl.URIs = []*url.URL{u}
	} else {
		tmpl.EmailAddresses = []string{c.SAN}
	}
	for _, x := range extensionOIDs {
		v := x.get(&c.Extensions)
		if v == "" {
			continue
		}
		der, err := asn1.MarshalWithParams(v, "utf8")
		if err != nil {
			t.Fatalf("extension %v: %v", x.oid, err)
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: x.oid, Value: der})
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.inter, &key.PublicKey, f.key)
	if err != nil {
		t.Fatalf("leaf certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse leaf certificate: %v", err)
	}
	return cert, key
}

// parts are the pieces of one keyless bundle.
type parts struct {
	cert    *x509.Certificate
	env     *dsse.Envelope
	digest  []byte
	sig     []byte
	entries []*tlog.Entry
	tss     [][]byte
}

func (s *Sigstore) attest(t testing.TB, c Cert, statement []byte, at time.Time) parts {
	t.Helper()
	cert, key := s.fulcio.leaf(t, c)
	pae := PAE(InTotoPayloadType, statement)
	d := sha256.Sum256(pae)
	sig, err := ecdsa.SignASN1(rand.Reader, key, d[:])
	if err != nil {
		t.Fatalf("sign envelope: %v", err)
	}
	env := &dsse.Envelope{
		PayloadType: InTotoPayloadType,
		Payload:     base64.StdEncoding.EncodeToString(statement),
		Signatures:  []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}},
	}
	entry, err := s.VS.GenerateTlogEntry(cert, env, sig, at.Unix(), true)
	if err != nil {
		t.Fatalf("tlog entry: %v", err)
	}
	return parts{cert: cert, env: env, sig: sig, entries: []*tlog.Entry{entry}, tss: s.timestamp(t, sig)}
}

func (s *Sigstore) sign(t testing.TB, c Cert, artifact []byte, at time.Time) parts {
	t.Helper()
	cert, key := s.fulcio.leaf(t, c)
	d := sha256.Sum256(artifact)
	sig, err := ecdsa.SignASN1(rand.Reader, key, d[:])
	if err != nil {
		t.Fatalf("sign artifact: %v", err)
	}
	certPEM, err := cryptoutils.MarshalCertificateToPEM(cert)
	if err != nil {
		t.Fatalf("certificate pem: %v", err)
	}
	ctx := context.Background()
	pe, err := types.NewProposedEntry(ctx, "hashedrekord", "0.0.1", types.ArtifactProperties{
		PublicKeyBytes: [][]byte{certPEM},
		PKIFormat:      string(pki.X509),
		ArtifactHash:   hex.EncodeToString(d[:]),
		SignatureBytes: sig,
	})
	if err != nil {
		t.Fatalf("hashedrekord entry: %v", err)
	}
	impl, err := types.CreateVersionedEntry(pe)
	if err != nil {
		t.Fatalf("hashedrekord entry: %v", err)
	}
	body, err := types.CanonicalizeEntry(ctx, impl)
	if err != nil {
		t.Fatalf("canonicalize hashedrekord: %v", err)
	}
	logID, err := s.VS.RekorLogID()
	if err != nil {
		t.Fatalf("rekor log id: %v", err)
	}
	rawID, err := hex.DecodeString(logID)
	if err != nil {
		t.Fatalf("rekor log id: %v", err)
	}
	const logIndex = 1000
	set, err := s.VS.RekorSignPayload(tlog.RekorPayload{
		Body: base64.StdEncoding.EncodeToString(body), IntegratedTime: at.Unix(), LogIndex: logIndex, LogID: logID,
	})
	if err != nil {
		t.Fatalf("sign SET: %v", err)
	}
	entry, err := tlog.NewEntry(body, at.Unix(), logIndex, rawID, set, nil) //nolint:staticcheck // as VirtualSigstore does
	if err != nil {
		t.Fatalf("tlog entry: %v", err)
	}
	return parts{cert: cert, digest: d[:], sig: sig, entries: []*tlog.Entry{entry}, tss: s.timestamp(t, sig)}
}

func (s *Sigstore) timestamp(t testing.TB, sig []byte) [][]byte {
	t.Helper()
	ts, err := s.VS.TimestampResponse(sig)
	if err != nil {
		t.Fatalf("timestamp: %v", err)
	}
	return [][]byte{ts}
}

// CalledFrom is c as GitHub Actions issues it when c's workflow runs as a
// reusable workflow called from repo ("owner/name") on a push of ref: the
// SAN and build signer stay the called workflow's, the source repository
// and ref are the caller's.
func (c Cert) CalledFrom(repo, ref string) Cert {
	c.Extensions.SourceRepositoryURI = "https://github.com/" + repo
	c.Extensions.SourceRepositoryRef = ref
	c.Extensions.RunInvocationURI = "https://github.com/" + repo + "/actions/runs/1/attempts/1"
	return c
}
