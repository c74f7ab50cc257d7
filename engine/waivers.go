package engine

import (
	"fmt"
	"time"

	"github.com/cicd-hub/hubgate/policy"
)

// Engine rules are decided in Go, not Rego: they are about the decision
// itself. They are in the catalogue like any other rule.
var (
	ruleWaiverExpired = policy.RuleInfo{
		ID:          "waiver.expired",
		Kind:        "waiver",
		Title:       "A waiver has expired",
		Description: "A registry waiver passed its expiry date. The findings it silenced block the release again.",
		Severity:    policy.SeverityMedium,
		Remediation: "Fix what the waiver covered, or renew the waiver in the registry with a new expires date, a reason and an owner.",
		Source:      "engine/waivers.go",
	}
	ruleNoEvidence = policy.RuleInfo{
		ID:          "decision.no_evidence",
		Kind:        "decision",
		Title:       "Nothing was verified",
		Description: "The registry requires no evidence for this repo and none was given, so nothing was verified.",
		Severity:    policy.SeverityHigh,
		Remediation: "List the evidence kinds this repo must bring in the registry's require field, and pass that evidence.",
		Source:      "engine/eval.go",
	}
	ruleUnreported = policy.RuleInfo{
		ID:          "decision.unreported_problems",
		Kind:        "decision",
		Title:       "Evidence problems no rule reported",
		Description: "Evidence of a kind could not be read or verified, and no rule reported it. The engine blocks the release rather than let unusable evidence pass.",
		Severity:    policy.SeverityHigh,
		Remediation: "Fix the evidence; and keep the built-in policy pack, whose <kind>.evidence rules report each problem with its file and field.",
		Source:      "engine/eval.go",
	}
)

func engineRules() []policy.RuleInfo {
	return []policy.RuleInfo{ruleWaiverExpired, ruleNoEvidence, ruleUnreported}
}

func unreportedFinding(k policy.EvidenceKind, n int) policy.Finding {
	return policy.Finding{
		Rule:        ruleUnreported.ID,
		Outcome:     policy.OutcomeError,
		Severity:    ruleUnreported.Severity,
		Message:     fmt.Sprintf("%d problem(s) with the %s evidence were reported by no rule; the evidence is unusable", n, k),
		Evidence:    string(k),
		Target:      string(k),
		Expected:    "usable evidence, or an error finding for each problem",
		Actual:      fmt.Sprintf("%d unreported problem(s)", n),
		Remediation: ruleUnreported.Remediation,
	}
}

// applyWaivers silences each fail or warn finding that an unexpired waiver
// names. Error findings are never waived: unreadable evidence is not a known
// risk. An expired waiver that still names a finding fails; one that names
// nothing any more warns, so stale waivers get cleaned up. Expired-waiver
// findings follow the others, in registry order.
func applyWaivers(findings []policy.Finding, waivers []policy.Waiver, now time.Time) []policy.Finding {
	used := make([]bool, len(waivers))
	for i := range findings {
		f := &findings[i]
		if f.Outcome != policy.OutcomeFail && f.Outcome != policy.OutcomeWarn {
			continue
		}
		for j, w := range waivers {
			if !w.Matches(*f) {
				continue
			}
			used[j] = true
			if !w.Expired(now) {
				f.Waiver = &w
				break
			}
		}
	}
	for j, w := range waivers {
		if !w.Expired(now) {
			continue
		}
		target := w.Rule
		if w.Target != "" {
			target += " " + w.Target
		}
		f := policy.Finding{
			Rule:        ruleWaiverExpired.ID,
			Outcome:     policy.OutcomeWarn,
			Severity:    ruleWaiverExpired.Severity,
			Evidence:    "registry",
			Path:        fmt.Sprintf("waivers[%d]", j),
			Target:      target,
			Expected:    "expires after " + now.Format(time.RFC3339),
			Actual:      "expired " + w.Expires.UTC().Format(time.RFC3339),
			Remediation: ruleWaiverExpired.Remediation,
		}
		if used[j] {
			f.Outcome = policy.OutcomeFail
			f.Message = fmt.Sprintf("waiver for %s (owner %s, reason %q) expired at %s; the findings it silenced block the release again", target, w.Owner, w.Reason, w.Expires.UTC().Format(time.RFC3339))
		} else {
			f.Message = fmt.Sprintf("waiver for %s (owner %s) expired at %s and matches no finding; remove it", target, w.Owner, w.Expires.UTC().Format(time.RFC3339))
		}
		findings = append(findings, f)
	}
	return findings
}

func noEvidenceFinding(repo string) policy.Finding {
	return policy.Finding{
		Rule:        ruleNoEvidence.ID,
		Outcome:     policy.OutcomeError,
		Severity:    ruleNoEvidence.Severity,
		Message:     fmt.Sprintf("nothing was verified for %s: the registry requires no evidence and none was given", repo),
		Evidence:    "registry",
		Path:        "repos." + repo + ".require",
		Target:      repo,
		Expected:    "at least one evidence kind",
		Actual:      "none",
		Remediation: ruleNoEvidence.Remediation,
	}
}
