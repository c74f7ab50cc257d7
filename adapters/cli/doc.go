// Package cli is the hubgate command line. [Main] runs one command in process
// and returns its exit code; cmd/hubgate calls it and exits. Nothing in this
// package calls os.Exit, so every command is testable in process.
//
// # Exit codes
//
//   - 0: allowed (eval, admission test), verified (verify), or success.
//   - 1: denied (eval: any fail or error finding; with --fail-on warn, any
//     warning), not verified (verify), a failing Rego test (policy test).
//   - 2: hubgate could not evaluate: bad flags, a registry or policy that fails
//     to load, an unknown repo, a file named on the command line that cannot
//     be opened, an output that cannot be written.
//
// # Unreadable input versus bad evidence
//
// A path given on the command line is checked before anything is evaluated
// (checkInput): missing, the wrong type (a directory where a file is wanted),
// or not openable is a usage error naming the flag and the path once. A file
// that opens is evidence: its problems are findings, judged by the engine.
// Evidence read from standard input ("-") is spooled to a private temporary
// file and shown as "<stdin>", with the decision id recomputed
// ([engine.DecisionID]) so the same input gives the same bytes.
//
// # Help
//
// Help uses its own usage template (help.go): value names from one table
// (--repo OWNER/NAME), no value for booleans, and no back-quoted usage text
// taken for a value name, as pflag's FlagUsages would. fixtures/cli/help pins
// every command's help (go test ./adapters/cli -run TestHelpGolden -update).
// Unknown commands, subcommands, flags, repos, policy kinds and waiver rule
// ids get a "did you mean" from edit distance.
package cli
