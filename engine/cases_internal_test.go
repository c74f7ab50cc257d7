package engine

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/cicd-hub/hubgate/policy"
)

// evalCase is a fixtures/cases file turned into an engine call, without the
// command line: the tests below look inside the evaluation.
type evalCase struct {
	name     string
	registry string
	in       Input
}

// caseFlags maps the evidence flags the cases use to items (the command
// line's mapping, adapters/cli/eval.go).
var caseFlags = map[string]struct {
	kind policy.EvidenceKind
	role string
}{
	"checksums": {policy.KindChecksums, ""}, "sbom": {policy.KindSBOM, ""},
	"vex": {policy.KindVEX, ""}, "vulns": {policy.KindVulnerabilities, ""},
	"provenance": {policy.KindProvenance, ""}, "signature": {policy.KindSignature, ""},
	"referrers": {policy.KindReferrers, ""}, "evidence-manifest": {policy.KindEvidenceBundle, "manifest"},
	"evidence-dir": {policy.KindEvidenceBundle, "dir"}, "egress": {policy.KindEgress, ""},
	"determinism-original": {policy.KindDeterminism, "original"}, "determinism-rebuild": {policy.KindDeterminism, "rebuild"},
	"determinism-report": {policy.KindDeterminism, "report"}, "determinism-previous": {policy.KindDeterminism, "previous"},
	"determinism-diffoscope":    {policy.KindDeterminism, "diffoscope"},
	"determinism-original-time": {policy.KindDeterminism, "original-time"}, "determinism-rebuild-time": {policy.KindDeterminism, "rebuild-time"},
	"cache-manifest": {policy.KindCache, "manifest"}, "cache-signature": {policy.KindCache, "signature"},
	"cache-dir": {policy.KindCache, "dir"}, "drill": {policy.KindDrill, "manifest"},
	"drill-report": {policy.KindDrill, "report"}, "workflows": {policy.KindWorkflow, "dir"},
}

// loadCases extracts every fixtures/cases/*.txtar into its own directory
// and returns the cases an Engine can evaluate (those that are not about
// the command line or the registry failing).
func loadCases(t *testing.T) []evalCase {
	t.Helper()
	files, err := filepath.Glob("../fixtures/cases/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []evalCase
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		require.NoError(t, err)
		dir := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(file), ".txtar"))
		var args []string
		for _, f := range ar.Files {
			switch {
			case f.Name == "args":
				for _, l := range strings.Split(string(f.Data), "\n") {
					if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
						args = append(args, l)
					}
				}
			case strings.HasPrefix(f.Name, "want."):
			default:
				p := filepath.Join(dir, filepath.FromSlash(f.Name))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, f.Data, 0o644))
			}
		}
		c := evalCase{name: filepath.Base(file)}
		ok := true
		for i := 0; i+1 < len(args) && ok; i += 2 {
			flag, v := strings.TrimPrefix(args[i], "--"), args[i+1]
			abs := filepath.Join(dir, v)
			switch flag {
			case "registry":
				c.registry = abs
			case "repo":
				c.in.Repo = v
			case "now":
				c.in.Now, err = time.Parse(time.RFC3339, v)
				require.NoError(t, err, file)
			case "subject":
				c.in.Subjects = append(c.in.Subjects, SubjectInput{Name: filepath.Base(v), Path: abs})
			case "subject-digest":
				name, d, _ := strings.Cut(v, "=")
				dg, err := policy.ParseDigest(d)
				require.NoError(t, err, file)
				c.in.Subjects = append(c.in.Subjects, SubjectInput{Name: name, Digest: dg})
			default:
				m, known := caseFlags[flag]
				if !known {
					ok = false
					break
				}
				it := Item{Kind: m.kind, Role: m.role, Path: abs}
				if strings.HasSuffix(flag, "-time") {
					it = Item{Kind: m.kind, Role: m.role, Value: v}
				}
				c.in.Evidence = append(c.in.Evidence, it)
			}
		}
		if !ok || len(args)%2 != 0 || c.registry == "" {
			t.Logf("%s: not an engine case (args %q)", file, args)
			continue
		}
		out = append(out, c)
	}
	return out
}

// countingOpener counts the opens of each path.
type countingOpener struct {
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingOpener) open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return os.Open(name)
}

// TestEachFileOpenedOncePerEval evaluates every case with an opener that
// counts: whichever kinds read a file (the SBOM is read by sbom, vex and
// vulnerabilities; the trusted root by every signed kind), it is opened
// once per evaluation, and so parsed once.
func TestEachFileOpenedOncePerEval(t *testing.T) {
	ctx := context.Background()
	shared := 0
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(ctx, WithRegistryPath(c.registry))
			if err != nil {
				t.Skipf("registry does not load: %v", err)
			}
			co := &countingOpener{opens: map[string]int{}}
			e.opener = co.open
			d, err := e.Evaluate(ctx, c.in)
			if err != nil {
				t.Skipf("no decision: %v", err)
			}
			require.NotNil(t, d)
			given := map[policy.EvidenceKind]bool{}
			for _, it := range c.in.Evidence {
				given[it.Kind] = true
			}
			// Before the per-eval cache, the sbom, vex and vulnerabilities
			// collectors each read (and parsed) every SBOM, and vex and
			// vulnerabilities every VEX document.
			if given[policy.KindSBOM] && (given[policy.KindVEX] || given[policy.KindVulnerabilities]) ||
				given[policy.KindVEX] && given[policy.KindVulnerabilities] {
				shared++
			}
			for p, n := range co.opens {
				require.Equal(t, 1, n, "%s opened %d times in one evaluation", p, n)
			}
			// A second evaluation opens each file again, once: the cache is
			// per evaluation, never stale across releases.
			co.opens = map[string]int{}
			_, err = e.Evaluate(ctx, c.in)
			require.NoError(t, err)
			for p, n := range co.opens {
				require.Equal(t, 1, n, "%s opened %d times in the second evaluation", p, n)
			}
		})
	}
	// Cases do give files that several kinds read, so the assertion above
	// is not vacuous.
	require.Positive(t, shared, "no case gives a file that several kinds read")
	t.Logf("cases with files read by several kinds: %d", shared)
}
