package cli

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyVSA(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"k", "other"} {
		code, _, errs := run(t, "keygen", "--out", filepath.Join(dir, k))
		require.Equal(t, 0, code, errs)
	}
	key := filepath.Join(dir, "k.key")
	summary := func(rel string) (path, digest string) {
		out := filepath.Join(t.TempDir(), "app.vsa.json")
		code, stdout, errs := run(t, append(release(t, rel), "--vsa-out", out, "--sign-key", key, "-o", "json")...)
		require.Contains(t, []int{0, 1}, code, errs)
		var d struct {
			Subjects []struct{ Digest map[string]string } `json:"subjects"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &d))
		return out, "sha256:" + d.Subjects[0].Digest["sha256"]
	}
	pass, passDigest := summary("pass")
	failed, failedDigest := summary("tampered")
	pub := filepath.Join(dir, "k.pub")
	other := filepath.Join(dir, "other.pub")
	const zeros = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	// forged is the failed release's summary turned PASSED after signing.
	forged := filepath.Join(t.TempDir(), "forged.vsa.json")
	{
		b, err := os.ReadFile(failed)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		env := m["dsseEnvelope"].(map[string]any)
		p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		require.NoError(t, err)
		np := strings.Replace(string(p), `"verificationResult":"FAILED"`, `"verificationResult":"PASSED"`, 1)
		require.NotEqual(t, string(p), np)
		env["payload"] = base64.StdEncoding.EncodeToString([]byte(np))
		b, err = json.Marshal(m)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(forged, b, 0o600))
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"passed", []string{"--vsa", pass, "--digest", passDigest, "--key", pub, "--now", evalNow}, 0, "Verified OK: PASSED summary for " + passDigest},
		{"other digest", []string{"--vsa", pass, "--digest", zeros, "--key", pub, "--now", evalNow}, 1, "signature"},
		{"other key", []string{"--vsa", pass, "--digest", passDigest, "--key", other, "--now", evalNow}, 1, "signature"},
		{"failed release", []string{"--vsa", failed, "--digest", failedDigest, "--key", pub, "--now", evalNow}, 1, "verify vsa: " + failed + `: verification result is not PASSED: "FAILED"`},
		{"tampered summary", []string{"--vsa", forged, "--digest", failedDigest, "--key", pub, "--now", evalNow}, 1, "verify vsa: " + forged + ": signature does not verify"},
		{"too old", []string{"--vsa", pass, "--digest", passDigest, "--key", pub, "--now", "2027-01-01T00:00:00Z"}, 1, "old"},
		{"max-age override", []string{"--vsa", pass, "--digest", passDigest, "--key", pub, "--now", "2027-01-01T00:00:00Z", "--max-age", "1000h"}, 0, "Verified OK"},
		{"from the future", []string{"--vsa", pass, "--digest", passDigest, "--key", pub, "--now", "2026-11-01T00:00:00Z"}, 1, "future"},
		{"missing summary", []string{"--vsa", filepath.Join(dir, "none.json"), "--digest", passDigest, "--key", pub}, 2, "--vsa " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		{"no key", []string{"--vsa", pass, "--digest", passDigest}, 2, "--key is required"},
		{"bad digest", []string{"--vsa", pass, "--digest", "sha256:xyz", "--key", pub}, 2, "--digest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"verify", "vsa"}, tt.args...)...)
			assert.Equal(t, tt.code, code, "%s%s", stdout, stderr)
			assert.Contains(t, stdout+stderr, tt.want)
		})
	}

	code, stdout, _ := run(t, "verify", "vsa", "--vsa", pass, "--digest", passDigest, "--key", pub, "--now", evalNow, "-o", "json")
	require.Equal(t, 0, code)
	var js struct {
		Verified bool   `json:"verified"`
		KeyID    string `json:"keyId"`
		Summary  struct {
			Result string `json:"verificationResult"`
			KeyID  string `json:"keyId"`
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &js))
	assert.True(t, js.Verified)
	assert.Equal(t, "PASSED", js.Summary.Result)
	assert.Len(t, js.KeyID, 64, "hex key id")
	assert.Equal(t, js.KeyID, js.Summary.KeyID)

	// A denial in JSON: exit 1, verified false, the reason in error.
	code, stdout, _ = run(t, "verify", "vsa", "--vsa", failed, "--digest", failedDigest, "--key", pub, "--now", evalNow, "-o", "json")
	require.Equal(t, 1, code)
	var denied struct {
		Verified bool   `json:"verified"`
		Error    string `json:"error"`
		Summary  struct {
			Result string `json:"verificationResult"`
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &denied))
	assert.False(t, denied.Verified)
	assert.Equal(t, `verify vsa: verification result is not PASSED: "FAILED"`, denied.Error)
	assert.Equal(t, "FAILED", denied.Summary.Result)
}
