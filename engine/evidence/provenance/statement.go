package provenance

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	prov02 "github.com/in-toto/attestation/go/predicates/provenance/v02"
	prov1 "github.com/in-toto/attestation/go/predicates/provenance/v1"
	ita1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Predicate types hubgate reads the fields of.
const (
	PredicateSLSAv1  = "https://slsa.dev/provenance/v1"
	PredicateSLSAv02 = "https://slsa.dev/provenance/v0.2"
	// InTotoPayloadType is the DSSE payload type of in-toto statements.
	InTotoPayloadType = "application/vnd.in-toto+json"
)

// ErrStatement is wrapped by every statement parse error.
var ErrStatement = errors.New("in-toto statement")

// maxSubjects bounds the subjects read from one statement.
const maxSubjects = 4096

// Subject is one statement subject.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Source is the source the build came from, as the provenance states it.
type Source struct {
	// URI is normalised: "github.com/owner/repo", no scheme, no "git+",
	// no ".git", no "@ref".
	URI string `json:"uri"`
	// RawURI is the URI as written.
	RawURI string `json:"raw_uri"`
	// Ref is "refs/tags/v1.2.3", "refs/heads/main", … ("" if unknown).
	Ref string `json:"ref"`
	// Commit is the git commit (sha1 or gitCommit digest).
	Commit string `json:"commit"`
	// Path is the JSON path the source was read from.
	Path string `json:"path"`
}

// Statement holds the facts read from a verified in-toto statement.
type Statement struct {
	Type          string    `json:"type"`
	PredicateType string    `json:"predicate_type"`
	Subjects      []Subject `json:"subjects"`
	// BuilderID is the SLSA builder id; BuilderName and BuilderRef split it
	// at its last "@" (slsa-verifier's convention).
	BuilderID   string `json:"builder_id"`
	BuilderName string `json:"builder_name"`
	BuilderRef  string `json:"builder_ref"`
	BuildType   string `json:"build_type"`
	Source      Source `json:"source"`
	// Trigger is the GitHub event that started the build, as the
	// predicate states it ("" if it does not), and TriggerPath where:
	// v1 internalParameters.github.event_name (or GITHUB_EVENT_NAME), v0.2
	// invocation.environment.github_event_name (slsa-github-generator) or
	// GITHUB_EVENT_NAME (npm).
	Trigger     string `json:"trigger"`
	TriggerPath string `json:"trigger_path"`
	// Times are the build times the predicate states, by field: v1
	// runDetails.metadata.startedOn/finishedOn, v0.2
	// metadata.buildStartedOn/buildFinishedOn. Claims, for the caller to
	// compare with its evaluation time.
	Times []StatementTime `json:"times,omitempty"`
}

// StatementTime is one time a predicate states.
type StatementTime struct {
	Field string    `json:"field"`
	Time  time.Time `json:"time"`
}

func (out *Statement) addTime(field string, ts *timestamppb.Timestamp) {
	if ts == nil || ts.CheckValid() != nil {
		return
	}
	out.Times = append(out.Times, StatementTime{Field: field, Time: ts.AsTime().UTC()})
}

