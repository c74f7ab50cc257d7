// Package actions is hubgate's GitHub Actions adapter: it reads the GITHUB_*
// environment and the event payload, writes the step files
// ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT) and publishes a decision as a Check
// Run through the REST API.
//
// # Step files
//
// [Step] appends the decision's Markdown report to $GITHUB_STEP_SUMMARY,
// truncated with a note under GitHub's 1 MiB limit ([MaxStepSummary]), and
// the outputs outcome, allowed and decision-path to $GITHUB_OUTPUT with the
// heredoc syntax and a random delimiter, so no value can forge another output.
//
// # Check Runs
//
// The payloads are built by pure functions ([PlanCheckRun]): a create
// request with status in_progress; annotation PATCHes of at most 50 each
// ([MaxAnnotationsPerRequest]); a completion with conclusion success,
// neutral (warnings only) or failure, a summary of at most 65,535 characters
// ([MaxSummary]) truncated with a line saying how much was cut, details_url
// the workflow run and external_id the decision id. [Publisher] is the small
// HTTP side (go-github). [PublishCheckRun] ties them together with the
// environment: the token is GITHUB_TOKEN or a GitHub App installation
// (HUBGATE_APP_ID, HUBGATE_APP_INSTALLATION_ID and HUBGATE_APP_PRIVATE_KEY or
// HUBGATE_APP_PRIVATE_KEY_FILE, through ghinstallation), the API is
// GITHUB_API_URL (GitHub Enterprise Server works), and the head SHA is the
// pull request's head on pull_request events (not the merge commit in
// GITHUB_SHA). When the token may not write checks (a 403 at create, as on a
// fork's pull request), it falls back to workflow-command annotations and
// says so.
//
// # Goals
//
//   - Fail closed: a pull_request event whose payload has no valid head SHA
//     is an error, not a check on the wrong commit.
//   - Nothing from evidence can inject an output, a workflow command or
//     Markdown: values are escaped by adapters/report and delimited here.
//
// # Non-goals
//
// Evaluation (the CLI calls the engine) and uploading SARIF (the composite
// action uses github/codeql-action/upload-sarif for that).
package actions
