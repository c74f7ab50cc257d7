package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCommandUnreadableInput: for every file or directory a command
// takes, a missing path and the wrong type (a directory where a file is
// wanted, a file where a directory is) are exit 2, in one line that names
// the flag (when it is a flag) and the path exactly once, and nothing on
// standard output. The other inputs of each case are present, so the
// unreadable one is what is reported.
func TestEveryCommandUnreadableInput(t *testing.T) {
	okFile := filepath.Join(t.TempDir(), "present.txt")
	require.NoError(t, os.WriteFile(okFile, []byte("x\n"), 0o644))
	okDir := t.TempDir()
	const d = "sha256:5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73"
	const at = "@" // where the unreadable path goes
	eval := release(t, "pass")
	for _, tt := range []struct {
		name string
		flag string // "" for a positional argument
		kind inputKind
		args []string
	}{
		{"eval", "checksums", inputFile, append(append([]string{}, eval...), "--checksums", at)},
		{"eval", "subject", inputFile, append(append([]string{}, eval...), "--subject", at)},
		{"eval", "workflows", inputDir, append(append([]string{}, eval...), "--workflows", at)},
		{"eval", "registry", inputFileOrDir, append(append([]string{}, eval...), "--registry", at)},

		{"verify signature", "bundle", inputFile, []string{"verify", "signature", "--bundle", at, "--digest", d, "--key", okFile}},
		{"verify signature", "artifact", inputFile, []string{"verify", "signature", "--bundle", okFile, "--artifact", at, "--key", okFile}},
		{"verify signature", "key", inputFile, []string{"verify", "signature", "--bundle", okFile, "--digest", d, "--key", at}},
		{"verify signature", "trusted-root", inputFile, []string{"verify", "signature", "--bundle", okFile, "--digest", d, "--key", okFile, "--trusted-root", at}},

		{"verify provenance", "provenance", inputFile, []string{"verify", "provenance", "--provenance", at, "--digest", d, "--source-uri", "github.com/a/b"}},
		{"verify provenance", "artifact", inputFile, []string{"verify", "provenance", "--provenance", okFile, "--artifact", at, "--source-uri", "github.com/a/b"}},
		{"verify provenance", "key", inputFile, []string{"verify", "provenance", "--provenance", okFile, "--digest", d, "--source-uri", "github.com/a/b", "--key", at}},
		{"verify provenance", "trusted-root", inputFile, []string{"verify", "provenance", "--provenance", okFile, "--digest", d, "--source-uri", "github.com/a/b", "--trusted-root", at}},

		{"verify vex", "vulns", inputFile, []string{"verify", "vex", "--vulns", at}},
		{"verify vex", "vex", inputFile, []string{"verify", "vex", "--vulns", okFile, "--vex", at}},
		{"verify vex", "sbom", inputFile, []string{"verify", "vex", "--vulns", okFile, "--sbom", at}},

		{"verify vsa", "vsa", inputFile, []string{"verify", "vsa", "--vsa", at, "--digest", d, "--key", okFile}},
		{"verify vsa", "key", inputFile, []string{"verify", "vsa", "--vsa", okFile, "--digest", d, "--key", at}},
		{"verify vsa", "registry", inputFileOrDir, []string{"verify", "vsa", "--vsa", okFile, "--digest", d, "--key", okFile, "--registry", at}},

		{"egress suggest", "", inputFile, []string{"egress", "suggest", okFile, at}},
		{"report check-run", "decision", inputFile, []string{"report", "check-run", "--decision", at}},

		{"registry validate", "", inputFileOrDir, []string{"registry", "validate", at}},
		{"registry show", "registry", inputFileOrDir, []string{"registry", "show", "--repo", "a/b", "--registry", at}},
		{"registry list", "registry", inputFileOrDir, []string{"registry", "list", "--registry", at}},
		{"registry import", "", inputFile, []string{"registry", "import", at}},

		{"policy test", "", inputDir, []string{"policy", "test", at}},
		{"policy list", "registry", inputFileOrDir, []string{"policy", "list", "--registry", at}},
		{"policy list", "policy", inputDir, []string{"policy", "list", "--policy", at}},

		{"admission test", "file", inputFileOrDir, []string{"admission", "test", "-f", at}},
		{"admission test", "registry", inputFileOrDir, []string{"admission", "test", "-f", okFile, "--registry", at}},
		{"admission test", "vsa-dir", inputDir, []string{"admission", "test", "-f", okFile, "--vsa-dir", at, "--vsa-key", okFile}},
		{"admission test", "vsa-key", inputFile, []string{"admission", "test", "-f", okFile, "--vsa-dir", okDir, "--vsa-key", at}},

		{"webhook serve", "registry", inputFileOrDir, []string{"webhook", "serve", "--tls-cert", okFile, "--tls-key", okFile, "--vsa-dir", okDir, "--vsa-key", okFile, "--registry", at}},
		{"webhook serve", "tls-cert", inputFile, []string{"webhook", "serve", "--tls-cert", at, "--tls-key", okFile, "--vsa-dir", okDir, "--vsa-key", okFile}},
		{"webhook serve", "tls-key", inputFile, []string{"webhook", "serve", "--tls-cert", okFile, "--tls-key", at, "--vsa-dir", okDir, "--vsa-key", okFile}},
		{"webhook serve", "vsa-dir", inputDir, []string{"webhook", "serve", "--tls-cert", okFile, "--tls-key", okFile, "--vsa-dir", at, "--vsa-key", okFile}},
		{"webhook serve", "vsa-key", inputFile, []string{"webhook", "serve", "--tls-cert", okFile, "--tls-key", okFile, "--vsa-dir", okDir, "--vsa-key", at}},
	} {
		type variant struct{ name, path, reason string }
		base := t.TempDir()
		variants := []variant{{"missing", filepath.Join(base, "missing"), "no such file or directory"}}
		switch tt.kind {
		case inputFile:
			variants = append(variants, variant{"a directory", base, "is a directory, want a file"})
		case inputDir:
			f := filepath.Join(base, "a-file")
			require.NoError(t, os.WriteFile(f, []byte("x"), 0o644))
			variants = append(variants, variant{"a file", f, "is not a directory"})
		}
		for _, v := range variants {
			name := tt.name + " " + tt.flag + " " + v.name
			if tt.flag == "" {
				name = tt.name + " argument " + v.name
			}
			t.Run(name, func(t *testing.T) {
				args := make([]string, len(tt.args))
				for i, s := range tt.args {
					args[i] = s
					if s == at {
						args[i] = v.path
					}
				}
				code, stdout, stderr := run(t, args...)
				assert.Equal(t, ExitUsage, code, stderr)
				assert.Empty(t, stdout)
				named := v.path
				if tt.flag != "" {
					named = "--" + tt.flag + " " + v.path
				}
				assert.Equal(t, "hubgate: "+tt.name+": "+named+": "+v.reason+"\n", stderr)
				assert.Equal(t, 1, strings.Count(stderr, v.path), "the path is named once")
			})
		}
	}
}

