package vulnerabilities

import (
	"fmt"

	"github.com/cicd-hub/hubgate/engine/evidence/vex"
)

// Assessment is one finding with what the VEX statements say about it.
type Assessment struct {
	// Evidence is the report file the finding came from.
	Evidence string `json:"evidence"`
	Vulnerability
	// Target is what waivers match: the id, or "id@purl" when the finding
	// names a component.
	Target string `json:"target"`
	vex.Result
	// Reason says why the finding is not suppressed, "" when it is.
	Reason string `json:"reason"`
}

// Assess matches every finding of every report against m, in report and
// finding order. haveVEX says whether any VEX statement was given, for the
// reasons.
func Assess(evidence []string, reports []*Report, m *vex.Matcher, haveVEX bool) []Assessment {
	n := 0
	for _, r := range reports {
		n += len(r.Vulnerabilities)
	}
	out := make([]Assessment, 0, n)
	for ri, r := range reports {
		for i := range r.Vulnerabilities {
			v := &r.Vulnerabilities[i]
			a := Assessment{Evidence: evidence[ri], Vulnerability: *v, Target: v.ID}
			if len(v.PURLs) > 0 {
				a.Target = v.ID + "@" + v.PURLs[0]
			}
			if a.Aliases == nil {
				a.Aliases = []string{}
			}
			if a.PURLs == nil {
				a.PURLs = []string{}
			}
			if m != nil {
				a.Result = m.Match(vex.Query{ID: v.ID, Aliases: v.Aliases, PURLs: v.Parsed})
			}
			if a.NearMisses == nil {
				a.NearMisses = []vex.NearMiss{}
			}
			a.Reason = reason(&a, haveVEX)
			out = append(out, a)
		}
	}
	return out
}

func reason(a *Assessment, haveVEX bool) string {
	switch {
	case a.Suppressed:
		return ""
	case a.Decision != nil:
		return fmt.Sprintf("the deciding VEX statement (%s %s, %s) says %s", a.Decision.Evidence, a.Decision.Path, a.Decision.Timestamp, a.Decision.Status)
	case len(a.NearMisses) > 0:
		s := fmt.Sprintf("no VEX statement applies; %d near miss", a.NearMissTotal)
		if a.NearMissTotal != 1 {
			s += "es"
		}
		nm := a.NearMisses[0]
		return s + fmt.Sprintf(", e.g. %s %s: %s", nm.Evidence, nm.Path, nm.Reason)
	case !haveVEX:
		return "no VEX document was given"
	default:
		return fmt.Sprintf("no VEX statement names %s or its aliases", a.ID)
	}
}
