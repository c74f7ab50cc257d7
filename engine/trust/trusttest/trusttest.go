// Package trusttest mints sigstore bundles, DSSE envelopes and trusted
// roots for tests, with sigstore-go's pkg/testing/ca (VirtualSigstore) and
// local keys. Nothing here talks to a network.
//
// Certificates minted by a [Sigstore] are valid for minutes from
// time.Now(): mint at test time and never commit the output expecting it to
// verify later. Keyed material ([Key]) carries no time and stays valid.
package trusttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"maps"
	"slices"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// InTotoPayloadType is the DSSE payload type of in-toto statements.
const InTotoPayloadType = "application/vnd.in-toto+json"

// Sigstore is a virtual Fulcio + Rekor + TSA with its trusted root.
//
// Its certificates come from a test Fulcio CA of its own (VirtualSigstore's
// leaves carry only a SAN and an issuer) and carry Fulcio extensions
// ([Cert]); the transparency log and TSA are VirtualSigstore's.
type Sigstore struct {
	VS       *ca.VirtualSigstore
	RootJSON []byte
	Root     *root.TrustedRoot
	fulcio   *fulcio
}

// New starts a virtual sigstore. Its trusted root lists no CT logs (the
// virtual Fulcio embeds no SCTs).
func New(t testing.TB) *Sigstore {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatalf("virtual sigstore: %v", err)
	}
	logs := map[string]*root.TransparencyLog{}
	for id, l := range vs.RekorLogs() {
		c := *l
		// The virtual log's ID is the hex string's bytes; the trusted
		// root stores the raw key id.
		raw, err := hex.DecodeString(string(l.ID))
		if err != nil {
			t.Fatalf("rekor log id: %v", err)
		}
		c.ID = raw
		logs[id] = &c
	}
	f := newFulcio(t)
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{f.ca}, nil, vs.TimestampingAuthorities(), logs)
	if err != nil {
		t.Fatalf("trusted root: %v", err)
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatalf("marshal trusted root: %v", err)
	}
	// Reload, as a user's file would be.
	tr2, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		t.Fatalf("reload trusted root: %v", err)
	}
	return &Sigstore{VS: vs, RootJSON: b, Root: tr2, fulcio: f}
}

// RootWithoutLogs is the trusted root of s without its transparency log: a
// Fulcio CA and a timestamp authority only, as GitHub's own Sigstore
// instance (fulcio.githubapp.com, timestamp.githubapp.com) publishes it.
func (s *Sigstore) RootWithoutLogs(t testing.TB) []byte {
	t.Helper()
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{s.fulcio.ca}, nil, s.VS.TimestampingAuthorities(), nil)
	if err != nil {
		t.Fatalf("trusted root: %v", err)
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatalf("marshal trusted root: %v", err)
	}
	return b
}

// BundleOptions change how a keyless bundle is assembled.
type BundleOptions struct {
	// NoTlog leaves out the transparency-log entry.
	NoTlog bool
	// TSA adds the RFC 3161 timestamp.
	TSA bool
	// IntegratedTime sets the log's integrated time; zero is now+5m, inside
	// the certificate's 10-minute validity.
	IntegratedTime time.Time
	// Version is the bundle version of a DSSE bundle: "v0.2" or "v0.3"
	// (default). Message bundles are always v0.1: the virtual log gives
	// their entries a SET and no inclusion proof.
	Version string
}

// DSSEBundle signs statement in a DSSE envelope with a certificate for
// (san, issuer), with the Fulcio extensions of [GitHubCert], and returns a
// v0.3 bundle with an inclusion proof and checkpoint.
func (s *Sigstore) DSSEBundle(t testing.TB, san, issuer string, statement []byte, o BundleOptions) []byte {
	t.Helper()
	return s.DSSEBundleCert(t, GitHubCert(san, issuer), statement, o)
}