// ParseStatement reads an in-toto Statement (v0.1 or v1) and, for SLSA
// provenance v0.2 and v1, its builder, build type and source. Only call it
// on a verified payload.
func ParseStatement(payloadType string, payload []byte) (*Statement, error) {
	if payloadType != InTotoPayloadType {
		return nil, fmt.Errorf("%w: payloadType is %q, want %q", ErrStatement, payloadType, InTotoPayloadType)
	}
	var st ita1.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStatement, err)
	}
	if len(st.GetSubject()) > maxSubjects {
		return nil, fmt.Errorf("%w: subject: %d entries, at most %d", ErrStatement, len(st.GetSubject()), maxSubjects)
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStatement, err)
	}
	out := &Statement{Type: st.GetType(), PredicateType: st.GetPredicateType(), Subjects: []Subject{}}
	for _, s := range st.GetSubject() {
		d := map[string]string{}
		for k, v := range s.GetDigest() {
			d[strings.ToLower(k)] = strings.ToLower(v)
		}
		out.Subjects = append(out.Subjects, Subject{Name: s.GetName(), Digest: d})
	}
	pred, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		return nil, fmt.Errorf("%w: predicate: %w", ErrStatement, err)
	}
	switch out.PredicateType {
	case PredicateSLSAv1:
		if err := readV1(pred, out); err != nil {
			return nil, err
		}
	case PredicateSLSAv02:
		if err := readV02(pred, out); err != nil {
			return nil, err
		}
	}
	out.BuilderName, out.BuilderRef = SplitBuilderID(out.BuilderID)
	return out, nil
}

func readV1(pred []byte, out *Statement) error {
	var p prov1.Provenance
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(pred, &p); err != nil {
		return fmt.Errorf("%w: predicate: %w", ErrStatement, err)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: predicate: %w", ErrStatement, err)
	}
	out.BuilderID = p.GetRunDetails().GetBuilder().GetId()
	out.addTime("predicate.runDetails.metadata.startedOn", p.GetRunDetails().GetMetadata().GetStartedOn())
	out.addTime("predicate.runDetails.metadata.finishedOn", p.GetRunDetails().GetMetadata().GetFinishedOn())
	out.BuildType = p.GetBuildDefinition().GetBuildType()
	ext := p.GetBuildDefinition().GetExternalParameters()
	ip := p.GetBuildDefinition().GetInternalParameters()
	if ev := stringField(structField(ip, "github"), "event_name"); ev != "" {
		out.Trigger, out.TriggerPath = ev, "predicate.buildDefinition.internalParameters.github.event_name"
	} else if ev := stringField(ip, "GITHUB_EVENT_NAME"); ev != "" {
		// slsa-github-generator's delegator build type.
		out.Trigger, out.TriggerPath = ev, "predicate.buildDefinition.internalParameters.GITHUB_EVENT_NAME"
	}
	deps := p.GetBuildDefinition().GetResolvedDependencies()

	// GitHub Actions workflow build type: externalParameters.workflow.
	if wf := structField(ext, "workflow"); wf != nil {
		if repo := stringField(wf, "repository"); repo != "" {
			out.Source = Source{RawURI: repo, Ref: stringField(wf, "ref"), Path: "predicate.buildDefinition.externalParameters.workflow"}
		}
	}
	// Container-based and other builders: externalParameters.source, a
	// URI string or a resource descriptor.
	if out.Source.RawURI == "" {
		if v, ok := ext.GetFields()["source"]; ok {
			switch {
			case v.GetStringValue() != "":
				out.Source = Source{RawURI: v.GetStringValue(), Path: "predicate.buildDefinition.externalParameters.source"}
			case v.GetStructValue() != nil:
				s := v.GetStructValue()
				out.Source = Source{RawURI: stringField(s, "uri"), Path: "predicate.buildDefinition.externalParameters.source"}
				if d := structField(s, "digest"); d != nil {
					out.Source.Commit = commitOf(structStrings(d))
				}
			}
		}
	}
	// The resolved git dependency gives the commit, and the source when the
	// parameters do not.
	for i, d := range deps {
		if !strings.HasPrefix(d.GetUri(), "git+") {
			continue
		}
		if out.Source.RawURI == "" {
			out.Source = Source{RawURI: d.GetUri(), Path: fmt.Sprintf("predicate.buildDefinition.resolvedDependencies[%d]", i)}
		}
		if out.Source.Commit == "" && sameRepo(d.GetUri(), out.Source.RawURI) {
			out.Source.Commit = commitOf(d.GetDigest())
		}
		break
	}
	finishSource(&out.Source)
	return nil
}

