package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/policy"
)

func exampleDecision() *policy.Decision {
	return &policy.Decision{
		ID: "d-1", Outcome: policy.OutcomeFail, Repo: "acme/api",
		Policy: policy.PolicyRef{Digest: "sha256:abc"},
		Checks: []policy.Check{{Kind: policy.KindWorkflow, Outcome: policy.OutcomeFail, Findings: 1}},
		Findings: []policy.Finding{{
			Rule: "workflow.pinned_actions", Outcome: policy.OutcomeFail, Severity: policy.SeverityHigh,
			Message: "actions/checkout@v4 is not pinned", Evidence: ".github/workflows/ci.yml", Line: 12,
			Remediation: "Pin it to a commit SHA.",
		}},
		Time: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
	}
}

func ExampleRender() {
	if err := report.Render(os.Stdout, "text", exampleDecision(), report.Options{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// DENIED  acme/api  outcome=fail  policy=sha256:abc  time=2026-11-28T00:00:00Z
	// decision d-1
	//
	// CHECK     OUTCOME  FINDINGS  WAIVED
	// workflow  fail     1         0
	//
	// == workflow: fail
	//
	//   FAIL workflow.pinned_actions (high): actions/checkout@v4 is not pinned
	//     where:    .github/workflows/ci.yml:12
	//     fix:      Pin it to a commit SHA.
}

func ExampleAnnotation() {
	f := exampleDecision().Findings[0]
	f.Message = "50% done\n::add-mask::x"
	fmt.Println(report.Annotation("error", f, "Actions are pinned"))
	// Output:
	// ::error file=.github/workflows/ci.yml,line=12,title=workflow.pinned_actions%3A Actions are pinned::50%25 done\n::add-mask::x
}

func ExampleWritePipelineRun() {
	d := exampleDecision()
	d.Time = time.Unix(0, 42)
	if err := report.WritePipelineRun(os.Stdout, d, nil); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"policies":[{"id":"hubgate","result":"deny","reason":"hubgate fail: 1 blocking, 0 warning finding(s); decision d-1","time_ns":42},{"id":"workflow.pinned_actions","result":"deny","reason":"actions/checkout@v4 is not pinned","time_ns":42}]}
}
