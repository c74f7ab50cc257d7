package egress

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHubReportShapes reads the egress reports exactly as the hub's scripts
// write them (fixtures/egress/hub).
func TestHubReportShapes(t *testing.T) {
	b, err := os.ReadFile("../../../fixtures/egress/hub/egress-report.json")
	require.NoError(t, err)
	r, err := Parse(b)
	require.NoError(t, err)
	assert.False(t, r.HasAttempts)
	require.NotNil(t, r.ClaimedBlocked)
	assert.Equal(t, 2, *r.ClaimedBlocked)
	assert.Equal(t, []string{"github.com", "api.github.com", "ghcr.io"}, r.AllowedDomains)
	assert.Empty(t, FutureTimes(r, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)))

	b, err = os.ReadFile("../../../fixtures/egress/hub/egress-enforcement.json")
	require.NoError(t, err)
	r, err = Parse(b)
	require.NoError(t, err)
	assert.False(t, r.HasAttempts)
}

// TestClaimedCount: blocked_attempts written through shell interpolation
// may be a number or a string; it is only a claim, so anything else is
// dropped rather than failing the file.
func TestClaimedCount(t *testing.T) {
	for in, want := range map[string]int{`3`: 3, `"3"`: 3, `0`: 0} {
		r, err := ParseReport([]byte(`{"blocked_attempts":` + in + `}`))
		require.NoError(t, err, in)
		require.NotNil(t, r.ClaimedBlocked, in)
		assert.Equal(t, want, *r.ClaimedBlocked, in)
	}
	for _, in := range []string{`"three"`, `-1`, `"-1"`, `null`, `true`, `"0x3"`} {
		r, err := ParseReport([]byte(`{"blocked_attempts":` + in + `}`))
		require.NoError(t, err, in)
		assert.Nil(t, r.ClaimedBlocked, in)
	}
}

func TestFutureTimes(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		in    string
		squid bool
		paths []string
	}{
		{name: "past report", in: `{"timestamp":"2026-11-27T00:00:00Z","attempts":[{"host":"a.example","port":443,"allowed":true,"time":"2026-11-27T00:00:00Z"}]}`, paths: nil},
		{name: "future timestamp", in: `{"timestamp":"2026-11-29T00:00:00Z","attempts":[]}`, paths: []string{"timestamp"}},
		{name: "bad timestamp", in: `{"timestamp":"yesterday","attempts":[]}`, paths: []string{"timestamp"}},
		{name: "future attempt", in: `{"attempts":[{"host":"a.example","port":443,"allowed":true,"time":"2026-11-27T00:00:00Z"},{"host":"b.example","port":443,"allowed":false,"time":"2027-01-01T00:00:00Z"}]}`, paths: []string{"attempts[1].time"}},
		{name: "future squid line", squid: true, in: "1795000000.000 10 10.0.0.1 TCP_TUNNEL/200 100 CONNECT a.example:443 - HIER_DIRECT/1.2.3.4 -\n1895000000.000 10 10.0.0.1 TCP_DENIED/403 0 CONNECT b.example:443 - HIER_NONE/- -\n", paths: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			var paths []string
			for _, p := range FutureTimes(r, now) {
				paths = append(paths, p.Path)
			}
			assert.Equal(t, tt.paths, paths)
		})
	}
}
