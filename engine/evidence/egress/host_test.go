package egress

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustCompile(t *testing.T, entries ...string) *Allowlist {
	t.Helper()
	a, errs := Compile(entries)
	require.Empty(t, errs)
	return a
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		allow []string
		host  string
		port  int
		want  string // matched entry, "" for no match
	}{
		{"exact", []string{"github.com"}, "github.com", 443, "github.com"},
		{"case-insensitive host", []string{"github.com"}, "GitHub.COM", 443, "github.com"},
		{"case-insensitive entry", []string{"GITHUB.com"}, "github.com", 443, "github.com"},
		{"trailing dot on host", []string{"github.com"}, "github.com.", 443, "github.com"},
		{"trailing dot on entry", []string{"github.com."}, "github.com", 443, "github.com"},
		{"two trailing dots invalid", []string{"github.com"}, "github.com..", 443, ""},
		{"subdomain not exact", []string{"github.com"}, "api.github.com", 443, ""},
		{"wildcard one label", []string{"*.example.com"}, "a.example.com", 443, "*.example.com"},
		{"wildcard two labels", []string{"*.example.com"}, "a.b.example.com", 443, "*.example.com"},
		{"wildcard not apex", []string{"*.example.com"}, "example.com", 443, ""},
		{"wildcard not label-prefix", []string{"*.example.com"}, "evilexample.com", 443, ""},
		{"wildcard not as infix", []string{"*.example.com"}, "example.com.evil.net", 443, ""},
		{"wildcard not a.example.com.evil.net", []string{"*.example.com"}, "a.example.com.evil.net", 443, ""},
		{"wildcard case", []string{"*.Example.COM"}, "A.EXAMPLE.com", 443, "*.example.com"},
		{"acceptance evilgithub", []string{"*.github.com", "github.com"}, "evilgithub.com", 443, ""},
		{"acceptance api.github", []string{"*.github.com", "github.com"}, "api.github.com", 443, "*.github.com"},
		{"exact beats wildcard", []string{"*.github.com", "api.github.com"}, "api.github.com", 443, "api.github.com"},
		{"longer wildcard first", []string{"*.github.com", "*.api.github.com"}, "x.api.github.com", 443, "*.api.github.com"},
		{"port entry matches port", []string{"github.com:443"}, "github.com", 443, "github.com:443"},
		{"port entry rejects other port", []string{"github.com:443"}, "github.com", 22, ""},
		{"port entry rejects unknown port", []string{"github.com:443"}, "github.com", 0, ""},
		{"portless entry any port", []string{"github.com"}, "github.com", 22, "github.com"},
		{"two ports", []string{"github.com:22", "github.com:443"}, "github.com", 443, "github.com:443"},
		{"wildcard with port", []string{"*.example.com:8443"}, "a.example.com", 8443, "*.example.com:8443"},
		{"wildcard with port wrong port", []string{"*.example.com:8443"}, "a.example.com", 443, ""},
		{"ipv4 literal", []string{"10.0.0.1"}, "10.0.0.1", 443, "10.0.0.1"},
		{"ipv4 other address", []string{"10.0.0.1"}, "10.0.0.2", 443, ""},
		{"ipv4 with port", []string{"10.0.0.1:8080"}, "10.0.0.1", 8080, "10.0.0.1:8080"},
		{"ipv4 with wrong port", []string{"10.0.0.1:8080"}, "10.0.0.1", 80, ""},
		{"ipv6 bare", []string{"2001:db8::1"}, "2001:db8::1", 443, "2001:db8::1"},
		{"ipv6 normalised", []string{"2001:0db8:0:0:0:0:0:1"}, "[2001:db8::1]", 443, "2001:db8::1"},
		{"ipv6 bracket port", []string{"[2001:db8::1]:443"}, "2001:db8::1", 443, "[2001:db8::1]:443"},
		{"ipv6 bracket wrong port", []string{"[2001:db8::1]:443"}, "2001:db8::1", 80, ""},
		{"ipv6 other", []string{"2001:db8::1"}, "2001:db8::2", 443, ""},
		{"ipv4-mapped v6 is not v4", []string{"10.0.0.1"}, "::ffff:10.0.0.1", 443, ""},
		{"ipv4 zero-padded refused", []string{"10.0.0.1"}, "010.0.0.1", 443, ""},
		{"ipv4 short form refused", []string{"10.0.0.1"}, "10.1", 443, ""},
		{"idn entry unicode host punycode", []string{"bücher.example"}, "xn--bcher-kva.example", 443, "xn--bcher-kva.example"},
		{"idn entry punycode host unicode", []string{"xn--bcher-kva.example"}, "BÜCHER.example", 443, "xn--bcher-kva.example"},
		{"idn wildcard", []string{"*.bücher.example"}, "a.xn--bcher-kva.example", 443, "*.xn--bcher-kva.example"},
		{"homograph cyrillic o", []string{"github.com"}, "githuЬ.com", 443, ""},
		{"homograph cyrillic small o", []string{"github.com"}, "github.c\u043em", 443, ""},
		{"homograph cyrillic i", []string{"*.github.com", "github.com"}, "g\u0456thub.com", 443, ""},
		{"homograph under wildcard", []string{"*.github.com"}, "api.githu\u0432.com", 443, ""},
		{"fullwidth maps to ascii", []string{"github.com"}, "ｇｉｔｈｕｂ.com", 443, "github.com"},
		{"invalid label underscore", []string{"*.example.com"}, "a_b.example.com", 443, ""},
		{"invalid leading hyphen", []string{"*.example.com"}, "-a.example.com", 443, ""},
		{"empty host", []string{"*.example.com"}, "", 443, ""},
		{"space in host", []string{"example.com"}, "example.com ", 443, ""},
		{"userinfo trick", []string{"example.com"}, "example.com@evil.net", 443, ""},
		{"empty allowlist", nil, "github.com", 443, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustCompile(t, tt.allow...)
			h, err := NormalizeHost(tt.host)
			if err != nil {
				assert.Empty(t, tt.want, "host did not normalise: %v", err)
				return
			}
			e, ok := a.Match(h, tt.port)
			if tt.want == "" {
				assert.False(t, ok, "matched %q", e.String())
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, e.String())
		})
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "GitHub.com.", want: "github.com"},
		{in: "bücher.example", want: "xn--bcher-kva.example"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "g\u0456thub.com", want: "xn--gthub-n2e.com"},
		{in: "[::1]", want: "::1"},
		{in: "127.0.0.1", want: "127.0.0.1"},
		{in: "fe80::1%eth0", wantErr: true},
		{in: "[10.0.0.1]", wantErr: true},
		{in: "a..b", wantErr: true},
		{in: ".", wantErr: true},
		{in: "", wantErr: true},
		{in: "xn--zz.com", wantErr: true},
		{in: "a_b.com", wantErr: true},
		{in: "host:443", wantErr: true},
		{in: "1.2.3", wantErr: true},
		{in: "0x7f.1", wantErr: true},
		{in: "exa mple.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h, err := NormalizeHost(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrInvalidHost)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, h.Name)
		})
	}
}

