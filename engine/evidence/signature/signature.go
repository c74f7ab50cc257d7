package signature

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	ita1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cicd-hub/hubgate/engine/trust"
)

// Subject is an artifact the signature may cover.
type Subject struct {
	Name string
	// Digest maps algorithm ("sha256") to lowercase hex.
	Digest map[string]string
	// Path is the artifact's file, when known. Message signatures are then
	// verified over the bytes, which Ed25519 requires.
	Path string
}

// Result is the verified facts of one signature. When Verified is false,
// Reason says why, and only Content, ClaimedDigests and the bundle version
// are filled (they are unauthenticated).
type Result struct {
	Verified      bool   `json:"verified"`
	Reason        string `json:"reason"`
	Content       string `json:"content"`
	BundleVersion string `json:"bundle_version"`
	// Signer is the verified signer: a key, or the certificate's issuer,
	// SAN and Fulcio extensions (zero when keyed).
	trust.Signer
	// TlogIndex is the verified log entry's index, -1 if none.
	TlogIndex  int64             `json:"tlog_index"`
	TlogTime   time.Time         `json:"tlog_time,omitzero"`
	Timestamps []trust.Timestamp `json:"timestamps"`
	// ExpiredTrust lists validity windows of the trusted root that vouch
	// for this signature and have ended; filled by the caller, which knows
	// the evaluation time (see [trust.ExpiredWindows]).
	ExpiredTrust []string `json:"expired_trust"`
	// Subject names the subject the signature covers, and Digest its
	// digest ("sha256:hex").
	Subject string `json:"subject"`
	Digest  string `json:"digest"`
	// ClaimedDigests are the digests the bundle is over: the message
	// signature's digest, or the DSSE statement's subject digests.
	ClaimedDigests []string `json:"claimed_digests"`
}

// Verify verifies a sigstore bundle over one of subjects, offline. It
// returns an error only for bytes that are not a sigstore bundle
// (wrapping [trust.ErrBundle]); a bundle that does not verify, or covers
// none of the subjects, is a Result with Verified false.
func Verify(bundleJSON []byte, subjects []Subject, opts trust.Options) (Result, error) {
	res := Result{TlogIndex: -1, Timestamps: []trust.Timestamp{}, ClaimedDigests: []string{}, ExpiredTrust: []string{}}
	b, err := trust.ParseBundle(bundleJSON)
	if err != nil {
		return res, err
	}
	info, err := trust.Inspect(b)
	if err != nil {
		return res, err
	}
	res.Content = info.Content
	if len(subjects) == 0 {
		res.Reason = "no subject to verify the signature against"
		return res, nil
	}

	if info.Content == trust.ContentMessageSignature {
		var alg, hx string // the hint's one digest
		for alg, hx = range info.MessageDigest {
		}
		claimed := alg + ":" + hx
		res.ClaimedDigests = []string{claimed}
		s, ok := findSubject(subjects, alg, hx)
		if !ok {
			res.Reason = fmt.Sprintf("the signature is over %s, which is none of the subjects (%s)", claimed, subjectList(subjects, alg))
			return res, nil
		}
		o := opts
		if s.Path != "" {
			f, err := os.Open(s.Path)
			if err != nil {
				res.Reason = "open subject: " + err.Error()
				return res, nil
			}
			defer f.Close()
			o.Artifact = f
		} else {
			o.Digest = info.MessageDigest
		}
		v, err := trust.VerifyEntity(b, o)
		if err != nil {
			res.Reason = err.Error()
			return res, nil
		}
		fill(&res, v)
		res.Subject, res.Digest = s.Name, claimed
		return res, nil
	}

	v, err := trust.VerifyEntity(b, opts)
	if err != nil {
		res.Reason = err.Error()
		return res, nil
	}
	digests, err := statementDigests(v.PayloadType, v.Payload)
	if err != nil {
		res.Reason = err.Error()
		return res, nil
	}
	res.ClaimedDigests = digests
	for _, s := range subjects {
		for _, alg := range sortedKeys(s.Digest) {
			d := alg + ":" + strings.ToLower(s.Digest[alg])
			if slices.Contains(digests, d) {
				fill(&res, v)
				res.Subject, res.Digest = s.Name, d
				return res, nil
			}
		}
	}
	res.Reason = fmt.Sprintf("the statement's subjects (%s) include none of the subjects (%s)", strings.Join(digests, ", "), subjectList(subjects, "sha256"))
	return res, nil
}

func fill(res *Result, v *trust.Verified) {
	res.Verified = true
	res.Reason = ""
	res.BundleVersion = v.BundleVersion
	res.Signer = v.Signer
	res.TlogIndex, res.TlogTime, res.Timestamps = v.TlogIndex, v.TlogTime, v.Timestamps
}

// statementDigests reads the subject digests ("alg:hex", sorted) of a
// verified in-toto statement.
func statementDigests(payloadType string, payload []byte) ([]string, error) {
	if payloadType != "application/vnd.in-toto+json" {
		return nil, fmt.Errorf("dsse payloadType is %q, want an in-toto statement", payloadType)
	}
	var st ita1.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("in-toto statement: %w", err)
	}
	out := []string{}
	for _, s := range st.GetSubject() {
		for alg, hx := range s.GetDigest() {
			out = append(out, strings.ToLower(alg)+":"+strings.ToLower(hx))
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

func findSubject(subjects []Subject, alg, hx string) (Subject, bool) {
	for _, s := range subjects {
		if d := s.Digest[alg]; d != "" && strings.EqualFold(d, hx) {
			return s, true
		}
	}
	return Subject{}, false
}

func subjectList(subjects []Subject, alg string) string {
	var parts []string
	for _, s := range subjects {
		if d := s.Digest[alg]; d != "" {
			parts = append(parts, s.Name+" "+alg+":"+d)
		} else {
			parts = append(parts, s.Name+" (no "+alg+")")
		}
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
