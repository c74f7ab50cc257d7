package vulnerabilities

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
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
	Texts
}

// Texts are the display texts the Rego rules put into finding messages,
// rendered once per finding here rather than by a Rego helper function per
// rule (about 15 µs a call in OPA). They decide nothing: every comparison
// with a threshold stays in Rego.
type Texts struct {
	// ComponentText is " in " and the first purl, else " in " and the
	// component, else "".
	ComponentText string `json:"component_text"`
	// CVSSText is the CVSS score as Rego's sprintf %v prints it; without
	// one, "none (severity S: CVSS band from B)" when Score came from the
	// severity, else "none".
	CVSSText string `json:"cvss_text"`
	// EPSSText is the EPSS percentile as Rego's sprintf %v prints it, or
	// "none".
	EPSSText string `json:"epss_text"`
	// StatusText is the deciding statement's status, or "none".
	StatusText string `json:"status_text"`
	// WhyText is ": " and the deciding statement's justification, else its
	// impact statement, else "".
	WhyText string `json:"why_text"`
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
			a.Texts = texts(&a)
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

func texts(a *Assessment) Texts {
	t := Texts{CVSSText: "none", EPSSText: "none", StatusText: "none"}
	switch {
	case len(a.PURLs) > 0:
		t.ComponentText = " in " + a.PURLs[0]
	case a.Component != "":
		t.ComponentText = " in " + a.Component
	}
	switch {
	case a.HasCVSS:
		t.CVSSText = NumberText(a.CVSS)
	case a.ScoreSource == "severity":
		t.CVSSText = "none (severity " + a.Severity + ": CVSS band from " + NumberText(a.Score) + ")"
	}
	if a.HasEPSS {
		t.EPSSText = NumberText(a.EPSS)
	}
	if a.Status != "" {
		t.StatusText = string(a.Status)
	}
	if d := a.Decision; d != nil {
		switch {
		case d.Justification != "":
			t.WhyText = ": " + d.Justification
		case d.Impact != "":
			t.WhyText = ": " + d.Impact
		}
	}
	return t
}

// NumberText prints f as Rego's sprintf("%v", [f]) prints the number the
// facts carry: the engine writes f as encoding/json does, and OPA prints a
// number with a '.', 'e' or 'E' as a float64 (%v), and any other as an
// integer.
func NumberText(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Sprintf("%v", f)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Sprintf("%v", f)
	}
	ns := string(b)
	if strings.ContainsAny(ns, ".eE") {
		return fmt.Sprintf("%v", f)
	}
	if i, err := strconv.ParseInt(ns, 10, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	return ns
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