func TestParseEntry(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "github.com", want: "github.com"},
		{in: "github.com:443", want: "github.com:443"},
		{in: "*.github.com", want: "*.github.com"},
		{in: "[2001:db8::1]:443", want: "[2001:db8::1]:443"},
		{in: "2001:db8::1", want: "2001:db8::1"},
		{in: "*", wantErr: true},
		{in: "*.com", wantErr: true},
		{in: "*.co.uk", wantErr: true},
		{in: "*.github.io", wantErr: true},
		{in: "a.*.com", wantErr: true},
		{in: "*github.com", wantErr: true},
		{in: "**.github.com", wantErr: true},
		{in: "*.10.0.0.1", wantErr: true},
		{in: "*.0.0.1", wantErr: true},
		{in: "github.com:0", wantErr: true},
		{in: "github.com:65536", wantErr: true},
		{in: "github.com:0443", wantErr: true},
		{in: "github.com:", wantErr: true},
		{in: "[2001:db8::1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseEntry(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.String())
		})
	}
}

func TestCompileKeepsGoodEntries(t *testing.T) {
	a, errs := Compile([]string{"github.com", "*.com", "api.github.com:443"})
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "allow[1]")
	require.Len(t, a.Entries(), 2)
	_, ok := a.Match(Host{Name: "evil.com"}, 443)
	assert.False(t, ok, "a rejected wildcard must never match")
}
