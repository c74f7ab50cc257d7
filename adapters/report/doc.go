// Package report renders a [policy.Decision] for people and machines. Every
// renderer is a pure function of the decision and [Options] (the rule
// catalogue, colour, the workflow-command token) writing to an io.Writer;
// [Render] dispatches on a format name from [Formats].
//
// # Formats
//
//   - text: a table grouped by check, then every finding that is not a pass
//     with where it is, expected versus actual and the remediation, and the
//     informational notes. The table is aligned on visible runes and painted
//     after padding (table.go), so colour and multi-byte text keep columns
//     straight; text/tabwriter counted escape bytes. Waivers read
//     "through DATE (UTC)" ([WaiverThrough]).
//   - json: the decision itself ([DecisionMediaType] wire format).
//   - sarif: SARIF 2.1.0 for GitHub code scanning ([SARIF]), locations
//     relative to %SRCROOT% ([SRCRootBase]). Stable
//     partialFingerprints, waived findings as external suppressions, and
//     GitHub's upload limits kept by deterministic truncation.
//   - junit: one testcase per check ([JUnit]).
//   - markdown: a summary table and a details section per failing check
//     ([Markdown]); every untrusted string is escaped.
//   - github: GitHub Actions workflow commands ([GitHub]), escaped as the
//     runner documents, at most 10 per level, with the untrusted text wrapped
//     in stop-commands.
//
// [UseColor] says whether the text renderer may colour a writer: a terminal,
// NO_COLOR unset, TERM not dumb.
//
// # Telemetry
//
// [WriteDecisionLog] appends one NDJSON line per decision for a warehouse;
// [WritePipelineRun] writes the decision as the hub's pipeline_run.v1.2
// policies[] entries.
//
// # Goals
//
//   - Same decision and options, same bytes (the github format's stop-commands
//     token is the one random part, and Options.StopToken fixes it).
//   - Untrusted text (messages, paths, targets come from evidence) cannot
//     inject markup, workflow commands or XML.
//
// # Non-goals
//
// Evaluation (see engine) and transports (see adapters/actions for the Check
// Run API and the Actions step files).
//
// [DecisionMediaType]: https://pkg.go.dev/github.com/cicd-hub/hubgate/policy#DecisionMediaType
package report
