package vsa

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	vsapb "github.com/in-toto/attestation/go/predicates/vsa/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/cicd-hub/hubgate/policy"
)

// PredicateType is the SLSA VSA v1 predicate type.
const PredicateType = "https://slsa.dev/verification_summary/v1"

// PayloadType is the DSSE payload type of an in-toto Statement.
const PayloadType = "application/vnd.in-toto+json"

// DefaultVerifierID is the verifier.id written when [Options.VerifierID] is empty.
const DefaultVerifierID = "https://github.com/cicd-hub/hubgate"

// DefaultPolicyURI is the policy.uri written when [Options.PolicyURI] is empty.
const DefaultPolicyURI = "https://github.com/cicd-hub/hubgate/policy"

// Verification results.
const (
	ResultPassed = "PASSED"
	ResultFailed = "FAILED"
)

// Sentinel errors; every error of this package wraps one of them.
var (
	// ErrMalformed: the bundle, statement, predicate or key cannot be read.
	ErrMalformed = errors.New("malformed")
	// ErrSignature: the signature does not verify against the trusted key,
	// or the statement is not about the expected digest.
	ErrSignature = errors.New("signature does not verify")
)

// RepoURIPrefix starts the resourceUri of every VSA hubgate writes: the
// repository the decision was made for, in the SPDX download-location form
// the SLSA source track uses ("git+https://github.com/acme/api").
const RepoURIPrefix = "git+https://github.com/"