// DSSEBundleCert is [Sigstore.DSSEBundle] with a certificate for c.
func (s *Sigstore) DSSEBundleCert(t testing.TB, c Cert, statement []byte, o BundleOptions) []byte {
	t.Helper()
	at := o.IntegratedTime
	if at.IsZero() {
		at = time.Now().Add(5 * time.Minute)
	}
	version := o.Version
	if version == "" {
		version = "v0.3"
	}
	return s.assemble(t, s.attest(t, c, statement, at), version, "dsse", o)
}

// MessageBundle signs artifact (a message signature) with a certificate for
// (san, issuer), with the Fulcio extensions of [GitHubCert], and returns a
// v0.1 bundle whose log entry carries a SET.
func (s *Sigstore) MessageBundle(t testing.TB, san, issuer string, artifact []byte, o BundleOptions) []byte {
	t.Helper()
	return s.MessageBundleCert(t, GitHubCert(san, issuer), artifact, o)
}

// MessageBundleCert is [Sigstore.MessageBundle] with a certificate for c.
func (s *Sigstore) MessageBundleCert(t testing.TB, c Cert, artifact []byte, o BundleOptions) []byte {
	t.Helper()
	at := o.IntegratedTime
	if at.IsZero() {
		at = time.Now().Add(5 * time.Minute)
	}
	return s.assemble(t, s.sign(t, c, artifact, at), "v0.1", "hashedrekord", o)
}

func (s *Sigstore) assemble(t testing.TB, p parts, version, kind string, o BundleOptions) []byte {
	t.Helper()
	cert := p.cert
	vm := &protobundle.VerificationMaterial{}
	if version == "v0.3" {
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: cert.Raw}}
	} else {
		vm.Content = &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{
			Certificates: []*protocommon.X509Certificate{{RawBytes: cert.Raw}},
		}}
	}
	if !o.NoTlog {
		for _, en := range p.entries {
			vm.TlogEntries = append(vm.TlogEntries, s.protoEntry(t, en, kind))
		}
	}
	if o.TSA {
		vm.TimestampVerificationData = &protobundle.TimestampVerificationData{}
		for _, ts := range p.tss {
			vm.TimestampVerificationData.Rfc3161Timestamps = append(vm.TimestampVerificationData.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
		}
	}
	pb := &protobundle.Bundle{MediaType: mediaType(version), VerificationMaterial: vm}
	if p.env != nil {
		d := &protodsse.Envelope{Payload: mustB64(t, p.env.Payload), PayloadType: p.env.PayloadType}
		for _, sg := range p.env.Signatures {
			d.Signatures = append(d.Signatures, &protodsse.Signature{Sig: mustB64(t, sg.Sig), Keyid: sg.KeyID})
		}
		pb.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: d}
	} else {
		pb.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: p.digest},
			Signature:     p.sig,
		}}
	}
	return marshal(t, pb)
}

// protoEntry converts a virtual tlog entry to its bundle form: kind and
// version set, and the SET recomputed (the entry keeps its own private).
func (s *Sigstore) protoEntry(t testing.TB, en *tlog.Entry, kind string) *protorekor.TransparencyLogEntry {
	t.Helper()
	tle, ok := proto.Clone(en.TransparencyLogEntry()).(*protorekor.TransparencyLogEntry)
	if !ok {
		t.Fatalf("clone tlog entry")
	}
	var body struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(tle.CanonicalizedBody, &body); err != nil {
		t.Fatalf("tlog entry body: %v", err)
	}
	if body.Kind != kind {
		t.Fatalf("tlog entry kind %q, want %q", body.Kind, kind)
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	set, err := s.VS.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
		IntegratedTime: tle.IntegratedTime,
		LogIndex:       tle.LogIndex,
		LogID:          hex.EncodeToString(tle.LogId.KeyId),
	})
	if err != nil {
		t.Fatalf("sign SET: %v", err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	return tle
}

// Key is a local signing key for keyed (non-Fulcio) signatures.
type Key struct {
	Signer crypto.Signer
	Type   string
}

// NewKey makes a key: "ecdsa" (P-256), "ed25519" or "rsa" (2048).
func NewKey(t testing.TB, typ string) *Key {
	t.Helper()
	var s crypto.Signer
	var err error
	switch typ {
	case "ecdsa":
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ed25519":
		_, s, err = ed25519.GenerateKey(rand.Reader)
	case "rsa":
		s, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("unknown key type %q", typ)
	}
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	return &Key{Signer: s, Type: typ}
}

// PEM is the public key as PEM "PUBLIC KEY".
func (k *Key) PEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Signer.Public())
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// PrivatePEM is the private key as PEM "PRIVATE KEY" (PKCS #8).
func (k *Key) PrivatePEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		t.Fatalf("marshal private key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Sign signs msg: ECDSA and RSA (PKCS #1 v1.5) over its SHA-256, Ed25519
// over the message itself.
func (k *Key) Sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	var sig []byte
	var err error
	if k.Type == "ed25519" {
		sig, err = k.Signer.Sign(rand.Reader, msg, crypto.Hash(0))
	} else {
		d := sha256.Sum256(msg)
		sig, err = k.Signer.Sign(rand.Reader, d[:], crypto.SHA256)
	}
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return sig
}

