package actions

import (
	"strings"
	"testing"
)

// FuzzPRHeadSHA: any event payload either yields a valid SHA or an error,
// never a panic and never an invalid SHA.
func FuzzPRHeadSHA(f *testing.F) {
	f.Add(`{"pull_request":{"head":{"sha":"0123456789abcdef0123456789abcdef01234567"}}}`)
	f.Add(`{"pull_request":null}`)
	f.Add(`{"pull_request":{"head":{"sha":7}}}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, payload string) {
		sha, err := prHeadSHA(strings.NewReader(payload))
		if err == nil && !validSHA(sha) {
			t.Fatalf("accepted invalid sha %q", sha)
		}
		if err != nil && sha != "" {
			t.Fatalf("sha %q with error %v", sha, err)
		}
	})
}
