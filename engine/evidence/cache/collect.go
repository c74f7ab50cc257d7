package cache

import (
	"context"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/policy"
)

// Facts is input.cache.
type Facts struct {
	evidence.Facts
	Manifest  string `json:"manifest"`
	Dir       string `json:"dir"`
	Algorithm string `json:"algorithm"`
	// Checked is true when the manifest was compared with the directory.
	Checked   bool      `json:"checked"`
	Signature Signature `json:"signature"`
	// SignatureFile is the bundle's path, "" when none was given.
	SignatureFile string `json:"signature_file"`
	Result
}

// Collect compares the observed cache directory with the signed
// cache-manifest.json and verifies the manifest's signature.
func Collect(ctx context.Context, env *evidence.Env, items []evidence.Item) evidence.Document {
	out := &Facts{
		Facts:  evidence.New(items),
		Result: Result{Missing: []Missing{}, Mismatched: []Mismatch{}, Unlisted: []Unlisted{}},
	}
	if len(items) == 0 {
		return out
	}
	var manifest, bundle []byte
	var m *Manifest
	for _, it := range items {
		if ctx.Err() != nil {
			out.AddProblem(it.Path, "", 0, "cache: %v", ctx.Err())
			return out
		}
		switch it.Role {
		case "dir":
			if out.Dir != "" {
				out.AddProblem(it.Path, "", 0, "more than one cache directory given")
				continue
			}
			out.Dir = it.Path
			continue
		case "manifest", "signature":
		default:
			out.AddProblem(it.Path, "", 0, "unknown cache role %q", it.Role)
			continue
		}
		b, err := env.ReadFile(policy.KindCache, it.Role, it.Path)
		if err != nil {
			out.AddProblem(it.Path, "", 0, "read cache %s: %v", it.Role, err)
			continue
		}
		if it.Role == "signature" {
			bundle, out.SignatureFile = b, it.Path
			continue
		}
		if manifest != nil {
			out.AddProblem(it.Path, "", 0, "more than one cache manifest given")
			continue
		}
		manifest, out.Manifest = b, it.Path
		mm, err := ParseManifest(b)
		if err != nil {
			out.Facts.AddErrors(it.Path, err)
		}
		if mm != nil {
			m = mm
			out.Algorithm = mm.Algorithm
		}
	}
	switch {
	case manifest == nil:
		out.AddProblem("cache", "", 0, "no cache manifest was given (--cache-manifest)")
	default:
		out.Signature = verifyCacheSignature(env, manifest, bundle, &out.Facts)
		if out.Signature.Verified {
			out.FutureSigningTimes(out.SignatureFile, out.Signature.Timestamps, env.Now)
		}
	}
	switch {
	case out.Dir == "":
		out.AddProblem("cache", "", 0, "no cache directory was given (--cache-dir)")
	case m != nil:
		res, err := Check(out.Dir, m)
		if err != nil {
			out.AddProblem(out.Dir, "", 0, "%v", err)
			break
		}
		out.Checked = true
		out.Result = res
		env.RecordInput(policy.KindCache, "dir", out.Dir, nil)
	}
	return out
}

// verifyCacheSignature verifies the manifest's bundle with the trust
// material every signed kind shares (--trusted-root, the registry's
// provenance.trusted_root and provenance.keys, the embedded root).
func verifyCacheSignature(env *evidence.Env, manifest, bundle []byte, f *evidence.Facts) Signature {
	opts, _, ok := env.TrustOptions(policy.KindCache, f)
	if !ok {
		return Signature{Given: bundle != nil, Error: "the trust material could not be loaded"}
	}
	return VerifySignature(manifest, bundle, opts)
}
