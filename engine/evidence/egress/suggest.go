package egress

import (
	"slices"
	"strconv"
	"strings"
)

// Suggestion is the minimal allowlist derived from audit-mode reports.
type Suggestion struct {
	// Allow lists one entry per distinct normalised host and port
	// ("host:port", or "host" when the port is unknown), sorted and
	// deduplicated. Without ports, one entry per host.
	Allow []string
	// Skipped lists hosts that are not valid host names, with the reason.
	Skipped []string
}

// Suggest derives the smallest allowlist that covers every attempt in
// reports (allowed or not: in audit mode nothing is enforced). With ports
// false, entries name hosts only.
func Suggest(reports []*Report, ports bool) Suggestion {
	seen := map[string]bool{}
	skipped := map[string]bool{}
	norm := map[string]hostResult{}
	for _, r := range reports {
		for _, a := range r.Attempts {
			hr, ok := norm[a.Host]
			if !ok {
				h, err := NormalizeHost(a.Host)
				if err != nil {
					hr = hostResult{invalid: err.Error()}
				} else {
					hr = hostResult{host: h}
				}
				norm[a.Host] = hr
			}
			if hr.invalid != "" {
				skipped[hr.invalid] = true
				continue
			}
			p := a.Port
			if !ports {
				p = 0
			}
			seen[HostPort(hr.host, p)] = true
		}
	}
	var s Suggestion
	for k := range seen {
		s.Allow = append(s.Allow, k)
	}
	for k := range skipped {
		s.Skipped = append(s.Skipped, k)
	}
	slices.SortFunc(s.Allow, compareEntries)
	slices.Sort(s.Skipped)
	return s
}

// compareEntries orders by host, then numerically by port.
func compareEntries(a, b string) int {
	ha, pa := splitForSort(a)
	hb, pb := splitForSort(b)
	if c := strings.Compare(ha, hb); c != 0 {
		return c
	}
	return pa - pb
}

func splitForSort(s string) (string, int) {
	h, p, err := SplitHostPort(s)
	if err != nil {
		return s, 0
	}
	return strings.Trim(h, "[]"), p
}

// CUE renders a suggestion as a registry fragment ready to paste.
func (s Suggestion) CUE() string {
	var b strings.Builder
	b.WriteString("// Derived by hubgate egress suggest from audit-mode egress reports.\n")
	b.WriteString("// Paste into the repository's entry: repos: \"owner/name\": {...}.\n")
	for _, k := range s.Skipped {
		b.WriteString("// skipped: " + strconv.Quote(k) + "\n")
	}
	b.WriteString("egress: allow: [")
	if len(s.Allow) == 0 {
		b.WriteString("]\n")
		return b.String()
	}
	b.WriteString("\n")
	for _, e := range s.Allow {
		b.WriteString("\t" + strconv.Quote(e) + ",\n")
	}
	b.WriteString("]\n")
	return b.String()
}
