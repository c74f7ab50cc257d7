package evidence

import (
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// trustConfig is the part of the registry's provenance section that says
// how to verify: PEM keys and a trusted root.
type trustConfig struct {
	Keys        []string `json:"keys"`
	TrustedRoot string   `json:"trusted_root"`
}

// trustLoad is the cached result of loading the trust material.
type trustLoad struct {
	opts     trust.Options
	rootName string
	rootPath string
	problems []Problem
	ok       bool
}

// TrustOptions returns the verification options every signature-verifying
// kind shares: the trusted root (--trusted-root, else the registry's
// provenance.trusted_root, else the embedded public-good root) and the
// registry's provenance.keys. They are loaded once per evaluation (the
// [Cache]); each kind that asks records the trusted root among its inputs.
// Unusable trust material is a problem of the kind, added to f, and ok is
// false: nothing of the kind can then verify.
func (e *Env) TrustOptions(kind policy.EvidenceKind, f *Facts) (opts trust.Options, rootName string, ok bool) {
	l := e.Cache.Do("trust", func() any { return e.loadTrust(kind) }).(*trustLoad)
	if l.rootPath != "" {
		// Record the root as this kind's input too (the bytes are cached).
		_, _ = e.ReadFile(kind, "trusted-root", l.rootPath)
	}
	f.Problems = append(f.Problems, l.problems...)
	return l.opts, l.rootName, l.ok
}

func (e *Env) loadTrust(kind policy.EvidenceKind) *trustLoad {
	l := &trustLoad{}
	add := func(evidence, path, format string, args ...any) {
		l.problems = append(l.problems, Problem{Evidence: evidence, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	var cfg trustConfig
	if e.Config != nil {
		if err := e.Config.Section("provenance", &cfg); err != nil {
			add("registry", "provenance", "%v", err)
			return l
		}
	}
	path := e.TrustedRoot
	if path == "" {
		path = cfg.TrustedRoot
	}
	l.ok = true
	if path == "" {
		l.rootName = "embedded"
		tr, err := trust.DefaultTrustedRoot()
		if err != nil {
			add("embedded trusted root", "", "%v", err)
			l.ok = false
			return l
		}
		l.opts.Root = tr
	} else {
		l.rootName, l.rootPath = path, path
		var tr *root.TrustedRoot
		b, err := e.ReadFile(kind, "trusted-root", path)
		if err == nil {
			tr, err = trust.ParseTrustedRoot(b)
		}
		if err != nil {
			add(path, "", "load trusted root: %v", err)
			l.ok = false
		} else {
			l.opts.Root = tr
		}
	}
	for i, k := range cfg.Keys {
		pk, err := trust.ParsePublicKey([]byte(k))
		if err != nil {
			add("registry", fmt.Sprintf("provenance.keys[%d]", i), "%v", err)
			continue
		}
		l.opts.Keys = append(l.opts.Keys, pk)
	}
	return l
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
