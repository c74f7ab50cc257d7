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
// Every command checks every path given on its command line before it reads
// any (checkInputs, one line per unreadable input): missing, the wrong type
// (a directory where a file is wanted, a file where a directory is), or not
// openable is a usage error naming the flag (or, for an argument, the path
// alone) and the path once. TestEveryCommandUnreadableInput walks every file
// and directory input of every command. A file that opens is evidence: its
// problems are findings judged by the engine (eval), or exit 1 (verify ...).
// Inputs that are not evidence (a saved decision, a manifest for admission
// test, a registry) that do not parse are exit 2.
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
