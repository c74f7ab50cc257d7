package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// Trust is the verification material of one repo: the trusted root and the
// registry's keys, loaded once ([LoadTrust]: by engine.New for each repo
// of the registry, or once per evaluation for a --trusted-root override)
// and shared by every kind that verifies a signature.
type Trust struct {
	Options trust.Options
	// RootName is the trusted root used: "embedded" or its path.
	RootName string
	// RootPath and RootDigest are the trusted root file read, "" and nil
	// for the embedded one; each kind that uses it records it as an input.
	RootPath   string
	RootDigest policy.Digest
	// Problems are what could not be loaded; OK is false when nothing can
	// verify (no usable root).
	Problems []Problem
	OK       bool
	// VSAKeys are the registry's vsa.keys, the keys verification summaries
	// verify against (the vsa kind), and VSAProblems the ones that could
	// not be loaded: the vsa kind's own problems, not the signing kinds'.
	VSAKeys     []*vsa.PublicKey
	VSAProblems []Problem
}

// trustConfig is the part of the registry's provenance section that says
// how to verify: PEM keys and a trusted root.
type trustConfig struct {
	Keys        []string `json:"keys"`
	TrustedRoot string   `json:"trusted_root"`
}

// TrustSection is the registry's provenance section as trust reads it,
// decoded once at load.
var TrustSection = registry.SectionOf[trustConfig]("provenance")

// vsaTrustConfig is the part of the registry's vsa section that says how to
// verify a summary: its PEM keys.
type vsaTrustConfig struct {
	Keys []string `json:"keys"`
}

// VSATrustSection is the registry's vsa section as trust reads it, decoded
// once at load.
var VSATrustSection = registry.SectionOf[vsaTrustConfig]("vsa")

// LoadTrust loads the trust material of repo: the trusted root (override,
// else the registry's provenance.trusted_root, else the embedded public-good
// root) and the registry's provenance.keys. read reads the trusted root
// file.
func LoadTrust(repo *registry.Repo, override string, read func(path string) ([]byte, error)) *Trust {
	l := &Trust{}
	add := func(evidence, path, format string, args ...any) {
		l.Problems = append(l.Problems, Problem{Evidence: evidence, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	var cfg trustConfig
	if repo != nil {
		if err := repo.Section("provenance", &cfg); err != nil {
			add("registry", "provenance", "%v", err)
			return l
		}
	}
	path := override
	if path == "" {
		path = cfg.TrustedRoot
	}
	l.OK = true
	if path == "" {
		l.RootName = "embedded"
		tr, err := trust.DefaultTrustedRoot()
		if err != nil {
			add("embedded trusted root", "", "%v", err)
			l.OK = false
			return l
		}
		l.Options.Root = tr
	} else {
		l.RootName = path
		b, err := read(path)
		if err == nil {
			sum := sha256.Sum256(b)
			l.RootPath, l.RootDigest = path, policy.Digest{"sha256": hex.EncodeToString(sum[:])}
			l.Options.Root, err = trust.ParseTrustedRoot(b)
		}
		if err != nil {
			add(path, "", "load trusted root: %v", err)
			l.OK = false
		}
	}
	for i, k := range cfg.Keys {
		pk, err := trust.ParsePublicKey([]byte(k))
		if err != nil {
			add("registry", fmt.Sprintf("provenance.keys[%d]", i), "%v", err)
			continue
		}
		l.Options.Keys = append(l.Options.Keys, pk)
	}
	var vcfg vsaTrustConfig
	if repo != nil {
		if err := repo.Section("vsa", &vcfg); err != nil {
			l.VSAProblems = append(l.VSAProblems, Problem{Evidence: "registry", Path: "vsa", Message: err.Error()})
		}
	}
	for i, k := range vcfg.Keys {
		pk, err := vsa.LoadPublicKey([]byte(k))
		if err != nil {
			l.VSAProblems = append(l.VSAProblems, Problem{Evidence: "registry", Path: fmt.Sprintf("vsa.keys[%d]", i), Message: err.Error()})
			continue
		}
		l.VSAKeys = append(l.VSAKeys, pk)
	}
	return l
}

// VSAKeys returns the registry's vsa.keys ([Trust.VSAKeys]), loaded once by
// the engine, and adds the ones that could not be loaded to f's problems.
func (e *Env) VSAKeys(f *Facts) []*vsa.PublicKey {
	t := e.Trust
	if t == nil {
		t = e.Cache.Do("trust", func() any {
			return LoadTrust(e.Config, e.TrustedRoot, func(path string) ([]byte, error) {
				_, r := e.readFile(policy.KindVSA, "trusted-root", path)
				return r.data, r.err
			})
		}).(*Trust)
	}
	f.Problems = append(f.Problems, t.VSAProblems...)
	return t.VSAKeys
}

// TrustOptions returns the verification options every signature-verifying
// kind shares ([Trust]): Env.Trust, loaded once by the engine, unless
// TrustedRoot overrides the root for this evaluation (then loaded once per
// evaluation, through the [Cache]). Each kind that asks records the trusted
// root file among its inputs. Unusable trust material is a problem of the
// kind, added to f, and ok is false: nothing of the kind can then verify.
func (e *Env) TrustOptions(kind policy.EvidenceKind, f *Facts) (opts trust.Options, rootName string, ok bool) {
	t := e.Trust
	if t == nil || e.TrustedRoot != "" {
		t = e.Cache.Do("trust", func() any {
			return LoadTrust(e.Config, e.TrustedRoot, func(path string) ([]byte, error) {
				_, r := e.readFile(kind, "trusted-root", path)
				return r.data, r.err
			})
		}).(*Trust)
	}
	if t.RootPath != "" {
		e.RecordInput(kind, "trusted-root", t.RootPath, t.RootDigest)
	}
	f.Problems = append(f.Problems, t.Problems...)
	return t.Options, t.RootName, t.OK
}

// FutureSigningTimes records a problem for each verified signing time of a
// bundle (transparency-log integrated time, RFC 3161 timestamp) that is
// after the evaluation time. sigstore-go checks those times against the
// certificate's validity, not against --now; a signature made after the
// evaluation time cannot be evidence at that time.
func (f *Facts) FutureSigningTimes(file string, ts []trust.Timestamp, now time.Time) bool {
	future := false
	for _, t := range ts {
		if t.Time.After(now) {
			field := "verificationMaterial.tlogEntries.integratedTime"
			if t.Kind != "tlog" && t.Kind != "" {
				field = "verificationMaterial.timestampVerificationData"
			}
			f.AddProblem(file, field, 0, "signed at %s (%s), after the evaluation time %s", t.Time.UTC().Format(time.RFC3339), t.Kind, now.UTC().Format(time.RFC3339))
			future = true
		}
	}
	return future
}