// v02 is the part of SLSA provenance v0.2 hubgate reads, decoded with the
// in-toto attestation module's v0.2 type.
func readV02(pred []byte, out *Statement) error {
	var p prov02.Provenance
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(pred, &p); err != nil {
		return fmt.Errorf("%w: predicate: %w", ErrStatement, err)
	}
	if p.GetBuilder().GetId() == "" {
		return fmt.Errorf("%w: predicate.builder.id: missing", ErrStatement)
	}
	out.BuilderID = p.GetBuilder().GetId()
	out.BuildType = p.GetBuildType()
	out.addTime("predicate.metadata.buildStartedOn", p.GetMetadata().GetBuildStartedOn())
	out.addTime("predicate.metadata.buildFinishedOn", p.GetMetadata().GetBuildFinishedOn())
	env := p.GetInvocation().GetEnvironment()
	for _, k := range []string{"github_event_name", "GITHUB_EVENT_NAME"} {
		if ev := stringField(env, k); ev != "" {
			out.Trigger, out.TriggerPath = ev, "predicate.invocation.environment."+k
			break
		}
	}
	if cs := p.GetInvocation().GetConfigSource(); cs.GetUri() != "" {
		out.Source = Source{RawURI: cs.GetUri(), Commit: commitOf(cs.GetDigest()), Path: "predicate.invocation.configSource"}
	} else {
		for i, m := range p.GetMaterials() {
			if strings.HasPrefix(m.GetUri(), "git+") {
				out.Source = Source{RawURI: m.GetUri(), Commit: commitOf(m.GetDigest()), Path: fmt.Sprintf("predicate.materials[%d]", i)}
				break
			}
		}
	}
	finishSource(&out.Source)
	return nil
}

// finishSource normalises RawURI into URI and takes the ref from an
// "@refs/..." suffix when no ref was given.
func finishSource(s *Source) {
	if s.RawURI == "" {
		return
	}
	uri, ref := NormalizeSourceURI(s.RawURI)
	s.URI = uri
	if s.Ref == "" {
		s.Ref = ref
	}
}

// NormalizeSourceURI turns "git+https://github.com/o/r.git@refs/tags/v1"
// into ("github.com/o/r", "refs/tags/v1"). Host names are lowercased.
func NormalizeSourceURI(raw string) (uri, ref string) {
	u := strings.TrimSpace(raw)
	u = strings.TrimPrefix(u, "git+")
	for _, p := range []string{"https://", "http://", "ssh://", "git://"} {
		if strings.HasPrefix(strings.ToLower(u), p) {
			u = u[len(p):]
			break
		}
	}
	if i := strings.LastIndex(u, "@"); i >= 0 {
		u, ref = u[:i], u[i+1:]
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	if host, rest, ok := strings.Cut(u, "/"); ok {
		u = strings.ToLower(host) + "/" + rest
	} else {
		u = strings.ToLower(u)
	}
	return u, ref
}

func sameRepo(a, b string) bool {
	x, _ := NormalizeSourceURI(a)
	y, _ := NormalizeSourceURI(b)
	return x == y
}

func commitOf(d map[string]string) string {
	for _, k := range []string{"gitCommit", "sha1", "sha256"} {
		if v := d[k]; v != "" {
			return strings.ToLower(v)
		}
	}
	return ""
}

func structField(s *structpb.Struct, name string) *structpb.Struct {
	if s == nil {
		return nil
	}
	return s.GetFields()[name].GetStructValue()
}

func stringField(s *structpb.Struct, name string) string {
	if s == nil {
		return ""
	}
	return s.GetFields()[name].GetStringValue()
}

func structStrings(s *structpb.Struct) map[string]string {
	out := map[string]string{}
	keys := make([]string, 0, len(s.GetFields()))
	for k := range s.GetFields() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := s.GetFields()[k].GetStringValue(); v != "" {
			out[k] = v
		}
	}
	return out
}