// reRepo is a registry repo name, "owner/name" as on GitHub (the registry
// schema's #RepoName).
var reRepo = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$`)

// RepoURI returns the resourceUri of repo ("owner/name").
func RepoURI(repo string) (string, error) {
	if !reRepo.MatchString(repo) {
		return "", fmt.Errorf("repo %q: want owner/name", repo)
	}
	return RepoURIPrefix + repo, nil
}

// RepoFromURI returns the repository a resourceUri names, and false when it
// is not of the form [RepoURI] writes.
func RepoFromURI(uri string) (string, bool) {
	repo, ok := strings.CutPrefix(uri, RepoURIPrefix)
	if !ok || !reRepo.MatchString(repo) {
		return "", false
	}
	return repo, true
}

// Options are the parts of a VSA that are not in the decision.
type Options struct {
	// VerifierID is verifier.id; default [DefaultVerifierID].
	VerifierID string
	// PolicyURI is policy.uri; default [DefaultPolicyURI].
	PolicyURI string
	// VerifiedLevels are written when the decision passed. Empty means
	// SLSA_BUILD_LEVEL_1 when the decision's provenance check passed on
	// provenance it read, SLSA_BUILD_LEVEL_0 otherwise. A failed decision
	// always says FAILED.
	VerifiedLevels []string
}

// Statement builds the in-toto Statement of a VSA for one subject of d.
// The subject must carry a sha256 digest; d must name its repo
// ("owner/name"), and have a policy digest and a time.
//
// The predicate binds the summary to three things besides the subject
// digest: resourceUri is the repo ([RepoURI] of d.Repo), policy.digest is
// the decision's policy digest (the compiled registry and rules), and
// verifiedLevels says how strict that repo's entry was.
func Statement(d *policy.Decision, subject policy.Subject, opts Options) (*intoto.Statement, error) {
	if d == nil {
		return nil, errors.New("build vsa: nil decision")
	}
	hexDigest := subject.Digest["sha256"]
	if err := policy.CheckDigest("sha256", hexDigest); err != nil {
		return nil, fmt.Errorf("build vsa: subject %q: sha256 digest: %w", subject.Name, err)
	}
	if d.Time.IsZero() {
		return nil, errors.New("build vsa: decision has no time")
	}
	algo, polHex, ok := strings.Cut(d.Policy.Digest, ":")
	if !ok || algo == "" || polHex == "" {
		return nil, fmt.Errorf("build vsa: decision policy digest %q: want ALGORITHM:HEX", d.Policy.Digest)
	}

	result, levels := ResultFailed, []string{ResultFailed}
	if d.Allowed && d.Outcome.Allowed() {
		result = ResultPassed
		levels = opts.VerifiedLevels
		if len(levels) == 0 {
			levels = defaultLevels(d)
		}
	}
	resource, err := RepoURI(d.Repo)
	if err != nil {
		return nil, fmt.Errorf("build vsa: decision %w", err)
	}
	inputs := make([]*vsapb.VerificationSummary_InputAttestation, 0, len(d.Inputs))
	for _, in := range d.Inputs {
		if len(in.Digest) == 0 {
			continue
		}
		inputs = append(inputs, &vsapb.VerificationSummary_InputAttestation{Uri: in.Path, Digest: map[string]string(in.Digest)})
	}
	pred := &vsapb.VerificationSummary{
		Verifier:           &vsapb.VerificationSummary_Verifier{Id: orDefault(opts.VerifierID, DefaultVerifierID)},
		TimeVerified:       timestamppb.New(d.Time.UTC()),
		ResourceUri:        resource,
		Policy:             &vsapb.VerificationSummary_Policy{Uri: orDefault(opts.PolicyURI, DefaultPolicyURI), Digest: map[string]string{algo: polHex}},
		InputAttestations:  inputs,
		VerificationResult: result,
		VerifiedLevels:     levels,
	}
	pj, err := protojson.Marshal(pred)
	if err != nil {
		return nil, fmt.Errorf("build vsa: predicate: %w", err)
	}
	ps := &structpb.Struct{}
	if err := ps.UnmarshalJSON(pj); err != nil {
		return nil, fmt.Errorf("build vsa: predicate: %w", err)
	}
	name := subject.Name
	if name == "" {
		name = "sha256:" + hexDigest
	}
	st := &intoto.Statement{
		Type:          intoto.StatementTypeUri,
		Subject:       []*intoto.ResourceDescriptor{{Name: name, Digest: map[string]string(subject.Digest)}},
		PredicateType: PredicateType,
		Predicate:     ps,
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("build vsa: statement: %w", err)
	}
	return st, nil
}

// defaultLevels is the honest default: hubgate knows provenance was present
// and verified when the provenance check passed on an input it read.
func defaultLevels(d *policy.Decision) []string {
	read := false
	for _, in := range d.Inputs {
		if in.Kind == policy.KindProvenance {
			read = true
			break
		}
	}
	for _, c := range d.Checks {
		if c.Kind == policy.KindProvenance && c.Outcome == policy.OutcomePass && read {
			return []string{"SLSA_BUILD_LEVEL_1"}
		}
	}
	return []string{"SLSA_BUILD_LEVEL_0"}
}

// MarshalStatement returns the compact, deterministic JSON of st: the DSSE
// payload.
func MarshalStatement(st *intoto.Statement) ([]byte, error) {
	b, err := protojson.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("marshal statement: %w", err)
	}
	// protojson randomises whitespace on purpose; compact it away so the
	// same statement always gives the same bytes.
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("marshal statement: %w", err)
	}
	return buf.Bytes(), nil
}

// Sign builds the VSA of one subject of d and signs it with key. It returns
// a sigstore bundle (v0.3 JSON) holding the DSSE envelope: keyed, with no
// certificate, transparency log entry or timestamp, so it works offline.
func Sign(d *policy.Decision, subject policy.Subject, key *Key, opts Options) ([]byte, error) {
	if key == nil {
		return nil, errors.New("sign vsa: nil key")
	}
	st, err := Statement(d, subject, opts)
	if err != nil {
		return nil, err
	}
	payload, err := MarshalStatement(st)
	if err != nil {
		return nil, fmt.Errorf("sign vsa: %w", err)
	}
	pb, err := sign.Bundle(&sign.DSSEData{Data: payload, PayloadType: PayloadType}, key, sign.BundleOptions{})
	if err != nil {
		return nil, fmt.Errorf("sign vsa: %w", err)
	}
	b, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("sign vsa: marshal bundle: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("sign vsa: marshal bundle: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ParseDigest parses an image digest, "sha256:<64 lower-case hex>" (the
// canonical form of [policy.ParseDigest]), into its raw bytes.
func ParseDigest(digest string) ([]byte, error) {
	d, err := policy.ParseDigest(digest)
	if err != nil {
		return nil, err
	}
	h, ok := d["sha256"]
	if !ok || "sha256:"+h != digest {
		return nil, fmt.Errorf("digest %q: want sha256:<64 lower-case hex>", digest)
	}
	return hex.DecodeString(h)
}

// FileName is the name the webhook's VSA store looks a subject's summary up
// by: "<sha256-hex>.vsa.json".
func FileName(subject policy.Subject) (string, error) {
	h := subject.Digest["sha256"]
	if err := policy.CheckDigest("sha256", h); err != nil {
		return "", fmt.Errorf("vsa file name: subject %q: sha256 digest: %w", subject.Name, err)
	}
	return h + ".vsa.json", nil
}
