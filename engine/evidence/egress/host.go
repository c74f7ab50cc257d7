package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// ErrInvalidHost is wrapped by every host or allowlist entry that cannot be
// normalised.
var ErrInvalidHost = errors.New("invalid host")

// profile is a strict IDNA profile: UTS #46 mapping for lookup (case folding,
// width mapping), no transitional processing, label validation, the bidi
// rule, STD3 rules (letters, digits, hyphens only) and DNS length limits.
var profile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
	idna.CheckHyphens(true),
	idna.CheckJoiners(true),
)

// Host is a normalised host: an ASCII (punycode) domain name in lower case
// without a trailing dot, or an IP literal.
type Host struct {
	// Name is the ASCII domain name, or the canonical text of IP.
	Name string
	// IP is valid when the host is an IP literal.
	IP netip.Addr
}

// IsIP reports whether h is an IP literal.
func (h Host) IsIP() bool { return h.IP.IsValid() }

// NormalizeHost normalises a bare host (no port). IPv6 literals may be given
// with or without brackets; zones are rejected.
func NormalizeHost(s string) (Host, error) {
	raw := s
	if s == "" {
		return Host{}, fmt.Errorf("%w: empty", ErrInvalidHost)
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return Host{}, fmt.Errorf("%w %q: bracketed value is not an IPv6 address", ErrInvalidHost, raw)
		}
		return ipHost(raw, a)
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return ipHost(raw, a)
	}
	if strings.ContainsAny(s, ":[]%/@ ") {
		return Host{}, fmt.Errorf("%w %q: not a domain name or IP address", ErrInvalidHost, raw)
	}
	s = strings.TrimSuffix(s, ".")
	if plainLDH(s) {
		return Host{Name: s}, nil
	}
	name, err := profile.ToASCII(s)
	if err != nil {
		return Host{}, fmt.Errorf("%w %q: %v", ErrInvalidHost, raw, err)
	}
	if name == "" {
		return Host{}, fmt.Errorf("%w %q: empty", ErrInvalidHost, raw)
	}
	// A name made of digits and dots that netip refused (1.2.3, 01.2.3.4) is
	// an ambiguous IPv4 form some resolvers accept: refuse it.
	if looksNumeric(name) {
		return Host{}, fmt.Errorf("%w %q: numeric name that is not a canonical IPv4 address", ErrInvalidHost, raw)
	}
	return Host{Name: name}, nil
}

func ipHost(raw string, a netip.Addr) (Host, error) {
	if a.Zone() != "" {
		return Host{}, fmt.Errorf("%w %q: IPv6 zone not allowed", ErrInvalidHost, raw)
	}
	return Host{Name: a.String(), IP: a}, nil
}

// plainLDH reports whether s is already in the form the IDNA profile would
// return unchanged: lower-case letters, digits and hyphens, labels of 1 to 63
// bytes that neither start nor end with a hyphen nor have hyphens in their
// third and fourth bytes (which covers "xn--"), at most 253 bytes, and a last
// label that is not numeric. Anything else goes through the full profile.
// FuzzPlainLDH checks the two agree.
func plainLDH(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	start := 0
	alpha := false
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			n := i - start
			if n == 0 || n > 63 || s[start] == '-' || s[i-1] == '-' || (n >= 4 && s[start+2] == '-' && s[start+3] == '-') {
				return false
			}
			if i < len(s) {
				alpha = false
			}
			start = i + 1
			continue
		}
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			alpha = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	// The last label must hold a letter (no numeric top-level domain).
	return alpha
}

// looksNumeric reports whether the last label is all digits (or a 0x number),
// which no top-level domain is.
func looksNumeric(name string) bool {
	last := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		last = name[i+1:]
	}
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		return true
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SplitHostPort splits "host", "host:port", "[v6]", "[v6]:port" or a bare
// IPv6 literal into a host and a port (0 when none is given).
func SplitHostPort(s string) (string, int, error) {
	switch {
	case strings.HasPrefix(s, "["):
		if strings.HasSuffix(s, "]") {
			return s, 0, nil
		}
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrInvalidHost, s, err)
		}
		port, err := parsePort(p)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrInvalidHost, s, err)
		}
		return "[" + h + "]", port, nil
	case strings.Count(s, ":") == 1:
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrInvalidHost, s, err)
		}
		port, err := parsePort(p)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrInvalidHost, s, err)
		}
		return h, port, nil
	default:
		return s, 0, nil
	}
}

