package report

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite fixtures/report/golden files")

func TestGolden(t *testing.T) {
	d := loadDecision(t)
	opts := Options{Rules: loadRules(t), StopToken: testToken}
	tests := []struct {
		name, format, file string
	}{
		{"text", "text", "decision.txt"},
		{"json", "json", "decision.json"},
		{"sarif", "sarif", "decision.sarif"},
		{"junit", "junit", "decision.junit.xml"},
		{"markdown", "markdown", "decision.md"},
		{"github", "github", "decision.github.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.format, d, opts)
			// Rendering twice gives the same bytes.
			require.Equal(t, got, render(t, tt.format, d, opts))
			path := filepath.Join(fixture(t, "report"), "golden", tt.file)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create it")
			require.Equal(t, string(want), got)
		})
	}
}

func TestGoldenTelemetry(t *testing.T) {
	d := loadDecision(t)
	rules := loadRules(t)
	tests := []struct {
		name, file string
		write      func(*os.File) error
	}{
		{"decision log", "decision-log.ndjson", func(f *os.File) error { return WriteDecisionLog(f, d) }},
		{"pipeline run", "pipeline-run.json", func(f *os.File) error { return WritePipelineRun(f, d, rules) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := filepath.Join(t.TempDir(), "out")
			f, err := os.Create(tmp)
			require.NoError(t, err)
			require.NoError(t, tt.write(f))
			require.NoError(t, f.Close())
			got, err := os.ReadFile(tmp)
			require.NoError(t, err)
			path := filepath.Join(fixture(t, "report"), "golden", tt.file)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create it")
			require.Equal(t, string(want), string(got))
		})
	}
}
