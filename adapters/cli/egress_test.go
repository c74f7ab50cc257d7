package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEgressSuggest(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	require.NoError(t, os.WriteFile(log, []byte(
		"1764300000.001 120 10.1.0.5 TCP_TUNNEL/200 5120 CONNECT GitHub.com:443 - HIER_DIRECT/140.82.112.3 -\n"+
			"garbage\n"+
			"1764300000.003 45 10.1.0.5 TCP_MISS/200 812 GET http://objects.githubusercontent.com/f.tgz - HIER_DIRECT/1.2.3.4 -\n"), 0o600))
	report := filepath.Join(dir, "egress-report.json")
	require.NoError(t, os.WriteFile(report, []byte(`{"enforcement":"audit","attempts":[
{"host":"api.github.com","port":443,"allowed":true},{"host":"github.com.","port":443,"allowed":true},
{"host":"bücher.example","port":443,"allowed":true},{"host":"bad_host","port":443,"allowed":true}]}`), 0o600))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{
			name: "host and port", args: []string{"egress", "suggest", log, report}, code: 0,
			stdout: "// Derived by hubgate egress suggest from audit-mode egress reports.\n// Paste into the repository's entry: repos: \"owner/name\": {...}.\n" +
				"// skipped: \"invalid host \\\"bad_host\\\": idna: disallowed rune U+005F\"\n" +
				"egress: allow: [\n\t\"api.github.com:443\",\n\t\"github.com:443\",\n\t\"objects.githubusercontent.com:80\",\n\t\"xn--bcher-kva.example:443\",\n]\n",
			stderr: "line 2",
		},
		{
			name: "hosts only", args: []string{"egress", "suggest", "--hosts-only", report}, code: 0,
			stdout: "\"github.com\",\n",
		},
		{name: "no report", args: []string{"egress", "suggest"}, code: 2, stderr: "requires at least 1 arg"},
		{name: "missing file", args: []string{"egress", "suggest", filepath.Join(dir, "nope")}, code: 2, stderr: "no such file"},
		{name: "no subcommand", args: []string{"egress"}, code: 2, stderr: "missing subcommand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			assert.Equal(t, tt.code, code, stderr.String())
			if tt.code == 0 && strings.HasPrefix(tt.stdout, "//") {
				assert.Equal(t, tt.stdout, stdout.String())
			} else {
				assert.Contains(t, stdout.String(), tt.stdout)
			}
			assert.Contains(t, stderr.String(), tt.stderr)
		})
	}
}
