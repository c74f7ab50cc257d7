package egress

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const squidLog = `# squid native access.log
1764300000.001    120 10.1.0.5 TCP_TUNNEL/200 5120 CONNECT github.com:443 - HIER_DIRECT/140.82.112.3 -
1764300000.002      0 10.1.0.5 TCP_DENIED/403 3900 CONNECT canary.hubgate.invalid:443 - HIER_NONE/- text/html
1764300000.003     45 10.1.0.5 TCP_MISS/200 812 GET http://objects.githubusercontent.com/file.tgz - HIER_DIRECT/185.199.108.133 application/octet-stream
1764300000.004      0 10.1.0.5 TCP_DENIED/403 3900 GET https://[2001:db8::7]:8443/x - HIER_NONE/- text/html

1764300000.005     12 10.1.0.5 NONE_NONE/000 0 CONNECT evil.example.net:22 - HIER_NONE/- -
garbage line
`

func TestParseSquid(t *testing.T) {
	r, err := Parse([]byte(squidLog))
	require.NoError(t, err)
	assert.Equal(t, FormatSquid, r.Format)
	require.Len(t, r.Problems, 1)
	assert.Equal(t, 8, r.Problems[0].Line)
	want := []Attempt{
		{Host: "github.com", Port: 443, Allowed: true, Time: "1764300000.001", Line: 2, Index: -1},
		{Host: "canary.hubgate.invalid", Port: 443, Allowed: false, Time: "1764300000.002", Line: 3, Index: -1},
		{Host: "objects.githubusercontent.com", Port: 80, Allowed: true, Time: "1764300000.003", Line: 4, Index: -1},
		{Host: "[2001:db8::7]", Port: 8443, Allowed: false, Time: "1764300000.004", Line: 5, Index: -1},
		{Host: "evil.example.net", Port: 22, Allowed: true, Time: "1764300000.005", Line: 7, Index: -1},
	}
	assert.Equal(t, want, r.Attempts)
}

func TestParseSquidRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not a log", "hello world\n"},
		{"bad time", "abc 1 10.0.0.1 TCP_MISS/200 1 CONNECT a.com:443 - HIER_DIRECT/x -\n"},
		{"no status", "1.0 1 10.0.0.1 TCP_MISS 1 CONNECT a.com:443 - HIER_DIRECT/x -\n"},
		{"connect without port is host only but bad port", "1.0 1 10.0.0.1 TCP_MISS/200 1 CONNECT a.com:99999 - H/x -\n"},
		{"url without host", "1.0 1 10.0.0.1 TCP_MISS/200 1 GET /relative - H/x -\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			require.ErrorIs(t, err, ErrFormat)
		})
	}
}

func TestParseReport(t *testing.T) {
	in := `{"timestamp":"2026-11-27T10:00:00Z","enforcement":"proxy-based","allowed_domains":["github.com"],
"blocked_attempts":1,"log_file":"/var/log/squid/access.log","attempts":[
{"host":"github.com","port":443,"allowed":true,"time":"2026-11-27T10:00:01Z"},
{"host":"evil.net","port":443,"allowed":false},
{"port":443,"allowed":true},
{"host":"x.com","port":443},
{"host":"y.com","port":70000,"allowed":true}]}`
	r, err := Parse([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, FormatReport, r.Format)
	assert.Equal(t, "proxy-based", r.Enforcement)
	require.NotNil(t, r.ClaimedBlocked)
	assert.Equal(t, 1, *r.ClaimedBlocked)
	assert.True(t, r.HasAttempts)
	require.Len(t, r.Attempts, 2)
	assert.Equal(t, Attempt{Host: "github.com", Port: 443, Allowed: true, Time: "2026-11-27T10:00:01Z", Index: 0}, r.Attempts[0])
	assert.Equal(t, 1, r.Attempts[1].Index)
	var paths []string
	for _, p := range r.Problems {
		paths = append(paths, p.Path)
	}
	assert.Equal(t, []string{"attempts[2].host", "attempts[3].allowed", "attempts[4].port"}, paths)
}

func TestParseReportWithoutAttempts(t *testing.T) {
	r, err := Parse([]byte(`{"timestamp":"t","enforcement":"proxy-based","allowed_domains":["a.com"],"blocked_attempts":0,"log_file":"x"}`))
	require.NoError(t, err)
	assert.False(t, r.HasAttempts)
	assert.Empty(t, r.Attempts)
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "   \n", "{", `{"attempts": 5}`, `{"attempts":[{"host":5,"allowed":true}]}`} {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			_, err := Parse([]byte(in))
			require.Error(t, err)
		})
	}
}

func collect(t *testing.T, allow []string, canary string, files ...string) (Summary, []FileProblem) {
	t.Helper()
	a := mustCompile(t, allow...)
	var ce *Entry
	if canary != "" {
		e, err := ParseEntry(canary)
		require.NoError(t, err)
		ce = &e
	}
	c := NewCollector(a, ce, BlockedWarn)
	for i, f := range files {
		r, err := Parse([]byte(f))
		require.NoError(t, err)
		c.Add(fmt.Sprintf("f%d", i), r)
	}
	return c.Summary()
}

