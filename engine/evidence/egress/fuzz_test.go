package egress

import (
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(squidLog))
	f.Add([]byte(`{"attempts":[{"host":"github.com","port":443,"allowed":true}],"blocked_attempts":0}`))
	f.Add([]byte(`{"attempts":[{"host":"[::1]","port":0,"allowed":false}]}`))
	allow, _ := Compile([]string{"github.com", "*.example.com", "10.0.0.1:443", "[2001:db8::1]:443"})
	canary, _ := ParseEntry("canary.example.org")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			return
		}
		c := NewCollector(allow, &canary, BlockedFail)
		c.Add("f", r)
		s, _ := c.Summary()
		if s.Attempts != len(r.Attempts) {
			t.Fatalf("attempts %d, parsed %d", s.Attempts, len(r.Attempts))
		}
		_ = Suggest([]*Report{r}, true).CUE()
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("*.github.com", "api.github.com", 443)
	f.Add("github.com:443", "GITHUB.com.", 443)
	f.Add("[2001:db8::1]:443", "2001:db8::1", 443)
	f.Fuzz(func(t *testing.T, entry, host string, port int) {
		a, errs := Compile([]string{entry})
		h, err := NormalizeHost(host)
		if err != nil {
			return
		}
		e, ok := a.Match(h, port)
		if !ok {
			return
		}
		if len(errs) > 0 {
			t.Fatalf("a rejected entry matched: %v", errs)
		}
		// A match is either exact or strictly below the wildcard domain.
		if e.Wildcard {
			if h.Name == e.Host.Name || len(h.Name) <= len(e.Host.Name)+1 ||
				h.Name[len(h.Name)-len(e.Host.Name)-1:] != "."+e.Host.Name {
				t.Fatalf("%q matched wildcard %q", h.Name, e.String())
			}
		} else if h.Name != e.Host.Name {
			t.Fatalf("%q matched %q", h.Name, e.String())
		}
		if e.Port != 0 && e.Port != port {
			t.Fatalf("port %d matched %q", port, e.String())
		}
	})
}

// FuzzPlainLDH checks the fast path of NormalizeHost against the IDNA
// profile: whenever the fast path accepts a name, the profile returns it
// unchanged.
func FuzzPlainLDH(f *testing.F) {
	for _, s := range []string{"github.com", "xn--bcher-kva.example", "a-b.c", "ab--c.com", "1.com", "com.1", "a..b", "-a.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainLDH(s) {
			return
		}
		got, err := profile.ToASCII(s)
		if err != nil {
			t.Fatalf("fast path accepted %q, profile rejects it: %v", s, err)
		}
		if got != s {
			t.Fatalf("fast path kept %q, profile gives %q", s, got)
		}
	})
}
