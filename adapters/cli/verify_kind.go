package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

// verifyRun is one `hubgate verify <kind>`: the flags become a registry
// entry for one repo that requires the kind, and the engine judges that one
// kind (engine.EvaluateKinds) with the rules eval uses. verify holds no rule
// of its own: `hubgate eval --registry R --repo REPO` with the same entry
// gives the same verdict and findings.
type verifyRun struct {
	cmd  string // "verify provenance"
	kind policy.EvidenceKind
	// also are the kinds judged with kind because its facts read their
	// evidence (vex and sbom for vulnerabilities), when given: eval judges
	// them too.
	also []policy.EvidenceKind
	// repo is the registry entry's name, entry its settings (the kind's
	// section, as JSON values); org, when set, holds org-wide settings (a
	// value a repo could not loosen).
	repo       string
	entry, org map[string]any
	// subject is the artifact, a file or a digest; subjects, when set,
	// replaces it with several (or none).
	subject     engine.SubjectInput
	subjects    []engine.SubjectInput
	evidence    []engine.Item
	trustedRoot string
	now         string
	// maxFileSize bounds each evidence file; 0 is the engine's default.
	maxFileSize int64
}

// verifyRegistry is the registry a verify run judges with, as JSON: one
// repo requiring kind (on top of the org's require, which a repo may only
// extend; EvaluateKinds judges kind alone), with entry's settings, and
// org's.
func verifyRegistry(repo string, kind policy.EvidenceKind, entry, org map[string]any) ([]byte, error) {
	r := map[string]any{"require": []string{string(policy.KindChecksums), string(kind)}}
	for k, v := range entry {
		r[k] = v
	}
	reg := map[string]any{"repos": map[string]any{repo: r}}
	if len(org) > 0 {
		reg["org"] = org
	}
	return json.MarshalIndent(reg, "", "  ")
}

// verifyDecide evaluates the kind (and r.also) with an engine whose
// registry r's flags make, and returns the decision, the facts the rules
// judged, and the rule catalogue. Its errors are usage errors.
func (a *app) verifyDecide(r verifyRun) (*policy.Decision, engine.KindFacts, []policy.RuleInfo, error) {
	now, err := parseNow(r.now)
	if err != nil {
		return nil, nil, nil, usageErr("%s: %v", r.cmd, err)
	}
	src, err := verifyRegistry(r.repo, r.kind, r.entry, r.org)
	if err != nil {
		return nil, nil, nil, usageErr("%s: %v", r.cmd, err)
	}
	dir, err := os.MkdirTemp("", "hubgate-verify-")
	if err != nil {
		return nil, nil, nil, usageErr("%s: %v", r.cmd, err)
	}
	defer os.RemoveAll(dir)
	regPath := filepath.Join(dir, "registry.json")
	if err := os.WriteFile(regPath, src, 0o600); err != nil {
		return nil, nil, nil, usageErr("%s: %v", r.cmd, err)
	}
	// The same flags make the same registry: the cache skips CUE then.
	opts := []engine.Option{engine.WithRegistryPath(regPath), engine.WithRegistryCache(a.registryCacheDir())}
	if r.maxFileSize != 0 {
		opts = append(opts, engine.WithMaxFileSize(r.maxFileSize))
	}
	eng, err := engine.New(a.ctx, opts...)
	if err != nil {
		return nil, nil, nil, usageErr("%s: %s", r.cmd, strings.ReplaceAll(err.Error(), regPath, "flags"))
	}
	subjects := r.subjects
	if subjects == nil {
		subjects = []engine.SubjectInput{r.subject}
	}
	kinds := []policy.EvidenceKind{r.kind}
	for _, k := range r.also {
		if slices.ContainsFunc(r.evidence, func(it engine.Item) bool { return it.Kind == k }) {
			kinds = append(kinds, k)
		}
	}
	d, facts, err := eng.EvaluateKindsFacts(a.ctx, engine.Input{
		Repo: r.repo, Now: now, Subjects: subjects,
		Evidence: r.evidence, TrustedRoot: r.trustedRoot,
	}, kinds...)
	if err != nil {
		return nil, nil, nil, usageErr("%s: %v", r.cmd, err)
	}
	return d, facts, eng.Rules(), nil
}

// verifyKind evaluates the kind, renders the decision as text and returns the
// exit code's error: nil when allowed, ExitDenied when not.
func (a *app) verifyKind(r verifyRun) error {
	d, _, rules, err := a.verifyDecide(r)
	if err != nil {
		return err
	}
	if err := a.writeOutput(output{format: "text"}, d, rules); err != nil {
		return usageErr("%s: %v", r.cmd, err)
	}
	name := r.subject.Name
	if name == "" {
		name = filepath.Base(r.subject.Path)
	}
	return a.verifyVerdict(r, d, name)
}

// verifyVerdict is the exit code's error of a verify run's decision: nil
// (and a PASSED line) when allowed, ExitDenied with the failing rules and
// files when not.
func (a *app) verifyVerdict(r verifyRun, d *policy.Decision, name string) error {
	if !d.Allowed {
		var ids, files []string
		for _, f := range d.Findings {
			if o := f.Effective(); o == policy.OutcomeFail || o == policy.OutcomeError {
				if !slices.Contains(ids, f.Rule) {
					ids = append(ids, f.Rule)
				}
				if f.Evidence != "" && !slices.Contains(files, f.Evidence) {
					files = append(files, f.Evidence)
				}
			}
		}
		msg := fmt.Sprintf("FAILED: %s of %s: %s", r.kind, name, strings.Join(ids, ", "))
		if len(files) > 0 {
			msg += " (in " + strings.Join(files, ", ") + ")"
		}
		return exitCode(ExitDenied, errors.New(msg))
	}
	fmt.Fprintf(a.stdout, "PASSED: verified %s for %s\n", r.kind, name)
	return nil
}

// subjectOf is the verify subject: the artifact file, or a digest
// (sha256:HEX or sha512:HEX) named "artifact".
func subjectOf(artifact, digest string) (engine.SubjectInput, error) {
	if artifact != "" {
		return engine.SubjectInput{Path: artifact}, nil
	}
	d, err := policy.ParseDigest(digest)
	if err != nil {
		return engine.SubjectInput{}, err
	}
	return engine.SubjectInput{Name: "artifact", Digest: d}, nil
}