func TestCollectorAcceptanceEvilGithub(t *testing.T) {
	s, probs := collect(t, []string{"*.github.com", "github.com"}, "",
		`{"attempts":[{"host":"evilgithub.com","port":443,"allowed":true}]}`)
	require.Empty(t, probs)
	require.Len(t, s.Hosts, 1)
	h := s.Hosts[0]
	assert.Equal(t, "evilgithub.com", h.Host)
	assert.True(t, h.Allowed)
	assert.Empty(t, h.Match, "evilgithub.com must match no entry")
	assert.Equal(t, []string{"*.github.com", "github.com"}, s.Allow)
}

func TestCollectorFoldsAndOrders(t *testing.T) {
	s, probs := collect(t, []string{"github.com"}, "canary.hubgate.invalid", squidLog,
		`{"blocked_attempts":5,"attempts":[{"host":"GitHub.com.","port":443,"allowed":true},{"host":"zz.net","port":443,"allowed":false}]}`)
	require.Len(t, probs, 2)
	assert.Equal(t, "f0", probs[0].File)
	assert.Equal(t, 8, probs[0].Line)
	assert.Equal(t, "blocked_attempts", probs[1].Path)
	assert.Equal(t, 7, s.Attempts)
	assert.Equal(t, Canary{Host: "canary.hubgate.invalid", Attempts: 1, Blocked: 1}, s.Canary)
	assert.Equal(t, 2, s.BlockedAttempts, "the v6 literal and zz.net; the canary is not counted")
	var keys []string
	for _, h := range s.Hosts {
		keys = append(keys, fmt.Sprintf("%s:%d:%v:%d:%s", h.Host, h.Port, h.Allowed, h.Count, h.Match))
	}
	assert.Equal(t, []string{
		"2001:db8::7:8443:false:1:",
		"canary.hubgate.invalid:443:false:1:",
		"evil.example.net:22:true:1:",
		"github.com:443:true:2:github.com",
		"objects.githubusercontent.com:80:true:1:",
		"zz.net:443:false:1:",
	}, keys)
	b1, err := json.Marshal(s)
	require.NoError(t, err)
	s2, _ := collect(t, []string{"github.com"}, "canary.hubgate.invalid", squidLog,
		`{"blocked_attempts":5,"attempts":[{"host":"GitHub.com.","port":443,"allowed":true},{"host":"zz.net","port":443,"allowed":false}]}`)
	b2, err := json.Marshal(s2)
	require.NoError(t, err)
	assert.Equal(t, string(b1), string(b2))
}

func TestCollectorCanaryThrough(t *testing.T) {
	s, _ := collect(t, nil, "canary.example.org", `{"attempts":[{"host":"CANARY.example.org","port":443,"allowed":true}]}`)
	assert.Equal(t, Canary{Host: "canary.example.org", Attempts: 1, Allowed: 1}, s.Canary)
	require.Len(t, s.Hosts, 1)
	assert.True(t, s.Hosts[0].Canary)
}

func TestCollectorInvalidHostNeverMatches(t *testing.T) {
	s, _ := collect(t, []string{"*.github.com"}, "", `{"attempts":[{"host":"a_b.github.com","port":443,"allowed":true}]}`)
	require.Len(t, s.Hosts, 1)
	assert.Empty(t, s.Hosts[0].Match)
	assert.NotEmpty(t, s.Hosts[0].Invalid)
	assert.Equal(t, "a_b.github.com", s.Hosts[0].Host)
}

func TestSuggest(t *testing.T) {
	r1, err := Parse([]byte(squidLog))
	require.NoError(t, err)
	r2, err := Parse([]byte(`{"attempts":[{"host":"GitHub.com","port":443,"allowed":true},{"host":"bücher.example","allowed":true},{"host":"bad_host.com","port":443,"allowed":true},{"host":"github.com","port":22,"allowed":true}]}`))
	require.NoError(t, err)
	s := Suggest([]*Report{r1, r2}, true)
	assert.Equal(t, []string{
		"[2001:db8::7]:8443",
		"canary.hubgate.invalid:443",
		"evil.example.net:22",
		"github.com:22",
		"github.com:443",
		"objects.githubusercontent.com:80",
		"xn--bcher-kva.example",
	}, s.Allow)
	require.Len(t, s.Skipped, 1)
	hosts := Suggest([]*Report{r1, r2}, false)
	assert.Contains(t, hosts.Allow, "github.com")
	assert.NotContains(t, hosts.Allow, "github.com:443")
	cue := s.CUE()
	assert.True(t, strings.HasPrefix(cue, "// Derived"))
	assert.Contains(t, cue, "egress: allow: [\n\t\"[2001:db8::7]:8443\",\n")
	// every suggested entry compiles back and covers what it came from
	a := mustCompile(t, s.Allow...)
	for _, r := range []*Report{r1, r2} {
		for _, at := range r.Attempts {
			h, err := NormalizeHost(at.Host)
			if err != nil {
				continue
			}
			_, ok := a.Match(h, at.Port)
			assert.True(t, ok, at.Host)
		}
	}
}

func TestSuggestCUEEscapes(t *testing.T) {
	s := Suggestion{Skipped: []string{"invalid host \"a\nb\""}}
	assert.NotContains(t, s.CUE(), "a\nb")
	assert.Equal(t, "// Derived by hubgate egress suggest from audit-mode egress reports.\n// Paste into the repository's entry: repos: \"owner/name\": {...}.\n// skipped: \"invalid host \\\"a\\nb\\\"\"\negress: allow: []\n", s.CUE())
}
