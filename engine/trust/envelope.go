package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
)

// ErrUnsigned is wrapped when a DSSE envelope carries no signature at all.
var ErrUnsigned = fmt.Errorf("%w: dsse envelope has no signatures", ErrNotVerified)

// maxEnvelopeSignatures bounds the signatures tried on one envelope.
const maxEnvelopeSignatures = 16

// Envelope is a bare DSSE envelope as JSON carries it.
type Envelope struct {
	PayloadType string              `json:"payloadType"`
	Payload     string              `json:"payload"`
	Signatures  []EnvelopeSignature `json:"signatures"`
}

// EnvelopeSignature is one DSSE signature.
type EnvelopeSignature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// ParseEnvelope parses a bare DSSE envelope. It checks the shape only: a
// payload type, a base64 payload, base64 signatures.
func ParseEnvelope(b []byte) (*Envelope, error) {
	if len(b) > MaxBundleSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrEnvelope, MaxBundleSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e Envelope
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the envelope", ErrEnvelope)
	}
	if e.PayloadType == "" {
		return nil, fmt.Errorf("%w: payloadType: missing", ErrEnvelope)
	}
	if _, err := decodeB64(e.Payload); err != nil || e.Payload == "" {
		return nil, fmt.Errorf("%w: payload: not base64", ErrEnvelope)
	}
	for i, s := range e.Signatures {
		if _, err := decodeB64(s.Sig); err != nil || s.Sig == "" {
			return nil, fmt.Errorf("%w: signatures[%d].sig: not base64", ErrEnvelope, i)
		}
	}
	return &e, nil
}

// PayloadBytes returns the decoded payload. It is unauthenticated until the
// envelope verifies.
func (e *Envelope) PayloadBytes() ([]byte, error) { return decodeB64(e.Payload) }

// VerifyEnvelope verifies a bare DSSE envelope with the trusted keys in
// opts. A bare envelope carries no certificate and no transparency-log
// proof, so only a trusted key can verify it; an envelope with no signature
// fails with [ErrUnsigned]. With several signatures, one made by a trusted
// key suffices.
func VerifyEnvelope(e *Envelope, opts Options) (*Verified, error) {
	if len(e.Signatures) == 0 {
		return nil, ErrUnsigned
	}
	if len(opts.Keys) == 0 {
		return nil, fmt.Errorf("%w: a bare dsse envelope verifies only with a trusted key (registry provenance.keys); a keyless one needs its sigstore bundle", ErrNoKey)
	}
	if len(e.Signatures) > maxEnvelopeSignatures {
		return nil, fmt.Errorf("%w: %d signatures, at most %d are tried", ErrEnvelope, len(e.Signatures), maxEnvelopeSignatures)
	}
	payload, err := decodeB64(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrEnvelope, err)
	}
	var errs []error
	for i, s := range e.Signatures {
		sig, err := decodeB64(s.Sig)
		if err != nil {
			return nil, fmt.Errorf("%w: signatures[%d].sig: %w", ErrEnvelope, i, err)
		}
		pb := &protobundle.Bundle{
			MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
			VerificationMaterial: &protobundle.VerificationMaterial{
				Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.KeyID}},
			},
			Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
				Payload:     payload,
				PayloadType: e.PayloadType,
				Signatures:  []*protodsse.Signature{{Sig: sig, Keyid: s.KeyID}},
			}},
		}
		b, err := keyedBundle(pb)
		if err != nil {
			return nil, err
		}
		v, err := VerifyEntity(b, opts)
		if err == nil {
			v.BundleVersion = ""
			return v, nil
		}
		errs = append(errs, fmt.Errorf("signatures[%d]: %w", i, err))
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, fmt.Errorf("%w: %w", ErrNotVerified, errors.Join(errs...))
}
