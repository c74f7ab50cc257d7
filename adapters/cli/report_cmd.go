package cli

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/actions"
	"github.com/cicd-hub/hubgate/policy"
)

// maxDecisionFile bounds a saved decision read by `report`.
const maxDecisionFile = 64 << 20

func (a *app) newReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Publish a saved decision (GitHub Check Run)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr("report: name a subcommand: check-run")
		},
	}
	cmd.AddCommand(a.newReportCheckRunCmd())
	return cmd
}

func (a *app) newReportCheckRunCmd() *cobra.Command {
	var decisionPath, name string
	cmd := &cobra.Command{
		Use:   "check-run --decision FILE [--name NAME]",
		Short: "Publish a decision JSON as a GitHub Check Run",
		Long: `Publish a decision saved by 'hubgate eval -o json=FILE' as a GitHub Check Run on
the commit under test: the pull request's head on pull_request events, GITHUB_SHA
otherwise. It reads GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_EVENT_NAME,
GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID and
GITHUB_TOKEN (or HUBGATE_APP_ID, HUBGATE_APP_INSTALLATION_ID and
HUBGATE_APP_PRIVATE_KEY[_FILE] for a GitHub App installation).

When the token may not write checks (403, as on a pull request from a fork), it
writes workflow-command annotations to stdout instead and says so on stderr.

Exit codes: 0 published (or fell back to annotations), 2 bad flags, an unreadable
decision, a missing environment, or an API error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if decisionPath == "" {
				return usageErr("report check-run: --decision FILE is required")
			}
			if err := checkInputs("report check-run", inFile("decision", decisionPath)); err != nil {
				return err
			}
			d, err := readDecision(decisionPath)
			if err != nil {
				return usageErr("report check-run: %v", err)
			}
			_, err = actions.PublishCheckRun(cmd.Context(), a.getenv, d, nil, actions.CheckRunOptions{
				Name:     name,
				Fallback: a.stdout,
				Log:      a.stderr,
			})
			if err != nil {
				return usageErr("report check-run: %v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&decisionPath, "decision", "", "decision JSON written by hubgate eval -o json=FILE")
	cmd.Flags().StringVar(&name, "name", actions.DefaultCheckName, "name of the check run")
	return cmd
}

// readDecision reads and checks a saved decision: bounded size, the
// decision media type, known keys only.
func readDecision(path string) (*policy.Decision, error) {
	b, err := readBounded(path, maxDecisionFile)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d policy.Decision
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if d.MediaType != policy.DecisionMediaType {
		return nil, fmt.Errorf("parse %s: mediaType: %q is not %q", path, d.MediaType, policy.DecisionMediaType)
	}
	return &d, nil
}
