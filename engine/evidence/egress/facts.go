package egress

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// BlockedMode is the registry's egress.blocked_attempts setting.
const (
	BlockedWarn = "warn"
	BlockedFail = "fail"
)

// HostFact is every attempt to one host and port with one proxy verdict,
// folded together. Facts list one per distinct (host, port, allowed).
type HostFact struct {
	// Host is the normalised host (punycode, lower case), or the host as
	// written when it is invalid.
	Host string `json:"host"`
	Port int    `json:"port"`
	// Allowed is true when the proxy let the connections through.
	Allowed bool `json:"allowed"`
	// Count is the number of attempts folded here.
	Count int `json:"count"`
	// Match is the canonical allowlist entry that covers the host, or "".
	Match string `json:"match"`
	// Canary is true when the host is the registry's canary.
	Canary bool `json:"canary"`
	// Invalid says why the host could not be normalised, or "".
	Invalid string `json:"invalid"`
	// Evidence, Path, Line and Time locate the first attempt.
	Evidence string `json:"evidence"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Time     string `json:"time"`
}

// Canary says whether enforcement was proven live.
type Canary struct {
	// Host is the configured canary, canonical, or "" when none is set.
	Host string `json:"host"`
	// Attempts, Blocked and Allowed count the attempts to the canary.
	Attempts int `json:"attempts"`
	Blocked  int `json:"blocked"`
	Allowed  int `json:"allowed"`
}

// Summary is the egress facts document (without the engine's present and
// problems fields).
type Summary struct {
	Files []string `json:"files"`
	// Allow is the compiled allowlist, canonical, in registry order.
	Allow []string `json:"allow"`
	// BlockedMode is "warn" or "fail".
	BlockedMode string `json:"blocked_mode"`
	Canary      Canary `json:"canary"`
	// Attempts counts every attempt read; BlockedAttempts the blocked ones
	// that were not to the canary.
	Attempts        int `json:"attempts"`
	BlockedAttempts int `json:"blocked_attempts"`
	// WithoutAttempts lists the files that carry no per-attempt records
	// (a report with only counts proves nothing about hosts).
	WithoutAttempts []string `json:"without_attempts"`
	// Hosts are ordered by host, port, then blocked before allowed.
	Hosts []HostFact `json:"hosts"`
}

type groupKey struct {
	host    string
	port    int
	allowed bool
}

type hostResult struct {
	host    Host
	invalid string
}

// Collector folds reports into a [Summary]. It is not safe for concurrent use.
type Collector struct {
	allow    *Allowlist
	canary   *Allowlist
	sum      Summary
	norm     map[string]hostResult
	groups   map[groupKey]*HostFact
	problems []FileProblem
}

// FileProblem is a [Problem] with the file it is in.
type FileProblem struct {
	File string
	Problem
}

// NewCollector returns a collector judging hosts against allow, with the
// canary canary ("" for none) and the blocked-attempts mode mode.
func NewCollector(allow *Allowlist, canary *Entry, mode string) *Collector {
	c := &Collector{allow: allow, norm: map[string]hostResult{}, groups: map[groupKey]*HostFact{}}
	if allow != nil {
		for _, e := range allow.Entries() {
			c.sum.Allow = append(c.sum.Allow, e.String())
		}
	}
	if canary != nil {
		c.canary = &Allowlist{entries: []Entry{*canary}, exact: map[string][]int{}, suffix: map[string][]int{}}
		if canary.Wildcard {
			c.canary.suffix[canary.Host.Name] = []int{0}
		} else {
			c.canary.exact[canary.Host.Name] = []int{0}
		}
		c.sum.Canary.Host = canary.String()
	}
	c.sum.BlockedMode = mode
	return c
}

// Add folds one parsed file.
func (c *Collector) Add(file string, r *Report) {
	c.sum.Files = append(c.sum.Files, file)
	for _, p := range r.Problems {
		c.problems = append(c.problems, FileProblem{File: file, Problem: p})
	}
	if !r.HasAttempts {
		c.sum.WithoutAttempts = append(c.sum.WithoutAttempts, file)
	}
	blocked := 0
	for i := range r.Attempts {
		a := &r.Attempts[i]
		c.sum.Attempts++
		if !a.Allowed {
			blocked++
		}
		c.add(file, a)
	}
	if r.ClaimedBlocked != nil && r.HasAttempts && *r.ClaimedBlocked != blocked {
		c.problems = append(c.problems, FileProblem{File: file, Problem: Problem{
			Path:    "blocked_attempts",
			Message: fmt.Sprintf("the report claims %d blocked attempts, its attempt records show %d", *r.ClaimedBlocked, blocked),
		}})
	}
}

func (c *Collector) add(file string, a *Attempt) {
	hr, ok := c.norm[a.Host]
	if !ok {
		h, err := NormalizeHost(a.Host)
		if err != nil {
			hr = hostResult{invalid: err.Error()}
		} else {
			hr = hostResult{host: h}
		}
		c.norm[a.Host] = hr
	}
	name := hr.host.Name
	if hr.invalid != "" {
		name = a.Host
	}
	k := groupKey{host: name, port: a.Port, allowed: a.Allowed}
	g, ok := c.groups[k]
	if !ok {
		g = &HostFact{Host: name, Port: a.Port, Allowed: a.Allowed, Invalid: hr.invalid,
			Evidence: file, Line: a.Line, Time: a.Time}
		if a.Index >= 0 {
			g.Path = "attempts[" + strconv.Itoa(a.Index) + "]"
		}
		if hr.invalid == "" {
			if _, ok := c.canary.Match(hr.host, a.Port); ok {
				g.Canary = true
			} else if e, ok := c.allow.Match(hr.host, a.Port); ok {
				g.Match = e.String()
			}
		}
		c.groups[k] = g
	}
	g.Count++
	if g.Canary {
		c.sum.Canary.Attempts++
		if a.Allowed {
			c.sum.Canary.Allowed++
		} else {
			c.sum.Canary.Blocked++
		}
	} else if !a.Allowed {
		c.sum.BlockedAttempts++
	}
}

// Summary returns the folded facts, ordered, and the problems met in the
// files, in file order.
func (c *Collector) Summary() (Summary, []FileProblem) {
	s := c.sum
	// Sort pointers, not the large structs, then copy once in order.
	ptrs := make([]*HostFact, 0, len(c.groups))
	for _, g := range c.groups {
		ptrs = append(ptrs, g)
	}
	slices.SortFunc(ptrs, func(a, b *HostFact) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port), cmpBool(a.Allowed, b.Allowed))
	})
	s.Hosts = make([]HostFact, len(ptrs))
	for i, g := range ptrs {
		s.Hosts[i] = *g
	}
	if s.Files == nil {
		s.Files = []string{}
	}
	if s.Allow == nil {
		s.Allow = []string{}
	}
	if s.WithoutAttempts == nil {
		s.WithoutAttempts = []string{}
	}
	return s, c.problems
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	default:
		return 1
	}
}

// HostPort formats a host and port the way allowlist entries are written.
func HostPort(h Host, port int) string {
	if port == 0 {
		if h.IP.Is6() {
			return "[" + h.Name + "]"
		}
		return h.Name
	}
	if h.IP.Is6() {
		return "[" + h.Name + "]:" + strconv.Itoa(port)
	}
	return h.Name + ":" + strconv.Itoa(port)
}
