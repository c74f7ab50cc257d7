package provenance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// MaxFileSize bounds one provenance file.
const MaxFileSize = 64 << 20

// maxAttestations bounds the attestations read from one file.
const maxAttestations = 1024

// Formats of one attestation.
const (
	FormatBundle = "sigstore-bundle"
	FormatDSSE   = "dsse"
)

// Problem is an attestation that could not be read: not JSON, not a bundle
// or envelope, or a verified payload that is not an in-toto statement.
type Problem struct {
	Path    string
	Line    int
	Message string
}

// Attestation is one signed statement of a provenance file. Its statement
// facts are read only when the signature verified.
type Attestation struct {
	// Index is the attestation's position in the file (0-based); Line its
	// 1-based line in a .jsonl file, 0 otherwise.
	Index int `json:"index"`
	Line  int `json:"line"`
	// Path locates it in the file: "", "[1]" for a JSON array, "line 3".
	Path   string `json:"path"`
	Format string `json:"format"`
	// Verified is true when the signature verified; Reason says why not.
	Verified bool   `json:"verified"`
	Reason   string `json:"reason"`
	// Signer is the verified signer: a key, or a Fulcio certificate's
	// issuer, SAN and extensions (zero when keyed).
	trust.Signer
	TlogIndex int64     `json:"tlog_index"`
	TlogTime  time.Time `json:"tlog_time,omitzero"`
	// Timestamps are the verified signing times.
	Timestamps []trust.Timestamp `json:"timestamps"`
	// ExpiredTrust lists validity windows of the trusted root that vouch
	// for this attestation and have ended (see [trust.ExpiredWindows]);
	// filled by the caller, which knows the evaluation time.
	ExpiredTrust []string `json:"expired_trust"`
	// Statement is nil unless Verified.
	Statement *Statement `json:"statement"`
	// CertificateMismatches are the fields on which the statement's
	// predicate and the signing certificate disagree ([CompareCertificate]);
	// empty when keyed.
	CertificateMismatches []Mismatch `json:"certificate_mismatches"`
}

// Result is what one provenance file holds.
type Result struct {
	Attestations []Attestation
	Problems     []Problem
}

// Parse reads a provenance file: a sigstore bundle (DSSE), a bare DSSE
// envelope, a JSON array of either, or an .intoto.jsonl file (one per
// line). Each attestation is verified offline with opts; its statement is
// read only if it verified.
func Parse(data []byte, opts trust.Options) Result {
	var res Result
	if len(data) > MaxFileSize {
		res.Problems = append(res.Problems, Problem{Message: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)})
		return res
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		res.Problems = append(res.Problems, Problem{Message: "empty file"})
	case trimmed[0] == '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(trimmed, &elems); err != nil {
			res.Problems = append(res.Problems, Problem{Message: "not a JSON array of attestations: " + err.Error()})
			return res
		}
		if len(elems) == 0 {
			res.Problems = append(res.Problems, Problem{Message: "empty JSON array: no attestation"})
		}
		for i, e := range elems {
			if i >= maxAttestations {
				res.Problems = append(res.Problems, Problem{Message: fmt.Sprintf("more than %d attestations", maxAttestations)})
				break
			}
			res.add(e, i, 0, fmt.Sprintf("[%d]", i), opts)
		}
	case json.Valid(trimmed):
		res.add(trimmed, 0, 0, "", opts)
	default:
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), MaxFileSize)
		line, idx := 0, 0
		for sc.Scan() {
			line++
			l := bytes.TrimSpace(sc.Bytes())
			if len(l) == 0 {
				continue
			}
			if idx >= maxAttestations {
				res.Problems = append(res.Problems, Problem{Line: line, Message: fmt.Sprintf("more than %d attestations", maxAttestations)})
				break
			}
			res.add(bytes.Clone(l), idx, line, fmt.Sprintf("line %d", line), opts)
			idx++
		}
		if err := sc.Err(); err != nil {
			res.Problems = append(res.Problems, Problem{Line: line + 1, Message: "read: " + err.Error()})
		}
	}
	return res
}

func (r *Result) add(raw []byte, idx, line int, path string, opts trust.Options) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		r.Problems = append(r.Problems, Problem{Path: path, Line: line, Message: "not a JSON object: " + err.Error()})
		return
	}
	a := Attestation{Index: idx, Line: line, Path: path, TlogIndex: -1, Timestamps: []trust.Timestamp{}, ExpiredTrust: []string{}, CertificateMismatches: []Mismatch{}}
	var v *trust.Verified
	var err error
	switch {
	case keys["mediaType"] != nil:
		a.Format = FormatBundle
		b, perr := trust.ParseBundle(raw)
		if perr != nil {
			r.Problems = append(r.Problems, Problem{Path: path, Line: line, Message: perr.Error()})
			return
		}
		v, err = trust.VerifyEntity(b, opts)
	case keys["payloadType"] != nil:
		a.Format = FormatDSSE
		env, perr := trust.ParseEnvelope(raw)
		if perr != nil {
			r.Problems = append(r.Problems, Problem{Path: path, Line: line, Message: perr.Error()})
			return
		}
		v, err = trust.VerifyEnvelope(env, opts)
	case keys["_type"] != nil:
		a.Format = "statement"
		err = fmt.Errorf("%w: a bare in-toto statement carries no signature", trust.ErrNotVerified)
	default:
		r.Problems = append(r.Problems, Problem{Path: path, Line: line, Message: "neither a sigstore bundle (mediaType) nor a DSSE envelope (payloadType)"})
		return
	}
	if err == nil && v.Content != trust.ContentDSSE {
		err = fmt.Errorf("%w: the bundle holds a message signature, not an attestation", trust.ErrNotVerified)
	}
	if err != nil {
		a.Reason = err.Error()
		r.Attestations = append(r.Attestations, a)
		return
	}
	a.Verified = true
	a.Signer = v.Signer
	a.TlogIndex, a.TlogTime, a.Timestamps = v.TlogIndex, v.TlogTime, v.Timestamps
	st, err := ParseStatement(v.PayloadType, v.Payload)
	if err != nil {
		r.Problems = append(r.Problems, Problem{Path: joinPath(path, "payload"), Line: line, Message: err.Error()})
		a.Verified = false
		a.Reason = "the verified payload is not a usable in-toto statement: " + err.Error()
		r.Attestations = append(r.Attestations, a)
		return
	}
	a.Statement = st
	if !a.Keyed {
		a.CertificateMismatches = CompareCertificate(st, a.Claims)
	}
	r.Attestations = append(r.Attestations, a)
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
