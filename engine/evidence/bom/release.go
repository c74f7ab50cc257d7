package bom

import (
	"fmt"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/trust"
	"github.com/cicd-hub/hubgate/policy"
)

// Release is one SBOM given with the release, parsed.
type Release struct {
	Evidence string
	Doc      *Document
}

type parsed struct {
	doc *Document
	err error
}

// Read reads and parses the SBOM item it once per evaluation (the
// [evidence.Cache]): the sbom, vex and vulnerabilities kinds share the one
// parse. The read is recorded as an input of the sbom kind. readErr is
// the file's, parseErr the document's.
func Read(env *evidence.Env, it evidence.Item) (doc *Document, readErr, parseErr error) {
	v, err := env.Parsed(policy.KindSBOM, it.Role, it.Path, "bom", func(b []byte) any {
		d, err := Parse(b, Options{MaxSize: env.MaxFileSize, Trust: func() (trust.Options, error) {
			// The trust material every signed kind shares; the trusted
			// root read is recorded as an input of the sbom kind.
			var f evidence.Facts
			opts, _, ok := env.TrustOptions(policy.KindSBOM, &f)
			if !ok {
				msgs := make([]string, 0, len(f.Problems))
				for _, p := range f.Problems {
					msgs = append(msgs, p.Message)
				}
				if len(msgs) == 0 {
					msgs = append(msgs, "no usable trusted root")
				}
				return opts, fmt.Errorf("no trust material to verify it: %s", strings.Join(msgs, "; "))
			}
			return opts, nil
		}})
		return parsed{d, err}
	})
	if err != nil {
		return nil, err, nil
	}
	p := v.(parsed)
	return p.doc, nil, p.err
}

// ReadAll parses every sbom item of the evaluation; those that cannot be
// read are left out (the sbom kind reports them).
func ReadAll(env *evidence.Env) []Release {
	var out []Release
	for _, it := range env.ItemsOf(policy.KindSBOM) {
		if doc, rerr, perr := Read(env, it); rerr == nil && perr == nil {
			out = append(out, Release{Evidence: it.Path, Doc: doc})
		}
	}
	return out
}

// Resolver returns a bom-ref resolver over the SBOMs given with the
// release, so CycloneDX refs into the SBOM resolve to purls; nil when no
// SBOM was given. It is built once per evaluation.
func Resolver(env *evidence.Env) func(string) (Component, bool) {
	if len(env.ItemsOf(policy.KindSBOM)) == 0 {
		return nil
	}
	return env.Cache.Do("bom.resolver", func() any { return ResolverOf(ReadAll(env)) }).(func(string) (Component, bool))
}

// ResolverOf resolves bom-refs over docs, the first definition winning.
func ResolverOf(docs []Release) func(string) (Component, bool) {
	refs := map[string]Component{}
	add := func(c Component) {
		if c.BOMRef != "" {
			if _, dup := refs[c.BOMRef]; !dup {
				refs[c.BOMRef] = c
			}
		}
	}
	for _, d := range docs {
		if d.Doc.Subject != nil {
			add(*d.Doc.Subject)
		}
		for _, c := range d.Doc.Components {
			add(c)
		}
	}
	return func(ref string) (Component, bool) {
		c, ok := refs[ref]
		return c, ok
	}
}
