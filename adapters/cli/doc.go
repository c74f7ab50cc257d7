// Package cli is the hubgate command line. [Main] runs one command in process
// and returns its exit code; cmd/hubgate calls it and exits. Nothing in this
// package calls os.Exit, so every command is testable in process.
//
// # Exit codes
//
//   - 0: allowed (eval), verified (verify), or success.
//   - 1: denied (eval: any fail or error finding), not verified (verify).
//   - 2: hubgate could not evaluate: bad flags, a registry or policy that fails
//     to load, an unknown repo, an unreadable file named on the command line.
package cli
