package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/policy"
)

const testToken = "TESTTOKEN0123456789abcdef"

func fixture(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join("..", "..", "fixtures", name)
}

func loadDecision(t testing.TB) *policy.Decision {
	t.Helper()
	b, err := os.ReadFile(fixture(t, "report/decision.json"))
	require.NoError(t, err)
	var d policy.Decision
	require.NoError(t, json.Unmarshal(b, &d))
	return &d
}

func loadRules(t testing.TB) []policy.RuleInfo {
	t.Helper()
	b, err := os.ReadFile(fixture(t, "report/rules.json"))
	require.NoError(t, err)
	var r []policy.RuleInfo
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

// compileSchema compiles the JSON schema at path (asserting formats).
func compileSchema(t testing.TB, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file:///" + filepath.Base(path)
	require.NoError(t, c.AddResource(url, doc))
	sch, err := c.Compile(url)
	require.NoError(t, err)
	return sch
}

func validateJSON(t testing.TB, sch *jsonschema.Schema, b []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return sch.Validate(v)
}

func render(t testing.TB, format string, d *policy.Decision, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, format, d, opts))
	return buf.String()
}
