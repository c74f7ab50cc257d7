package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// maxManifestFile bounds each manifest file admission test reads.
const maxManifestFile = 4 << 20

type admissionTestFlags struct {
	files                         []string
	registry, vsaDir, vsaKey, now string
	namespace                     string
	outputs                       []string
}

func (a *app) newAdmissionCmd() *cobra.Command {
	c := &cobra.Command{Use: "admission", Short: "Apply the admission webhook's rules offline"}
	var f admissionTestFlags
	test := &cobra.Command{
		Use:   "test -f FILE|DIR [--registry PATH] [--vsa-dir DIR --vsa-key PEM] [-o FORMAT]",
		Short: "The webhook's verdict on manifest files, offline: exit 0 admitted, 1 denied, 2 could not evaluate",
		Long: `Apply the admission rules the webhook applies (digest pinning, allowed
registries, signed verification summaries, referrer annotations, secretless
pods, pull_request_target ConfigMaps) to Kubernetes manifests on disk, as
kyverno apply --resource does. -f takes a YAML or JSON file (several
documents and List kinds allowed) or a directory, read recursively
(*.yaml, *.yml, *.json, in name order). The registry's admission section
gives the allowed registries, exempt namespaces and audit namespaces, as for
hubgate webhook serve.

Images are checked for a summary in --vsa-dir (<sha256-hex>.vsa.json)
signed by --vsa-key; without --vsa-dir, admission.vsa fails closed for every
image, as the webhook would with no summary. Objects of kinds the webhook
does not evaluate are skipped with a note on stderr; objects in exempt
namespaces are skipped; in audit namespaces failures become warnings.

Exit codes: 0 every object would be admitted; 1 one would be denied; 2
hubgate could not evaluate (unreadable files, a manifest that does not
parse, a registry or key that does not load).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runAdmissionTest(cmd.Context(), &f) },
	}
	fl := test.Flags()
	fl.StringArrayVarP(&f.files, "file", "f", nil, "a manifest file or a directory of them (repeatable; required)")
	fl.StringVar(&f.registry, "registry", "", "registry whose admission section configures the rules (default: embedded)")
	fl.StringVar(&f.vsaDir, "vsa-dir", "", "folder of <sha256-hex>.vsa.json verification summaries")
	fl.StringVar(&f.vsaKey, "vsa-key", "", "public key (PKIX PEM) the summaries are signed with")
	fl.StringVar(&f.namespace, "namespace", "default", "the namespace of objects that name none")
	fl.StringVar(&f.now, "now", "", "evaluation time, RFC 3339 (default: now)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "output FORMAT[=PATH]: text | json | sarif | junit | markdown | github (repeatable; default text on stdout)")
	c.AddCommand(test)
	return c
}

// manifest is one object read from a file.
type manifest struct {
	file string
	doc  int
	obj  admission.Object
	name string
}

func (a *app) runAdmissionTest(ctx context.Context, f *admissionTestFlags) error {
	if len(f.files) == 0 {
		return usageErr("admission test: -f FILE|DIR is required")
	}
	if (f.vsaDir == "") != (f.vsaKey == "") {
		return usageErr("admission test: --vsa-dir and --vsa-key go together")
	}
	if err := a.checkColor(); err != nil {
		return err
	}
	outs, err := parseOutputs(f.outputs)
	if err != nil {
		return usageErr("admission test: %v", err)
	}
	now, err := parseNow(f.now)
	if err != nil {
		return usageErr("admission test: %v", err)
	}
	ins := []input{inAny("registry", f.registry), inDir("vsa-dir", f.vsaDir), inFile("vsa-key", f.vsaKey)}
	for _, p := range f.files {
		ins = append(ins, inAny("file", p))
	}
	if err := checkInputs("admission test", ins...); err != nil {
		return err
	}
	var paths []string
	for _, p := range f.files {
		ps, err := manifestFiles(p)
		if err != nil {
			return usageErr("admission test: -f %s: %v", p, err)
		}
		paths = append(paths, ps...)
	}
	var objs []manifest
	for _, p := range paths {
		ms, err := readManifests(p, f.namespace)
		if err != nil {
			// yaml's errors span lines: one line, as every usage error.
			return usageErr("admission test: %s", oneLine(err.Error()))
		}
		objs = append(objs, ms...)
	}
	reg, err := loadRegistry(f.registry)
	if err != nil {
		return err
	}
	cfg, err := loadAdmissionConfig(reg)
	if err != nil {
		return usageErr("admission test: %v", err)
	}
	eng, err := engine.New(ctx, engine.WithRegistry(reg))
	if err != nil {
		return usageErr("admission test: %v", err)
	}
	var checker admission.VSAChecker
	if f.vsaDir != "" {
		keyPEM, err := readBounded(f.vsaKey, 64<<10)
		if err != nil {
			return usageErr("admission test: --vsa-key %s: %s", f.vsaKey, reason(err))
		}
		pub, err := vsa.LoadPublicKey(keyPEM)
		if err != nil {
			return usageErr("admission test: --vsa-key %s: %v", f.vsaKey, err)
		}
		store, err := webhook.NewDirStore(filepath.Clean(f.vsaDir), 0)
		if err != nil {
			return usageErr("admission test: %v", err)
		}
		v, err := webhook.NewVSAVerifier(store, pub)
		if err != nil {
			return usageErr("admission test: %v", err)
		}
		checker = v
	}

	d := &policy.Decision{
		MediaType: policy.DecisionMediaType,
		Repo:      "admission",
		Subjects:  []policy.Subject{},
		Inputs:    []policy.Input{},
		Findings:  []policy.Finding{},
		Time:      now,
		Policy:    policy.PolicyRef{Digest: eng.PolicyDigest()},
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", eng.PolicyDigest(), now.Format(time.RFC3339Nano))
	for _, m := range objs {
		fmt.Fprintf(h, "%s %d %x\n", m.file, m.doc, sha256.Sum256(m.obj.Raw))
		if !admission.Supported(m.obj.Group, m.obj.Kind) {
			fmt.Fprintf(a.stderr, "hubgate: admission test: %s: %s %s: the webhook does not evaluate this kind; skipped\n", m.file, m.obj.Kind, m.name)
			continue
		}
		nc, exempt := cfg.Namespace(m.obj.Namespace)
		if exempt {
			fmt.Fprintf(a.stderr, "hubgate: admission test: %s: %s %s: namespace %s is exempt; skipped\n", m.file, m.obj.Kind, m.name, m.obj.Namespace)
			continue
		}
		od, err := eng.EvaluateAdmission(ctx, engine.AdmissionInput{Config: cfg, Object: m.obj, Checker: checker, Now: now})
		if err != nil {
			return usageErr("admission test: %s: document %d: %v", m.file, m.doc, err)
		}
		for _, fd := range od.Findings {
			fd.Evidence = m.file
			if nc.Mode == admission.ModeAudit && fd.Effective() == policy.OutcomeFail {
				fd.Outcome = policy.OutcomeWarn
				fd.Message = "audit: " + fd.Message
			}
			d.Findings = append(d.Findings, fd)
		}
	}
	d.ID = hex.EncodeToString(h.Sum(nil))[:32]
	d.Outcome = policy.Fold(d.Findings)
	d.Allowed = d.Outcome == policy.OutcomePass || d.Outcome == policy.OutcomeWarn
	d.Checks = []policy.Check{{Kind: "admission", Outcome: d.Outcome, Findings: len(d.Findings)}}

	rules := eng.Rules()
	var werrs []error
	for _, o := range outs {
		if err := a.writeOutput(o, d, rules); err != nil {
			werrs = append(werrs, fmt.Errorf("-o %s: %w", o.format, err))
		}
	}
	if err := errors.Join(werrs...); err != nil {
		return usageErr("admission test: %v", err)
	}
	if !d.Allowed {
		return exitCode(ExitDenied, nil)
	}
	return nil
}

// manifestFiles lists p, or the *.yaml, *.yml and *.json files under the
// directory p in name order.
func manifestFiles(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{p}, nil
	}
	var out []string
	err = filepath.WalkDir(p, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if de.Type().IsRegular() {
				out = append(out, path)
			}
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = errors.New("no *.yaml, *.yml or *.json files")
	}
	return out, err
}

// readManifests reads every document of a YAML or JSON file, expanding
// List kinds.
func readManifests(path, defaultNS string) ([]manifest, error) {
	b, err := readBounded(path, maxManifestFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, reason(err))
	}
	// YAML is a superset of JSON: one decoder reads both, document by
	// document.
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []manifest
	for doc := 1; ; doc++ {
		var raw map[string]any
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("%s: document %d: %v", path, doc, err)
		}
		if raw == nil {
			continue
		}
		items := []map[string]any{raw}
		if k, _ := raw["kind"].(string); strings.HasSuffix(k, "List") {
			items = nil
			list, _ := raw["items"].([]any)
			for _, it := range list {
				if m, ok := it.(map[string]any); ok {
					items = append(items, m)
				}
			}
		}
		for _, it := range items {
			m, err := toManifest(it, defaultNS)
			if err != nil {
				return nil, fmt.Errorf("%s: document %d: %v", path, doc, err)
			}
			m.file, m.doc = path, doc
			out = append(out, m)
		}
	}
}

func toManifest(obj map[string]any, defaultNS string) (manifest, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return manifest{}, errors.New("apiVersion and kind are required")
	}
	group := ""
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		group = g
	}
	meta, _ := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	if ns == "" {
		ns = defaultNS
	}
	name, _ := meta["name"].(string)
	raw, err := json.Marshal(obj)
	if err != nil {
		return manifest{}, err
	}
	return manifest{obj: admission.Object{Group: group, Kind: kind, Namespace: ns, Raw: raw}, name: ns + "/" + name}, nil
}