// PAE is DSSE's pre-authentication encoding.
func PAE(payloadType string, payload []byte) []byte {
	return []byte("DSSEv1 " + itoa(len(payloadType)) + " " + payloadType + " " + itoa(len(payload)) + " " + string(payload))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Envelope returns a bare DSSE envelope over payload signed by k.
func (k *Key) Envelope(t testing.TB, payloadType string, payload []byte) []byte {
	t.Helper()
	sig := k.Sign(t, PAE(payloadType, payload))
	b, err := json.Marshal(map[string]any{
		"payloadType": payloadType,
		"payload":     base64.StdEncoding.EncodeToString(payload),
		"signatures":  []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(sig)}},
	})
	if err != nil {
		t.Fatalf("marshal envelope: %v", err)
	}
	return b
}

// DSSEBundle returns a v0.3 bundle with a public-key hint and a DSSE
// envelope signed by k, without log entries.
func (k *Key) DSSEBundle(t testing.TB, payloadType string, payload []byte) []byte {
	t.Helper()
	sig := k.Sign(t, PAE(payloadType, payload))
	pb := &protobundle.Bundle{
		MediaType: mediaType("v0.3"),
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "test-key"}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: payloadType,
			Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	return marshal(t, pb)
}

// MessageBundle returns a v0.3 bundle with a public-key hint and a message
// signature over artifact signed by k, without log entries.
func (k *Key) MessageBundle(t testing.TB, artifact []byte) []byte {
	t.Helper()
	d := sha256.Sum256(artifact)
	pb := &protobundle.Bundle{
		MediaType: mediaType("v0.3"),
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "test-key"}},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: d[:]},
			Signature:     k.Sign(t, artifact),
		}},
	}
	return marshal(t, pb)
}

// Statement returns an in-toto Statement v1 JSON over subjects (name →
// sha256 hex) with the given predicate.
func Statement(t testing.TB, predicateType string, predicate any, subjects map[string]string, order ...string) []byte {
	t.Helper()
	var subs []map[string]any
	if len(order) == 0 {
		order = slices.Sorted(maps.Keys(subjects))
	}
	for _, n := range order {
		subs = append(subs, map[string]any{"name": n, "digest": map[string]string{"sha256": subjects[n]}})
	}
	b, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       subs,
		"predicateType": predicateType,
		"predicate":     predicate,
	})
	if err != nil {
		t.Fatalf("marshal statement: %v", err)
	}
	return b
}

func mediaType(version string) string {
	if version == "v0.1" || version == "v0.2" {
		return "application/vnd.dev.sigstore.bundle+json;version=" + version[1:]
	}
	return "application/vnd.dev.sigstore.bundle.v" + version[1:] + "+json"
}

func marshal(t testing.TB, pb *protobundle.Bundle) []byte {
	t.Helper()
	b, err := protojson.Marshal(pb)
	if err != nil {
		t.Fatalf("marshal bundle: %v", err)
	}
	return b
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("base64: %v", err)
	}
	return b
}
