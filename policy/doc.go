// Package policy is hubgate's vocabulary: the [Decision] that the engine
// returns, the [Finding]s it is made of, their [Outcome] and [Severity], the
// [Subject]s a release ships, the evidence kinds ([EvidenceKind]), the rule
// catalogue entries ([RuleInfo]) and [Waiver]s.
//
// Every adapter and every caller imports this package, so it depends on the
// standard library alone: no OPA, CUE or sigstore types leak through it.
//
// # Goals
//
//   - Typed outcomes. [Outcome] and [Severity] are small integers with text
//     marshalling. Their zero values are "unknown", and an unknown outcome is
//     never allowed.
//   - A versioned, pinned wire format. A [Decision] marshals with
//     [DecisionMediaType]; its keys are pinned by a test.
//   - Order by construction. The engine appends findings in a fixed order, so
//     the same inputs give byte-identical JSON.
//
// # Non-goals
//
// Rendering (see adapters/report), evaluation (see engine) and display flags:
// nothing here knows about terminals or colours.
package policy
