package evidencebundle

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is the facts document of the evidence_bundle kind,
// input.evidence_bundle in Rego.
type Facts struct {
	evidence.Facts
	// Manifest and Dir are the paths given ("" when not given); Dir
	// defaults to the manifest's directory.
	Manifest    string `json:"manifest"`
	Dir         string `json:"dir"`
	TrustedRoot string `json:"trusted_root"`
	// Checked is true when the manifest was parsed and the directory
	// walked, so files and unlisted are complete.
	Checked bool `json:"checked"`
	// Parsed is true when the manifest parsed, so version, timestamp and
	// subjects are the manifest's.
	Parsed bool `json:"parsed"`
	// MaxAge is the registry's evidence_bundle.max_age, the oldest the
	// manifest's timestamp may be at the evaluation time.
	MaxAge   string `json:"max_age"`
	MaxAgeNs int64  `json:"max_age_ns"`
	// Inputs are the evidence files the other kinds read, each checked
	// against the manifest ([Facts.BindInputs]); rules judge them when the
	// registry requires evidence_bundle.
	Inputs []Binding `json:"inputs"`
	Result

	manifest *Manifest
}

// evidenceBundleConfig is the registry's evidence_bundle section.
type evidenceBundleConfig struct {
	MaxAge string `json:"max_age"`
}

// Section is the registry's evidence_bundle section, decoded once at load into its
// typed config.
var Section = registry.SectionOf[evidenceBundleConfig]("evidence_bundle")

// Collect checks evidence-manifest.json (role "manifest"), its
// sigstore bundle (role "signature", else MANIFEST.sigstore.json or
// MANIFEST.bundle beside it) and the evidence directory (role "dir", else
// the manifest's directory).
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	facts := &Facts{Facts: evidence.New(items)}
	facts.Files = []FileCheck{}
	facts.Unlisted = []string{}
	facts.Signature.TlogIndex = -1
	facts.Signature.Timestamps = []trust.Timestamp{}
	facts.Signature.ExpiredTrust = []string{}
	facts.Subjects = []ManifestSubject{}
	facts.Inputs = []Binding{}
	var cfg evidenceBundleConfig
	if env.Config != nil {
		if err := env.Config.Section("evidence_bundle", &cfg); err != nil {
			facts.AddProblem("registry", "evidence_bundle", 0, "%v", err)
		}
	}
	// The default is cue/section_evidence_bundle.cue's alone: a section
	// that did not come through the schema and sets none is a problem, and
	// the zero age fails every manifest.
	var maxAge time.Duration
	switch {
	case cfg.MaxAge == "" && len(items) > 0:
		facts.AddProblem("registry", "evidence_bundle.max_age", 0, "the registry sets none (its default is in cue/section_evidence_bundle.cue)")
	case cfg.MaxAge != "":
		d, err := time.ParseDuration(cfg.MaxAge)
		if err != nil || d <= 0 {
			facts.AddProblem("registry", "evidence_bundle.max_age", 0, "want a positive duration such as \"720h\", got %q", cfg.MaxAge)
		} else {
			maxAge = d
		}
	}
	facts.MaxAge, facts.MaxAgeNs = maxAge.String(), int64(maxAge)
	if len(items) == 0 {
		return facts
	}
	var sigPath string
	for _, it := range items {
		switch it.Role {
		case "manifest":
			facts.Manifest = it.Path
		case "dir":
			facts.Dir = it.Path
		case "signature":
			sigPath = it.Path
		default:
			facts.AddProblem(it.Path, "", 0, "unknown evidence_bundle role %q: want manifest, signature or dir", it.Role)
		}
	}
	if facts.Manifest == "" {
		facts.AddProblem(facts.Dir, "", 0, "no evidence manifest given (--evidence-manifest)")
		return facts
	}
	if facts.Dir == "" {
		facts.Dir = filepath.Dir(facts.Manifest)
	}
	opts, rootName, ok := env.TrustOptions(policy.KindEvidenceBundle, &facts.Facts)
	facts.TrustedRoot = rootName
	mb, err := env.ReadFile(policy.KindEvidenceBundle, "manifest", facts.Manifest)
	if err != nil {
		facts.AddProblem(facts.Manifest, "", 0, "%v", err)
		return facts
	}
	m, err := ParseManifest(mb)
	if err != nil {
		facts.AddProblem(facts.Manifest, "", 0, "%v", err)
		return facts
	}
	facts.manifest, facts.Parsed = m, true
	facts.Version, facts.Timestamp = m.Version, m.Timestamp
	if m.Subjects != nil {
		facts.Subjects = m.Subjects
	}
	if ts, err := ParseTimestamp(m.Timestamp); err == nil {
		facts.TimestampValid, facts.TimestampNs = true, ts.UnixNano()
	}

	var bundle []byte
	explicit := sigPath != ""
	if !explicit {
		for _, p := range BundleNames(facts.Manifest) {
			if _, err := os.Stat(p); err == nil {
				sigPath = p
				break
			}
		}
	}
	if sigPath != "" {
		bundle, err = env.ReadFile(policy.KindEvidenceBundle, "signature", sigPath)
		if err != nil && (explicit || !errors.Is(err, fs.ErrNotExist)) {
			facts.AddProblem(sigPath, "", 0, "%v", err)
		}
	}
	if ok {
		facts.Signature = VerifySignature(mb, bundle, sigPath, opts)
		if facts.Signature.Verified {
			facts.FutureSigningTimes(sigPath, facts.Signature.Timestamps, env.Now)
			facts.Signature.ExpiredTrust = append(facts.Signature.ExpiredTrust, trust.ExpiredWindows(opts.Root, &trust.Verified{Signer: facts.Signature.Signer, Timestamps: facts.Signature.Timestamps}, env.Now)...)
		}
	} else {
		facts.Signature.File = sigPath
		facts.Signature.Present = bundle != nil
		facts.Signature.Reason = "the trust material could not be loaded"
	}

	if ctx.Err() != nil {
		facts.AddProblem(facts.Dir, "", 0, "%v", ctx.Err())
		return facts
	}
	files, unlisted, err := CheckDir(m, facts.Dir, IgnorePaths(facts.Dir, facts.Manifest, sigPath))
	if err != nil {
		facts.AddProblem(facts.Dir, "", 0, "%v", err)
		return facts
	}
	facts.Files, facts.Unlisted, facts.Checked = files, unlisted, true
	return facts
}

// BindInputs runs after every collector: it checks each evidence file
// another kind read (its path and the sha256 of the bytes read, as
// recorded by [evidence.Env.ReadFile]) against the parsed manifest, into the
// evidence_bundle facts' inputs. Trusted material (role "trusted-root") is
// not evidence and is skipped, as are inputs without a sha256 (the cache
// directory, whose files the signed cache manifest names).
func (eb *Facts) BindInputs(inputs []policy.Input) {
	if eb.manifest == nil {
		return
	}
	binder := NewBinder(eb.manifest, eb.Dir)
	seen := map[string]bool{}
	for _, in := range inputs {
		if in.Kind == policy.KindEvidenceBundle {
			continue
		}
		sum := in.Digest["sha256"]
		if in.Role == "trusted-root" || sum == "" {
			continue
		}
		key := in.Path + "\x00" + sum
		if seen[key] {
			continue
		}
		seen[key] = true
		b := binder.Bind(in.Path, sum)
		b.Kind, b.Role = string(in.Kind), in.Role
		eb.Inputs = append(eb.Inputs, b)
	}
}
