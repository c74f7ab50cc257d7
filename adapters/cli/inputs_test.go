package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnreadableInputsExitTwo: a file named on the command line that cannot
// be read is a usage error (exit 2), one line naming the flag and the path
// once, and no finding is made of it.
func TestUnreadableInputsExitTwo(t *testing.T) {
	base := release(t, "pass")
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	missing := filepath.Join(dir, "missing")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"checksums is a directory", []string{"--checksums", dir}, "--checksums " + dir + ": is a directory, want a file"},
		{"sbom missing", []string{"--sbom", missing}, "--sbom " + missing + ": no such file or directory"},
		{"subject is a directory", []string{"--subject", dir}, "--subject " + dir + ": is a directory, want a file"},
		{"workflows is a file", []string{"--workflows", file}, "--workflows " + file + ": is not a directory"},
		{"trusted root missing", []string{"--trusted-root", missing}, "--trusted-root " + missing + ": no such file or directory"},
		{"registry missing", []string{"--registry", missing}, "--registry " + missing + ": no such file or directory"},
		{"policy is a file", []string{"--policy", file}, "--policy " + file + ": is not a directory"},
		{"sign key is a directory", []string{"--vsa-out", filepath.Join(dir, "v.json"), "--sign-key", dir}, "--sign-key " + dir + ": is a directory, want a file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append(append([]string{}, base...), tt.args...)...)
			assert.Equal(t, ExitUsage, code, stderr)
			assert.Empty(t, stdout, "no report for an unreadable input")
			assert.Equal(t, "hubgate: eval: "+tt.want+"\n", stderr)
			assert.NotContains(t, stderr, "listed", "no finding is made of an unreadable input")
		})
	}
}

// TestMalformedEvidenceIsAFinding: a file that opens but is malformed is
// evidence: an error finding and exit 1, not exit 2.
func TestMalformedEvidenceIsAFinding(t *testing.T) {
	args := release(t, "pass")
	bad := filepath.Join(t.TempDir(), "sbom.json")
	require.NoError(t, os.WriteFile(bad, []byte("{not json"), 0o644))
	code, stdout, stderr := run(t, append(args, "--sbom", bad)...)
	assert.Equal(t, ExitDenied, code, stderr)
	assert.Contains(t, stdout, "sbom")
}

// TestOutputWriteErrors: an output that cannot be written exits non-zero,
// names the output and not a temporary file.
func TestOutputWriteErrors(t *testing.T) {
	args := release(t, "pass")
	out := filepath.Join(t.TempDir(), "nodir", "report.json")
	code, _, stderr := run(t, append(args, "-o", "json="+out)...)
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "hubgate: eval: -o json: write "+out+": no such file or directory\n", stderr)
	assert.NotContains(t, stderr, ".report.json.", "no temporary name")

	vsaOut := filepath.Join(t.TempDir(), "nodir", "app.vsa.json")
	kdir := t.TempDir()
	code, _, stderr = run(t, "keygen", "--out", filepath.Join(kdir, "k"))
	require.Equal(t, 0, code, stderr)
	code, _, stderr = run(t, append(args, "--vsa-out", vsaOut, "--sign-key", filepath.Join(kdir, "k.key"))...)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr, "--vsa-out: write "+vsaOut+": no such file or directory")
	assert.NotContains(t, stderr, ".app.vsa.json.")
}

// failingWriter fails every write, as a closed pipe or a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestStdoutWriteErrorIsReported(t *testing.T) {
	args := release(t, "pass")
	for _, format := range []string{"text", "json", "sarif", "junit", "markdown", "github"} {
		t.Run(format, func(t *testing.T) {
			var errb bytes.Buffer
			a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
			code := a.run(append(append([]string{}, args...), "-o", format))
			assert.Equal(t, ExitUsage, code, "a pass that could not be reported is not exit 0")
			assert.Contains(t, errb.String(), "write "+format+" report to standard output: ")
			assert.Contains(t, errb.String(), "no space left on device")
		})
	}
}

func TestReportsAreWrittenWorldReadable(t *testing.T) {
	args := release(t, "pass")
	dir := t.TempDir()
	out := filepath.Join(dir, "d.json")
	pr := filepath.Join(dir, "pr.json")
	code, _, stderr := run(t, append(args, "-o", "json="+out, "--pipeline-run", pr)...)
	require.Equal(t, 0, code, stderr)
	for _, p := range []string{out, pr} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), p)
	}
	// keys stay private
	code, _, stderr = run(t, "keygen", "--out", filepath.Join(dir, "k"))
	require.Equal(t, 0, code, stderr)
	fi, err := os.Stat(filepath.Join(dir, "k.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// TestOtherCommandsUnreadableInputs: several unreadable inputs of one
// command are each reported, one line apiece, flag and path named once
// (TestEveryCommandUnreadableInput covers each input of each command).
func TestOtherCommandsUnreadableInputs(t *testing.T) {
	dir := t.TempDir()
	d := "sha256:5050efb75e5b2de6ec800f967631a5a013283e5840b7f1fe101f9f52b7522d73"
	code, stdout, stderr := run(t, "verify", "signature", "--bundle", dir, "--digest", d, "--key", dir)
	assert.Equal(t, ExitUsage, code, stderr)
	assert.Empty(t, stdout)
	assert.Equal(t, "hubgate: verify signature: --bundle "+dir+": is a directory, want a file\n"+
		"hubgate: verify signature: --key "+dir+": is a directory, want a file\n", stderr)
}

func TestSideOutputWriteErrors(t *testing.T) {
	args := release(t, "pass")
	missing := filepath.Join(t.TempDir(), "nodir")
	for _, tt := range []struct{ flag, file string }{{"--decision-log", "d.ndjson"}, {"--pipeline-run", "p.json"}} {
		p := filepath.Join(missing, tt.file)
		code, _, stderr := run(t, append(append([]string{}, args...), tt.flag, p)...)
		assert.Equal(t, ExitUsage, code, tt.flag)
		assert.Equal(t, "hubgate: eval: "+tt.flag+": write "+p+": no such file or directory\n", stderr)
	}
}
