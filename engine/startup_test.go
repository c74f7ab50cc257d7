package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
)

// TestEvalLeavesTestModulesOut: an eval engine never reads a *_test.rego
// file (a broken one does not stop New, and editing one does not change the
// policy digest), while policy test still compiles it and refuses it; a
// change to a rule does change the digest.
func TestEvalLeavesTestModulesOut(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rule := "package hub.custom\n\n# METADATA\n# title: Always\n# custom:\n#   severity: low\nalways contains f if {\n\tf := {\"message\": \"x\"}\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "custom.rego"), []byte(rule), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "custom_test.rego"), []byte("package hub.custom_test\n\ntest_ok if { true }\n"), 0o644))
	e1, err := engine.New(ctx, engine.WithPolicyDir(dir))
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "custom_test.rego"), []byte("package hub.custom_test\n\ntest_broken if { \n"), 0o644))
	e2, err := engine.New(ctx, engine.WithPolicyDir(dir))
	require.NoError(t, err, "eval must not parse test modules")
	require.Equal(t, e1.PolicyDigest(), e2.PolicyDigest(), "a test module is not part of the policy that runs")
	_, err = engine.TestPolicy(ctx, false, engine.PolicySource{Name: "p", FS: os.DirFS(dir)})
	require.ErrorIs(t, err, engine.ErrPolicy, "policy test still compiles test modules")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "custom.rego"), []byte(rule+"\n"), 0o644))
	e3, err := engine.New(ctx, engine.WithPolicyDir(dir))
	require.NoError(t, err)
	require.NotEqual(t, e1.PolicyDigest(), e3.PolicyDigest(), "a rule is part of the digest")
}

// TestUserTypeErrorRefused: the built-in pack alone skips the check-only
// compiler stages, but a user rule with a type error, which only the type
// checker finds, is still refused by New, with its position.
func TestUserTypeErrorRefused(t *testing.T) {
	ctx := context.Background()
	src := "package hub.custom\n\n# METADATA\n# title: Bad\n# custom:\n#   severity: low\nbad contains f if {\n\tf := {\"message\": concat(\",\", 1)}\n}\n"
	_, err := engine.New(ctx, engine.WithPolicy(engine.PolicySource{Name: "user", FS: fstest.MapFS{"bad.rego": {Data: []byte(src)}}}))
	require.ErrorIs(t, err, engine.ErrPolicy)
	require.Contains(t, err.Error(), "rego_type_error")
	require.Contains(t, err.Error(), "user/bad.rego:8")

	// Without the built-in pack too.
	_, err = engine.New(ctx, engine.WithoutBuiltinPolicyUnsafe(), engine.WithPolicy(engine.PolicySource{Name: "user", FS: fstest.MapFS{"bad.rego": {Data: []byte(src)}}}))
	require.ErrorIs(t, err, engine.ErrPolicy)
	require.Contains(t, err.Error(), "rego_type_error")
}

// TestNewReportsRegistryFirst: the registry loads while the rules compile,
// but a bad registry is still the error New returns when the rules are bad
// too, and bad rules are reported, every file's, when the registry is good.
func TestNewReportsRegistryFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	badReg := filepath.Join(dir, "bad.cue")
	require.NoError(t, os.WriteFile(badReg, []byte(`repos: "acme/app": {require: ["checksums"], vulnerabilities: cvss_threshold: "high"}`), 0o644))
	goodReg := filepath.Join(dir, "good.cue")
	require.NoError(t, os.WriteFile(goodReg, []byte(`repos: "acme/app": {require: ["checksums"]}`), 0o644))
	pol := fstest.MapFS{
		"a.rego": {Data: []byte("package hub.a\n\nx if {\n")},
		"b.rego": {Data: []byte("package hub.b\n\ny if { 1 = }\n")},
	}
	for range 5 { // the goroutines finish in any order
		_, err := engine.New(ctx, engine.WithRegistryPath(badReg), engine.WithPolicy(engine.PolicySource{Name: "p", FS: pol}))
		require.ErrorIs(t, err, registry.ErrInvalid)
		require.NotErrorIs(t, err, engine.ErrPolicy)

		_, err = engine.New(ctx, engine.WithRegistryPath(goodReg), engine.WithPolicy(engine.PolicySource{Name: "p", FS: pol}))
		require.ErrorIs(t, err, engine.ErrPolicy)
		msg := err.Error()
		require.Contains(t, msg, "p/a.rego")
		require.Contains(t, msg, "p/b.rego")
		require.Less(t, strings.Index(msg, "p/a.rego"), strings.Index(msg, "p/b.rego"), "errors in file order")
	}
}
