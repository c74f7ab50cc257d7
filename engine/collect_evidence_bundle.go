package engine

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	evidencebundle "github.com/cicd-hub/hubgate/engine/evidence/evidence_bundle"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// evidenceBundleFacts is the facts document of the evidence_bundle kind,
// input.evidence_bundle in Rego.
type evidenceBundleFacts struct {
	Facts
	// Manifest and Dir are the paths given ("" when not given); Dir
	// defaults to the manifest's directory.
	Manifest    string `json:"manifest"`
	Dir         string `json:"dir"`
	TrustedRoot string `json:"trusted_root"`
	// Checked is true when the manifest was parsed and the directory
	// walked, so files and unlisted are complete.
	Checked bool `json:"checked"`
	evidencebundle.Result
}

// collectEvidenceBundle checks evidence-manifest.json (role "manifest"), its
// sigstore bundle (role "signature", else MANIFEST.sigstore.json or
// MANIFEST.bundle beside it) and the evidence directory (role "dir", else
// the manifest's directory).
func collectEvidenceBundle(ctx context.Context, env *Env, items []Item) any {
	facts := &evidenceBundleFacts{Facts: Facts{Present: len(items) > 0, Problems: []Problem{}}}
	facts.Files = []evidencebundle.FileCheck{}
	facts.Unlisted = []string{}
	facts.Signature.TlogIndex = -1
	facts.Signature.Timestamps = []trust.Timestamp{}
	facts.Signature.ExpiredTrust = []string{}
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
	opts, rootName, ok := trustOptions(env, policy.KindEvidenceBundle, &facts.Facts)
	facts.TrustedRoot = rootName
	mb, err := env.ReadFile(policy.KindEvidenceBundle, "manifest", facts.Manifest)
	if err != nil {
		facts.AddProblem(facts.Manifest, "", 0, "%v", err)
		return facts
	}
	m, err := evidencebundle.ParseManifest(mb)
	if err != nil {
		facts.AddProblem(facts.Manifest, "", 0, "%v", err)
		return facts
	}
	facts.Version, facts.Timestamp = m.Version, m.Timestamp

	var bundle []byte
	explicit := sigPath != ""
	if !explicit {
		for _, p := range evidencebundle.BundleNames(facts.Manifest) {
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
		facts.Signature = evidencebundle.VerifySignature(mb, bundle, sigPath, opts)
		if facts.Signature.Verified {
			facts.Signature.ExpiredTrust = append(facts.Signature.ExpiredTrust, trust.ExpiredWindows(opts.Root, &trust.Verified{Keyed: facts.Signature.Keyed, Timestamps: facts.Signature.Timestamps}, env.Now)...)
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
	files, unlisted, err := evidencebundle.CheckDir(m, facts.Dir, evidencebundle.IgnorePaths(facts.Dir, facts.Manifest, sigPath))
	if err != nil {
		facts.AddProblem(facts.Dir, "", 0, "%v", err)
		return facts
	}
	facts.Files, facts.Unlisted, facts.Checked = files, unlisted, true
	return facts
}
