package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// evalFlags are the flags of hubgate eval. Their names are a contract.
type evalFlags struct {
	registry       string
	policies       []string
	repo           string
	subjects       []string
	subjectDigests []string
	now            string
	outputs        []string
	trustedRoot    string
	maxFileSize    int64

	checksums, sboms, vexes, vulns, provenance, egress  []string
	vsas                                                []string
	signature, referrers, evidenceManifest, evidenceDir string
	detOriginal, detRebuild, detReport, detPrevious     string
	detDiffoscope                                       string
	detOriginalTime, detRebuildTime                     string
	cacheManifest, cacheSignature, cacheDir             string
	drill, drillReport, workflows                       string

	vsaOut, signKey, decisionLog, pipelineRun string
	github                                    bool

	failOn  string
	explain bool

	oci ociFlags
}

func (a *app) newEvalCmd() *cobra.Command {
	var f evalFlags
	c := &cobra.Command{
		Use:   "eval",
		Short: "Judge one release: exit 0 allowed, 1 denied, 2 could not evaluate",
		Long: `Judge one release's evidence against its repository's policy.

Exit codes: 0 allowed (pass, or warnings only); 1 denied (any fail or error
finding; with --fail-on warn, any warning too); 2 hubgate could not evaluate
(bad flags, a registry or policy that fails to load, an unknown repo, a file
named on the command line that cannot be opened, an output that cannot be
written). A file that opens but is malformed is an error finding: exit 1.

A single evidence file flag may be "-" to read standard input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runEval(cmd, &f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.registry, "registry", "", "registry: a CUE, YAML or JSON file, or a directory of them (default: the embedded registry)")
	fl.StringArrayVar(&f.policies, "policy", nil, "a directory of extra Rego rules, compiled with the built-in pack (repeatable)")
	fl.StringVar(&f.repo, "repo", "", "the repository, OWNER/NAME as the registry lists it (required)")
	fl.StringArrayVar(&f.subjects, "subject", nil, "an artifact of the release, hashed by streaming (repeatable)")
	fl.StringArrayVar(&f.subjectDigests, "subject-digest", nil, "an artifact known by digest, NAME=sha256:HEX (repeatable)")
	fl.StringVar(&f.now, "now", "", "evaluation time, RFC 3339 (default: now); the same inputs and --now give the same bytes")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "output FORMAT[=PATH]: "+strings.Join(report.Formats(), " | ")+" (repeatable; default text on stdout)")
	fl.StringVar(&f.trustedRoot, "trusted-root", "", "a sigstore trusted_root.json (default: the registry's, else the embedded public-good root)")
	fl.Int64Var(&f.maxFileSize, "max-file-size", engine.DefaultMaxFileSize, "the largest evidence file hubgate reads, in bytes")

	fl.StringArrayVar(&f.checksums, "checksums", nil, "a checksum list: SHA256SUMS, BSD style, goreleaser checksums.txt, sha512 (repeatable)")
	fl.StringArrayVar(&f.sboms, "sbom", nil, "an SBOM: CycloneDX JSON/XML or SPDX 2.3 JSON (repeatable)")
	fl.StringArrayVar(&f.vexes, "vex", nil, "a VEX document: OpenVEX or CycloneDX VEX (repeatable)")
	fl.StringArrayVar(&f.vulns, "vulns", nil, "a vulnerability report: grype JSON or CycloneDX (repeatable)")
	fl.StringVar(&f.signature, "signature", "", "a sigstore bundle signing a subject")
	fl.StringArrayVar(&f.provenance, "provenance", nil, "signed SLSA provenance: sigstore bundle, DSSE envelope or .intoto.jsonl (repeatable)")
	fl.StringArrayVar(&f.vsas, "vsa", nil, "a signed SLSA verification summary of the subject (sigstore bundle from eval --vsa-out; repeatable)")
	fl.StringVar(&f.referrers, "referrers", "", "the output of oras discover -o json for the subject digest")
	fl.StringVar(&f.evidenceManifest, "evidence-manifest", "", "evidence-manifest.json; its sigstore bundle is evidence-manifest.json.sigstore.json beside it")
	fl.StringVar(&f.evidenceDir, "evidence-dir", "", "the directory the evidence manifest lists")
	fl.StringArrayVar(&f.egress, "egress", nil, "the hub's egress-report.json or a Squid access.log (repeatable)")
	fl.StringVar(&f.detOriginal, "determinism-original", "", "sha256sum list of the original build")
	fl.StringVar(&f.detRebuild, "determinism-rebuild", "", "sha256sum list of the later rebuild")
	fl.StringVar(&f.detReport, "determinism-report", "", "the hub's determinism report.json (build times)")
	fl.StringVar(&f.detDiffoscope, "determinism-diffoscope", "", "diffoscope --json output explaining a differing file")
	fl.StringVar(&f.detPrevious, "determinism-previous", "", "the previous release's decision JSON, whose delayed rebuild must have passed")
	fl.StringVar(&f.detOriginalTime, "determinism-original-time", "", "when the original was built, RFC 3339")
	fl.StringVar(&f.detRebuildTime, "determinism-rebuild-time", "", "when the rebuild was built, RFC 3339")
	fl.StringVar(&f.cacheManifest, "cache-manifest", "", "the hub's cache-manifest.json")
	fl.StringVar(&f.cacheSignature, "cache-signature", "", "the sigstore bundle signing the cache manifest")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "the observed cache directory")
	fl.StringVar(&f.drill, "drill", "", "the hub's DR manifest.json")
	fl.StringVar(&f.drillReport, "drill-report", "", "the hub's dr-report.json")
	fl.StringVar(&f.workflows, "workflows", "", "a directory of GitHub Actions workflow files")

	fl.StringVar(&f.vsaOut, "vsa-out", "", "write a signed SLSA verification summary (sigstore bundle) for the subject")
	fl.StringVar(&f.signKey, "sign-key", "", "the PEM private key that signs --vsa-out (from hubgate keygen)")
	fl.StringVar(&f.decisionLog, "decision-log", "", "append one NDJSON line per decision to this file")
	fl.StringVar(&f.pipelineRun, "pipeline-run", "", "write the decision as policies[] entries of the hub's pipeline_run.v1.2 record")
	fl.StringVar(&f.failOn, "fail-on", "fail", "the lowest outcome that exits 1: warn (warnings fail too) or fail (a denied release)")
	fl.BoolVar(&f.explain, "explain", false, "for each failing or warning finding, print the evidence and field it read, what it found and wanted, and the registry settings it compared")
	f.oci.add(fl, true)
	fl.BoolVar(&f.github, "github", false, "write the step summary and outputs of a GitHub Actions step (automatic when GITHUB_ACTIONS=true)")
	return c
}

// output is one -o FORMAT[=PATH].
type output struct{ format, path string }

func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		return []output{{format: "text"}}, nil
	}
	known := map[string]bool{}
	for _, f := range report.Formats() {
		known[f] = true
	}
	var out []output
	stdout := 0
	for _, s := range specs {
		format, path, _ := strings.Cut(s, "=")
		if !known[format] {
			return nil, fmt.Errorf("-o %s: unknown format %q: want one of %s", s, format, strings.Join(report.Formats(), ", "))
		}
		if path == "" || path == "-" {
			stdout++
			path = ""
		}
		out = append(out, output{format: format, path: path})
	}
	if stdout > 1 {
		return nil, errors.New("-o: only one format may go to stdout; give the others a path (FORMAT=PATH)")
	}
	return out, nil
}

// items turns the evidence flags into engine items, checking that each file
// named exists, so that a typo is exit 2 and not a finding.
func (f *evalFlags) items() ([]engine.Item, error) {
	var items []engine.Item
	var errs []error
	input := func(k policy.EvidenceKind, role, flag, p string, kind inputKind) {
		if p == "" {
			return
		}
		if err := checkInput(flag, p, kind); err != nil {
			errs = append(errs, err)
			return
		}
		items = append(items, engine.Item{Kind: k, Role: role, Path: p})
	}
	file := func(k policy.EvidenceKind, role, flag, p string) { input(k, role, flag, p, inputFile) }
	dir := func(k policy.EvidenceKind, role, flag, p string) { input(k, role, flag, p, inputDir) }
	files := func(k policy.EvidenceKind, flag string, ps []string) {
		for _, p := range ps {
			file(k, "", flag, p)
		}
	}
	value := func(k policy.EvidenceKind, role, flag, v string) {
		if v == "" {
			return
		}
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			errs = append(errs, fmt.Errorf("--%s %q: want an RFC 3339 time such as 2026-11-28T00:00:00Z", flag, v))
			return
		}
		items = append(items, engine.Item{Kind: k, Role: role, Value: v})
	}
	files(policy.KindChecksums, "checksums", f.checksums)
	files(policy.KindSBOM, "sbom", f.sboms)
	files(policy.KindVEX, "vex", f.vexes)
	files(policy.KindVulnerabilities, "vulns", f.vulns)
	files(policy.KindProvenance, "provenance", f.provenance)
	file(policy.KindSignature, "", "signature", f.signature)
	files(policy.KindVSA, "vsa", f.vsas)
	file(policy.KindReferrers, "", "referrers", f.referrers)
	file(policy.KindEvidenceBundle, "manifest", "evidence-manifest", f.evidenceManifest)
	dir(policy.KindEvidenceBundle, "dir", "evidence-dir", f.evidenceDir)
	files(policy.KindEgress, "egress", f.egress)
	file(policy.KindDeterminism, "original", "determinism-original", f.detOriginal)
	file(policy.KindDeterminism, "rebuild", "determinism-rebuild", f.detRebuild)
	file(policy.KindDeterminism, "report", "determinism-report", f.detReport)
	file(policy.KindDeterminism, "previous", "determinism-previous", f.detPrevious)
	file(policy.KindDeterminism, "diffoscope", "determinism-diffoscope", f.detDiffoscope)
	value(policy.KindDeterminism, "original-time", "determinism-original-time", f.detOriginalTime)
	value(policy.KindDeterminism, "rebuild-time", "determinism-rebuild-time", f.detRebuildTime)
	file(policy.KindCache, "manifest", "cache-manifest", f.cacheManifest)
	file(policy.KindCache, "signature", "cache-signature", f.cacheSignature)
	dir(policy.KindCache, "dir", "cache-dir", f.cacheDir)
	file(policy.KindDrill, "manifest", "drill", f.drill)
	file(policy.KindDrill, "report", "drill-report", f.drillReport)
	dir(policy.KindWorkflow, "dir", "workflows", f.workflows)
	return items, errors.Join(errs...)
}

func (f *evalFlags) subjectInputs() ([]engine.SubjectInput, error) {
	var out []engine.SubjectInput
	var errs []error
	for _, p := range f.subjects {
		if err := checkInput("subject", p, inputFile); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, engine.SubjectInput{Name: filepath.Base(p), Path: p})
	}
	for _, s := range f.subjectDigests {
		name, dg, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			errs = append(errs, fmt.Errorf("--subject-digest %q: want NAME=sha256:HEX", s))
			continue
		}
		d, err := policy.ParseDigest(dg)
		if err != nil {
			errs = append(errs, fmt.Errorf("--subject-digest: %w", err))
			continue
		}
		out = append(out, engine.SubjectInput{Name: name, Digest: d})
	}
	return out, errors.Join(errs...)
}

// parseNow reads --now, or the wall clock when it is empty: the only place
// hubgate reads the clock for a decision.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: want an RFC 3339 time such as 2026-11-28T00:00:00Z", s)
	}
	return t.UTC(), nil
}

// engineOptions builds the engine options shared by the commands that load
// a registry and rules.
func engineOptions(registryPath string, policyDirs []string) []engine.Option {
	var opts []engine.Option
	if registryPath != "" {
		opts = append(opts, engine.WithRegistryPath(registryPath))
	}
	for _, d := range policyDirs {
		opts = append(opts, engine.WithPolicyDir(d))
	}
	return opts
}

func (a *app) runEval(cmd *cobra.Command, f *evalFlags) error {
	if f.repo == "" {
		return usageErr("eval: --repo OWNER/NAME is required")
	}
	if err := a.checkColor(); err != nil {
		return err
	}
	outs, err := parseOutputs(f.outputs)
	if err != nil {
		return usageErr("eval: %v", err)
	}
	if f.failOn != "warn" && f.failOn != "fail" {
		return usageErr("eval: --fail-on %q: want warn or fail", f.failOn)
	}
	now, err := parseNow(f.now)
	if err != nil {
		return usageErr("eval: %v", err)
	}
	spool, err := a.spoolStdin(f)
	if err != nil {
		return usageErr("eval: %v", err)
	}
	defer spool.remove()
	subjects, err := f.subjectInputs()
	if err != nil {
		return usageErr("eval: %v", err)
	}
	items, err := f.items()
	if err != nil {
		return usageErr("eval: %v", err)
	}
	if f.trustedRoot != "" {
		if err := checkInput("trusted-root", f.trustedRoot, inputFile); err != nil {
			return usageErr("eval: %v", err)
		}
	}
	if err := checkEngineInputs(f.registry, f.policies); err != nil {
		return usageErr("eval: %v", err)
	}
	if f.signKey != "" {
		if err := checkInput("sign-key", f.signKey, inputFile); err != nil {
			return usageErr("eval: %v", err)
		}
	}
	if (f.vsaOut == "") != (f.signKey == "") {
		return usageErr("eval: --vsa-out and --sign-key go together")
	}
	if f.oci.image != "" {
		// Discovery before the engine loads: a registry that cannot be
		// reached is exit 2, never a decision.
		sub, found, err := a.discoverImage(f)
		if err != nil {
			return err
		}
		subjects = append(subjects, sub)
		items = append(items, found...)
	}
	opts := append(engineOptions(f.registry, f.policies), engine.WithMaxFileSize(f.maxFileSize), engine.WithRegistryCache(a.registryCacheDir()))
	eng, err := engine.New(a.ctx, opts...)
	if err != nil {
		return usageErr("%v", err)
	}
	d, err := eng.Evaluate(a.ctx, engine.Input{
		Repo:        f.repo,
		Now:         now,
		Subjects:    subjects,
		Evidence:    items,
		TrustedRoot: f.trustedRoot,
	})
	if err != nil {
		if errors.Is(err, registry.ErrUnknownRepo) {
			return usageErr("eval: %v%s; see hubgate registry list", err, didYouMean(f.repo, eng.Registry().Names()))
		}
		return usageErr("eval: %v", err)
	}
	spool.rename(d)
	rules := eng.Rules()
	a.warnUnknownWaiverRules(eng.Registry(), f.repo, rules)
	// Write every output even when one fails; any failure exits 2, for
	// a report that was asked for and not written cannot gate anything.
	var werrs []error
	for _, o := range outs {
		if err := a.writeOutput(o, d, rules); err != nil {
			werrs = append(werrs, fmt.Errorf("-o %s: %w", o.format, err))
		}
	}
	if err := errors.Join(werrs...); err != nil {
		return usageErr("eval: %v", err)
	}
	if f.explain {
		// After a text report on stdout; on stderr when stdout carries a
		// machine format, so that stays parseable.
		w := a.stderr
		for _, o := range outs {
			if o.path == "" && o.format == "text" {
				w = a.stdout
			}
		}
		if err := writeExplain(w, d, rules, eng.Registry()); err != nil {
			return usageErr("eval: --explain: %v", err)
		}
	}
	if err := a.afterEval(f, d, rules, outs); err != nil {
		return usageErr("eval: %v", err)
	}
	if !d.Allowed {
		return exitCode(ExitDenied, nil)
	}
	if f.failOn == "warn" && d.Outcome != policy.OutcomePass {
		// Allowed with warnings: --fail-on warn makes that exit 1 too.
		fmt.Fprintf(a.stderr, "hubgate: eval: outcome %s fails with --fail-on warn\n", d.Outcome)
		return exitCode(ExitDenied, nil)
	}
	return nil
}

func (a *app) writeOutput(o output, d *policy.Decision, rules []policy.RuleInfo) error {
	// In Actions, absolute evidence paths are made relative to the workspace
	// so annotations attach to repository files.
	opts := report.Options{Rules: rules, Root: a.getenv("GITHUB_WORKSPACE")}
	if o.path == "" {
		opts.Color = a.useColor(a.stdout)
		if err := report.Render(a.stdout, o.format, d, opts); err != nil {
			return fmt.Errorf("write %s report to standard output: %w", o.format, err)
		}
		return nil
	}
	return writeFileAtomic(o.path, func(w io.Writer) error { return report.Render(w, o.format, d, opts) })
}

// writeFileAtomic writes a report file through a temporary file in the same
// directory, so a reader never sees half an output. Reports are not secrets:
// the file is mode 0644 (keys, written by keygen, stay 0600). Errors name the
// output, never the temporary file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	// rename onto a directory fails with a misleading "file exists".
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("write %s: is a directory", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %s", path, reason(err))
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %s", path, reason(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %s", path, reason(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %s", path, reason(err))
	}
	return nil
}