// TestKeyAndCertOutputsUnwritable: keygen and webhook certs name the flag
// and the file that could not be written, once, and exit 2.
func TestKeyAndCertOutputsUnwritable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nodir")
	code, _, stderr := run(t, "keygen", "--out", filepath.Join(missing, "k"))
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "hubgate: keygen: --out: write "+filepath.Join(missing, "k.key")+": no such file or directory\n", stderr)

	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o644))
	code, _, stderr = run(t, "webhook", "certs", "--dir", notDir)
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "hubgate: webhook certs: --dir: create "+notDir+": not a directory\n", stderr)
}

// TestMalformedInputsOfOtherCommands: a file that opens but is malformed is
// exit 1 for the verify commands (evidence that does not verify) and exit 2,
// in one line, for inputs that are not evidence (a saved decision, a
// manifest for admission test).
func TestMalformedInputsOfOtherCommands(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("not: [json\n"), 0o644))
	dir := t.TempDir()
	code, _, stderr := run(t, "keygen", "--out", filepath.Join(dir, "k"))
	require.Equal(t, 0, code, stderr)
	key := filepath.Join(dir, "k.pub")
	const d = "sha256:5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73"
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"verify", "signature", "--bundle", bad, "--digest", d, "--key", key}, ExitDenied},
		{[]string{"verify", "provenance", "--provenance", bad, "--digest", d, "--source-uri", "github.com/a/b"}, ExitDenied},
		{[]string{"verify", "vsa", "--vsa", bad, "--digest", d, "--key", key}, ExitDenied},
		{[]string{"verify", "vex", "--vulns", bad}, ExitDenied},
		{[]string{"report", "check-run", "--decision", bad}, ExitUsage},
		{[]string{"admission", "test", "-f", bad}, ExitUsage},
	} {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Contains(t, stderr, bad)
			if tt.code == ExitUsage {
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			}
		})
	}
}

// TestOutputIsADirectory: an output path that is a directory is exit 2
// with "is a directory", not rename's "file exists".
func TestOutputIsADirectory(t *testing.T) {
	args := release(t, "pass")
	dir := t.TempDir()
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-o", "json=" + dir}, "-o json: write " + dir + ": is a directory"},
		{[]string{"--pipeline-run", dir}, "--pipeline-run: write " + dir + ": is a directory"},
		{[]string{"--decision-log", dir}, "--decision-log: write " + dir + ": is a directory"},
	} {
		code, _, stderr := run(t, append(append([]string{}, args...), tt.flags...)...)
		assert.Equal(t, ExitUsage, code, stderr)
		assert.Equal(t, "hubgate: eval: "+tt.want+"\n", stderr)
	}
}
