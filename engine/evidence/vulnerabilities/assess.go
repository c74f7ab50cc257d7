package vulnerabilities

import (
	"fmt"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

// Assessment is one finding with what the VEX statements say about it.
type Assessment struct {
	// Evidence is the report file the finding came from.
	Evidence string `json:"evidence"`
	Vulnerability
	// Target is what waivers match: the id, or "id@purl" when the finding
	// names a component.
	Target string `json:"target"`
	// Score is what the CVSS threshold is compared with: the highest CVSS
	// base score, else the lower bound of the severity's CVSS band
	// ([SeverityBand]); HasScore is false when there is neither.
	Score    float64 `json:"score"`
	HasScore bool    `json:"has_score"`
	// ScoreSource says where Score came from: "cvss", "severity" or "".
	ScoreSource string `json:"score_source"`
	// Unscored is true when the finding has no CVSS score, no EPSS
	// percentile and no known severity: the registry's unscored setting
	// decides it.
	Unscored bool `json:"unscored"`
	vexdoc.Result
	// Reason says why the finding is not suppressed, "" when it is.
	Reason string `json:"reason"`
}

// Assess matches every finding of every report against m, in report and
// finding order. haveVEX says whether any VEX statement was given, for the
// reasons.
func Assess(evidence []string, reports []*Report, m *vexdoc.Matcher, haveVEX bool) []Assessment {
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
			switch band, ok := SeverityBand(v.Severity); {
			case v.HasCVSS:
				a.Score, a.HasScore, a.ScoreSource = v.CVSS, true, "cvss"
			case ok:
				a.Score, a.HasScore, a.ScoreSource = band, true, "severity"
			}
			a.Unscored = !a.HasScore && !v.HasEPSS
			if m != nil {
				a.Result = m.Match(vexdoc.Query{ID: v.ID, Aliases: v.Aliases, PURLs: v.Parsed})
			}
			if a.Ties == nil {
				a.Ties = []vexdoc.Ref{}
			}
			if a.NearMisses == nil {
				a.NearMisses = []vexdoc.NearMiss{}
			}
			a.Reason = reason(&a, haveVEX)
			out = append(out, a)
		}
	}
	return out
}

// SeverityBand maps a scanner's severity label to the lower bound of its
// band in the CVSS v3.1 qualitative severity rating scale (FIRST, CVSS v3.1
// specification, section 5): critical 9.0, high 7.0, medium (moderate) 4.0,
// low 0.1, and none (grype's negligible, info) 0.0. The lower bound is the
// least the label can mean, so a finding labelled high meets a 7.0
// threshold and a medium one does not. Unknown or empty labels have no band.
func SeverityBand(severity string) (float64, bool) {
	switch strings.ToLower(strings.TrimSpace(severity)) {
	case "critical":
		return 9.0, true
	case "high", "important":
		return 7.0, true
	case "medium", "moderate":
		return 4.0, true
	case "low":
		return 0.1, true
	case "negligible", "none", "info", "informational":
		return 0.0, true
	}
	return 0, false
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
