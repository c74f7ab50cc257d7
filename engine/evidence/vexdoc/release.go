package vexdoc

import (
	"github.com/cicd-hub/hubgate/engine/evidence"
	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/policy"
)

type parsed struct {
	doc *Document
	err error
}

// Read reads and parses the VEX item it once per evaluation (the
// [evidence.Cache]), resolving CycloneDX refs through the release's SBOMs
// ([bom.Resolver]): the vex and vulnerabilities kinds share the one parse.
// The document and its statements carry it.Path as their evidence.
// readErr is the file's, parseErr the document's.
func Read(env *evidence.Env, it evidence.Item) (doc *Document, readErr, parseErr error) {
	v, err := env.Parsed(policy.KindVEX, it.Role, it.Path, "vexdoc", func(b []byte) any {
		d, err := Parse(b, Options{MaxSize: env.MaxFileSize, Resolve: bom.Resolver(env)})
		if err != nil {
			return parsed{nil, err}
		}
		d.Evidence = it.Path
		for i := range d.Statements {
			d.Statements[i].Evidence = it.Path
		}
		return parsed{d, nil}
	})
	if err != nil {
		return nil, err, nil
	}
	p := v.(parsed)
	return p.doc, nil, p.err
}
