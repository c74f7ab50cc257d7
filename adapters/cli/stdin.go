package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

// stdinName is how evidence read from standard input is named in reports.
const stdinName = "<stdin>"

// stdinSpool is evidence given as "-": standard input copied, bounded, into
// a private temporary file, because the engine reads files by path (some
// kinds read them more than once).
type stdinSpool struct {
	dir, path string
}

// spoolStdin replaces a "-" among the single-file evidence flags with a
// temporary copy of standard input. Only one flag may read standard input.
func (a *app) spoolStdin(f *evalFlags) (*stdinSpool, error) {
	single := []struct {
		name string
		p    *string
	}{
		{"signature", &f.signature}, {"referrers", &f.referrers}, {"evidence-manifest", &f.evidenceManifest},
		{"determinism-original", &f.detOriginal}, {"determinism-rebuild", &f.detRebuild}, {"determinism-report", &f.detReport},
		{"determinism-previous", &f.detPrevious}, {"determinism-diffoscope", &f.detDiffoscope},
		{"cache-manifest", &f.cacheManifest}, {"cache-signature", &f.cacheSignature},
		{"drill", &f.drill}, {"drill-report", &f.drillReport},
	}
	multi := []struct {
		name string
		ps   []string
	}{
		{"checksums", f.checksums}, {"sbom", f.sboms}, {"vex", f.vexes}, {"vulns", f.vulns}, {"provenance", f.provenance}, {"egress", f.egress},
	}
	var users []string
	var targets []*string
	for _, s := range single {
		if *s.p == "-" {
			users = append(users, "--"+s.name)
			targets = append(targets, s.p)
		}
	}
	for _, m := range multi {
		for i := range m.ps {
			if m.ps[i] == "-" {
				users = append(users, "--"+m.name)
				targets = append(targets, &m.ps[i])
			}
		}
	}
	for _, p := range append(append([]string{}, f.subjects...), f.trustedRoot, f.evidenceDir, f.cacheDir, f.workflows) {
		if p == "-" {
			return nil, errors.New("standard input (-) is for evidence files, not --subject, --trusted-root or directories")
		}
	}
	if len(users) == 0 {
		return nil, nil
	}
	if len(users) > 1 {
		return nil, fmt.Errorf("only one flag may read standard input (-); %s all do", strings.Join(users, ", "))
	}
	dir, err := os.MkdirTemp("", "hubgate-stdin-")
	if err != nil {
		return nil, fmt.Errorf("%s -: %s", users[0], reason(err))
	}
	s := &stdinSpool{dir: dir, path: filepath.Join(dir, "stdin")}
	fh, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		s.remove()
		return nil, fmt.Errorf("%s -: %s", users[0], reason(err))
	}
	// One byte more than the limit, so the engine still reports an
	// oversized input as it does for a file.
	_, err = io.Copy(fh, io.LimitReader(a.stdin, f.maxFileSize+1))
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.remove()
		return nil, fmt.Errorf("%s -: read standard input: %v", users[0], err)
	}
	*targets[0] = s.path
	return s, nil
}

func (s *stdinSpool) remove() {
	if s != nil {
		os.RemoveAll(s.dir)
	}
}

// rename shows the spooled file as "<stdin>" in d and recomputes the id, so
// a report never names a temporary file and the same input gives the same
// bytes.
func (s *stdinSpool) rename(d *policy.Decision) {
	if s == nil {
		return
	}
	r := strings.NewReplacer(s.path, stdinName)
	for i := range d.Findings {
		f := &d.Findings[i]
		f.Evidence, f.Message, f.Expected, f.Actual, f.Path = r.Replace(f.Evidence), r.Replace(f.Message), r.Replace(f.Expected), r.Replace(f.Actual), r.Replace(f.Path)
	}
	for i := range d.Inputs {
		d.Inputs[i].Path = r.Replace(d.Inputs[i].Path)
	}
	d.ID = engine.DecisionID(d)
}
