package actions_test

import (
	"fmt"
	"strings"

	"github.com/cicd-hub/hubgate/adapters/actions"
	"github.com/cicd-hub/hubgate/policy"
)

func ExamplePlanCheckRun() {
	d := &policy.Decision{ID: "d-1", Outcome: policy.OutcomeFail, Repo: "acme/api"}
	for i := range 137 {
		d.Findings = append(d.Findings, policy.Finding{Rule: "workflow.unpinned", Outcome: policy.OutcomeFail, Message: fmt.Sprint("finding ", i), Evidence: "ci.yml", Line: i + 1})
	}
	plan, err := actions.PlanCheckRun(d, nil, actions.CheckRunInput{HeadSHA: strings.Repeat("a", 40), DetailsURL: "https://github.com/acme/api/actions/runs/1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("create:", plan.Create.GetStatus(), plan.Create.GetExternalID())
	for _, p := range plan.Annotate {
		fmt.Println("patch:", len(p.Output.Annotations), "annotations")
	}
	fmt.Println("complete:", plan.Complete.GetStatus(), plan.Complete.GetConclusion())
	// Output:
	// create: in_progress d-1
	// patch: 50 annotations
	// patch: 50 annotations
	// patch: 37 annotations
	// complete: completed failure
}

func ExampleTruncateSummary() {
	md := strings.Repeat("| a row |\n", 20)
	fmt.Print(actions.TruncateSummary(md, 190))
	// Output:
	// | a row |
	// | a row |
	//
	// > [!WARNING]
	// > hubgate truncated this summary: 180 of 200 bytes were cut to stay under GitHub's limit. The full report is in the job log and the decision JSON.
}
