package bom

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	ita1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
	"github.com/cicd-hub/hubgate/engine/trust"
)

// Formats of an attested SBOM's signature.
const (
	AttestedBundle = "sigstore-bundle"
	AttestedDSSE   = "dsse"
)

// inTotoPayloadType is the DSSE payload type of an in-toto statement.
const inTotoPayloadType = "application/vnd.in-toto+json"

// maxAttestedSubjects bounds the subjects read from one statement.
const maxAttestedSubjects = 4096

// Attestation is how an attested SBOM was signed: a sigstore bundle or a
// bare DSSE envelope whose in-toto statement has the SBOM as its predicate
// (cosign attest --type cyclonedx or spdxjson, GitHub's
// actions/attest-sbom). Nothing in it is read before the signature
// verified. The signer is judged by rego/sbom.rego, as every signed kind's
// is (hub.lib.signer_ok).
type Attestation struct {
	// Format is [AttestedBundle] or [AttestedDSSE].
	Format        string `json:"format"`
	PredicateType string `json:"predicate_type"`
	// Signer is the trusted key, or the verified certificate's issuer,
	// SAN and claims.
	trust.Signer
	// SubjectDigests are the statement subjects' digests, "alg:hex" in
	// lower case, sorted: what the signature binds the SBOM to.
	SubjectDigests []string `json:"subject_digests"`
	// Timestamps are the verified signing times, for the caller to compare
	// with its evaluation time.
	Timestamps []trust.Timestamp `json:"-"`
}

// TrustFunc returns the trust material an attested SBOM verifies against;
// it is called only for a document that is a bundle or an envelope.
type TrustFunc func() (trust.Options, error)

// IsSBOMPredicate reports whether an in-toto predicate type is a CycloneDX
// or SPDX document, with or without a version ("https://cyclonedx.org/bom",
// "https://cyclonedx.org/bom/v1.5", "https://spdx.dev/Document/v2.3").
func IsSBOMPredicate(p string) bool {
	return predicateFormat(p) != ""
}

func predicateFormat(p string) string {
	for prefix, f := range map[string]string{"https://cyclonedx.org/bom": "cyclonedx", "https://spdx.dev/Document": "spdx"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/v") {
			return f
		}
	}
	return ""
}

// parseAttested verifies an attested SBOM (key is the top-level key that
// told it apart: "mediaType" for a bundle, "payloadType" for an envelope)
// and reads the SBOM of its statement.
func parseAttested(data []byte, key string, opts Options) (*Document, error) {
	if opts.Trust == nil {
		return nil, &parse.Error{Path: key, Err: errors.New("a signed attestation, not an SBOM document, and no trust material to verify it")}
	}
	topts, err := opts.Trust()
	if err != nil {
		return nil, &parse.Error{Err: fmt.Errorf("attested sbom: %w", err)}
	}
	att := &Attestation{SubjectDigests: []string{}}
	var v *trust.Verified
	switch key {
	case "mediaType":
		att.Format = AttestedBundle
		b, err := trust.ParseBundle(data)
		if err != nil {
			return nil, &parse.Error{Err: fmt.Errorf("attested sbom: %w", err)}
		}
		// A message signature (cosign sign-blob) signs some other bytes,
		// given beside it: it carries no SBOM.
		if info, err := trust.Inspect(b); err != nil || info.Content != trust.ContentDSSE {
			if err == nil {
				err = errors.New("the bundle holds a message signature, not an attestation")
			}
			return nil, &parse.Error{Path: "messageSignature", Err: fmt.Errorf("attested sbom: %w", err)}
		}
		v, err = trust.VerifyEntity(b, topts)
		if err != nil {
			return nil, &parse.Error{Path: "verificationMaterial", Err: fmt.Errorf("attested sbom: %w", err)}
		}
	default:
		att.Format = AttestedDSSE
		env, err := trust.ParseEnvelope(data)
		if err != nil {
			return nil, &parse.Error{Err: fmt.Errorf("attested sbom: %w", err)}
		}
		v, err = trust.VerifyEnvelope(env, topts)
		if err != nil {
			return nil, &parse.Error{Path: "signatures", Err: fmt.Errorf("attested sbom: %w", err)}
		}
	}
	if v.Content != trust.ContentDSSE {
		return nil, &parse.Error{Err: errors.New("attested sbom: the bundle holds a message signature, not an attestation")}
	}
	if v.PayloadType != inTotoPayloadType {
		return nil, &parse.Error{Path: "payloadType", Err: fmt.Errorf("attested sbom: payloadType is %q, want %q", v.PayloadType, inTotoPayloadType)}
	}
	var st ita1.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(v.Payload, &st); err != nil {
		return nil, &parse.Error{Path: "payload", Err: fmt.Errorf("attested sbom: not an in-toto statement: %w", err)}
	}
	if n := len(st.GetSubject()); n > maxAttestedSubjects {
		return nil, &parse.Error{Path: "payload.subject", Err: fmt.Errorf("attested sbom: %d subjects, at most %d", n, maxAttestedSubjects)}
	}
	if err := st.Validate(); err != nil {
		return nil, &parse.Error{Path: "payload", Err: fmt.Errorf("attested sbom: %w", err)}
	}
	att.PredicateType = st.GetPredicateType()
	want := predicateFormat(att.PredicateType)
	if want == "" {
		return nil, &parse.Error{Path: "payload.predicateType", Err: fmt.Errorf("attested sbom: predicate type %q is not a CycloneDX or SPDX document", att.PredicateType)}
	}
	seen := map[string]bool{}
	for _, s := range st.GetSubject() {
		for alg, hex := range s.GetDigest() {
			d := strings.ToLower(alg) + ":" + strings.ToLower(hex)
			if !seen[d] {
				seen[d] = true
				att.SubjectDigests = append(att.SubjectDigests, d)
			}
		}
	}
	sort.Strings(att.SubjectDigests)
	pred, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		return nil, &parse.Error{Path: "payload.predicate", Err: fmt.Errorf("attested sbom: %w", err)}
	}
	// The predicate is read as a document on its own: an attestation
	// inside it is not unwrapped again.
	inner := opts
	inner.Trust = nil
	doc, err := Parse(pred, inner)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) {
			pe.Path = joinPath("payload.predicate", pe.Path)
			pe.Line, pe.Col = 0, 0 // positions in protojson's re-encoding mean nothing to the reader
			return nil, pe
		}
		return nil, &parse.Error{Path: "payload.predicate", Err: err}
	}
	if !strings.HasPrefix(string(doc.Format), want) {
		return nil, &parse.Error{Path: "payload.predicateType", Err: fmt.Errorf("attested sbom: predicate type %q, but the predicate is a %s document", att.PredicateType, doc.Format)}
	}
	att.Signer, att.Timestamps = v.Signer, v.Timestamps
	// Issues and the creation time name the statement's field; the
	// components keep their paths within the SBOM (the predicate).
	for i := range doc.Issues {
		doc.Issues[i].Path = joinPath("payload.predicate", doc.Issues[i].Path)
	}
	if doc.CreatedField != "" {
		doc.CreatedField = joinPath("payload.predicate", doc.CreatedField)
	}
	doc.Attestation = att
	return doc, nil
}

func joinPath(a, b string) string {
	if b == "" {
		return a
	}
	return a + "." + b
}