func parsePort(p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p {
		return 0, fmt.Errorf("port %q out of range 1-65535", p)
	}
	return n, nil
}

// Entry is one compiled allowlist entry.
type Entry struct {
	// Raw is the entry as written in the registry.
	Raw string
	// Host is the normalised host; for a wildcard, the domain below which
	// names match ("example.com" for "*.example.com").
	Host Host
	// Wildcard is true for "*.domain" entries.
	Wildcard bool
	// Port is the only port the entry allows, or 0 for any port.
	Port int
}

// String is the canonical form of the entry, as [Allowlist.Match] reports it.
func (e Entry) String() string {
	h := e.Host.Name
	if e.Wildcard {
		h = "*." + h
	}
	if e.Port == 0 {
		return h
	}
	if e.Host.IP.Is6() {
		return "[" + h + "]:" + strconv.Itoa(e.Port)
	}
	return h + ":" + strconv.Itoa(e.Port)
}

// ParseEntry compiles one allowlist entry: "host", "host:port", "*.domain",
// "*.domain:port", an IPv4 literal, "[v6]" or "[v6]:port", or a bare IPv6
// literal.
func ParseEntry(s string) (Entry, error) {
	raw := s
	h, port, err := SplitHostPort(strings.TrimSpace(s))
	if err != nil {
		return Entry{}, err
	}
	wild := false
	if strings.HasPrefix(h, "*.") {
		wild = true
		h = h[2:]
	}
	if strings.Contains(h, "*") {
		return Entry{}, fmt.Errorf("%w %q: a wildcard is only allowed as the whole first label (*.domain)", ErrInvalidHost, raw)
	}
	host, err := NormalizeHost(h)
	if err != nil {
		return Entry{}, err
	}
	if wild {
		if host.IsIP() {
			return Entry{}, fmt.Errorf("%w %q: a wildcard cannot cover an IP address", ErrInvalidHost, raw)
		}
		if ps, _ := publicsuffix.PublicSuffix(host.Name); ps == host.Name {
			return Entry{}, fmt.Errorf("%w %q: the wildcard covers the public suffix %q", ErrInvalidHost, raw, ps)
		}
	}
	return Entry{Raw: raw, Host: host, Wildcard: wild, Port: port}, nil
}

// Allowlist is a compiled set of entries. Lookups walk the labels of the host
// through two maps, so their cost does not grow with the number of entries.
// It is immutable and safe for concurrent use.
type Allowlist struct {
	entries []Entry
	exact   map[string][]int // normalised host (or IP) → entry indexes
	suffix  map[string][]int // wildcard domain → entry indexes
}

// Compile compiles entries. Entries that do not parse are returned as errors
// (one per bad entry, in order) and left out, so they can never match.
func Compile(entries []string) (*Allowlist, []error) {
	a := &Allowlist{exact: map[string][]int{}, suffix: map[string][]int{}}
	var errs []error
	for i, s := range entries {
		e, err := ParseEntry(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("allow[%d]: %w", i, err))
			continue
		}
		idx := len(a.entries)
		a.entries = append(a.entries, e)
		if e.Wildcard {
			a.suffix[e.Host.Name] = append(a.suffix[e.Host.Name], idx)
		} else {
			a.exact[e.Host.Name] = append(a.exact[e.Host.Name], idx)
		}
	}
	return a, errs
}

// Entries returns the compiled entries in registry order.
func (a *Allowlist) Entries() []Entry { return a.entries }

// Match returns the first entry, in registry order among the most specific
// candidates, that allows host on port (0 means the port is unknown: only
// entries without a port then match). An exact entry wins over a wildcard,
// and a longer wildcard domain over a shorter one.
func (a *Allowlist) Match(h Host, port int) (Entry, bool) {
	if a == nil || h.Name == "" {
		return Entry{}, false
	}
	if e, ok := a.pick(a.exact[h.Name], port); ok {
		return e, true
	}
	if h.IsIP() {
		return Entry{}, false
	}
	name := h.Name
	for {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return Entry{}, false
		}
		name = name[i+1:]
		if e, ok := a.pick(a.suffix[name], port); ok {
			return e, true
		}
	}
}

func (a *Allowlist) pick(idx []int, port int) (Entry, bool) {
	for _, i := range idx {
		e := a.entries[i]
		if e.Port == 0 || (port != 0 && e.Port == port) {
			return e, true
		}
	}
	return Entry{}, false
}
