package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/cicd-hub/hubgate/adapters/actions"
	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/policy"
)

// afterEval does what eval's side flags ask for once the decision exists:
// the signed VSA, the decision log, the pipeline_run entries and the GitHub
// Actions step outputs. outs are the -o outputs already written.
func (a *app) afterEval(f *evalFlags, d *policy.Decision, rules []policy.RuleInfo, outs []output) error {
	if f.vsaOut != "" {
		if err := a.writeVSA(f, d); err != nil {
			return fmt.Errorf("--vsa-out: %w", err)
		}
	}
	if f.decisionLog != "" {
		fh, err := os.OpenFile(f.decisionLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("--decision-log: write %s: %s", f.decisionLog, reason(err))
		}
		err = report.WriteDecisionLog(fh, d)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--decision-log: write %s: %s", f.decisionLog, reason(err))
		}
	}
	if f.pipelineRun != "" {
		err := writeFileAtomic(f.pipelineRun, func(w io.Writer) error { return report.WritePipelineRun(w, d, rules) })
		if err != nil {
			return fmt.Errorf("--pipeline-run: %w", err)
		}
	}
	if f.github || actions.InActions(a.getenv) {
		// Reuse an -o json=PATH output as the decision-path output, if any.
		jsonPath := ""
		for _, o := range outs {
			if o.format == "json" && o.path != "" {
				jsonPath = o.path
			}
		}
		if a.getenv("GITHUB_STEP_SUMMARY") == "" && a.getenv("GITHUB_OUTPUT") == "" {
			fmt.Fprintln(a.stderr, "hubgate: --github: GITHUB_STEP_SUMMARY and GITHUB_OUTPUT are not set (not in a GitHub Actions step); wrote no step summary or outputs")
			return nil
		}
		p, err := actions.Step(a.getenv, d, rules, jsonPath)
		if err != nil {
			return fmt.Errorf("github step: %w", err)
		}
		fmt.Fprintf(a.stderr, "hubgate: wrote the step summary and outputs; decision at %s\n", p)
	}
	return nil
}
