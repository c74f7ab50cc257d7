package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportCheckRun(t *testing.T) {
	fixture := filepath.Join("..", "..", "fixtures", "report", "decision.json")
	badMedia := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(badMedia, []byte(`{"mediaType":"text/plain","outcome":"pass"}`), 0o644))
	unknownKey := filepath.Join(t.TempDir(), "unknown.json")
	require.NoError(t, os.WriteFile(unknownKey, []byte(`{"mediaType":"application/vnd.hubgate.decision+json;version=0.1","allowed":true,"extra":1}`), 0o644))

	var mu sync.Mutex
	var calls []string
	forbidden := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodPost {
			if forbidden {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
				return
			}
			if body["name"] != "gate" || body["head_sha"] != strings.Repeat("a", 40) {
				w.WriteHeader(http.StatusUnprocessableEntity)
				return
			}
			w.WriteHeader(http.StatusCreated)
		}
		w.Write([]byte(`{"id": 7}`))
	}))
	defer srv.Close()
	env := map[string]string{
		"GITHUB_API_URL":    srv.URL,
		"GITHUB_REPOSITORY": "acme/api",
		"GITHUB_SHA":        strings.Repeat("a", 40),
		"GITHUB_EVENT_NAME": "push",
		"GITHUB_TOKEN":      "tok",
	}
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		forbidden bool
		code      int
		calls     []string
		stdout    string
		stderr    string
	}{
		{"no decision flag", []string{"report", "check-run"}, env, false, ExitUsage, nil, "", "--decision FILE is required"},
		{"no subcommand", []string{"report"}, env, false, ExitUsage, nil, "", "check-run"},
		{"missing file", []string{"report", "check-run", "--decision", "/nonexistent.json"}, env, false, ExitUsage, nil, "", "no such file"},
		{"not a decision", []string{"report", "check-run", "--decision", badMedia}, env, false, ExitUsage, nil, "", "mediaType"},
		{"unknown key", []string{"report", "check-run", "--decision", unknownKey}, env, false, ExitUsage, nil, "", "unknown field"},
		{"no environment", []string{"report", "check-run", "--decision", fixture}, map[string]string{}, false, ExitUsage, nil, "", "GITHUB_REPOSITORY"},
		{"published", []string{"report", "check-run", "--decision", fixture, "--name", "gate"}, env, false, ExitOK,
			[]string{"POST /api/v3/repos/acme/api/check-runs", "PATCH /api/v3/repos/acme/api/check-runs/7", "PATCH /api/v3/repos/acme/api/check-runs/7"}, "", "check run 7"},
		{"forbidden falls back", []string{"report", "check-run", "--decision", fixture, "--name", "gate"}, env, true, ExitOK,
			[]string{"POST /api/v3/repos/acme/api/check-runs"}, "::error file=.github/workflows/release.yml,line=17,", "falling back to workflow-command annotations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			calls, forbidden = nil, tt.forbidden
			mu.Unlock()
			var stdout, stderr bytes.Buffer
			a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return tt.env[k] }}
			code := a.run(tt.args)
			assert.Equal(t, tt.code, code, "stderr: %s", stderr.String())
			mu.Lock()
			assert.Equal(t, tt.calls, calls)
			mu.Unlock()
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
		})
	}
}
