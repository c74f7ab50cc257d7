package bom

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseSniffsFormatOnce: the format is read from the top-level keys
// wherever they are, and a document that is broken after them, or whose
// key is not a string, is still refused.
func TestParseSniffsFormatOnce(t *testing.T) {
	for _, tc := range []struct {
		name, doc, format, err string
	}{
		{"cyclonedx first", `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"a","purl":"pkg:npm/a@1"}]}`, string(FormatCycloneDXJSON), ""},
		{"cyclonedx after other keys", `{"components":[{"type":"library","name":"a","purl":"pkg:npm/a@1"}],"metadata":{"x":[1,2,{"bomFormat":"no"}]},"specVersion":"1.5","bomFormat":"CycloneDX"}`, string(FormatCycloneDXJSON), ""},
		{"spdx", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","dataLicense":"CC0-1.0","documentNamespace":"https://x","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: x"]},"packages":[]}`, "spdx", ""},
		{"neither", `{"a":1,"b":[{"bomFormat":"CycloneDX"}]}`, "", "no bomFormat"},
		{"unknown format", `{"bomFormat":"Other"}`, "", "unknown bomFormat"},
		{"format not a string", `{"bomFormat":1}`, "", "string"},
		{"broken after the format", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{]}`, "", "invalid character"},
		{"broken before the format", `{"components":[{],"bomFormat":"CycloneDX"}`, "", "invalid character"},
		{"truncated", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[`, "", "unexpected end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.doc), Options{})
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, string(d.Format), tc.format)
		})
	}
}
