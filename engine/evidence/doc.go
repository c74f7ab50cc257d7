// Package evidence is the collector contract every evidence kind implements,
// and the environment a collector runs in.
//
// A kind is one package under engine/evidence/<kind>/: it parses and
// verifies its files and reports typed facts through a [Collector]. The
// engine runs every kind's collector once per evaluation, each with its own
// [Env], and turns the facts into the Rego input (input.<kind>).
//
// # Goals
//
//   - One way to read evidence: [Env.ReadFile] bounds the size, records the
//     file's sha256 among the decision's inputs, and reads each file once
//     per evaluation whichever kinds ask for it (the per-eval [Cache]).
//   - Facts, never judgements: a collector reports what it verified and
//     what it could not read ([Problem]); Rego decides pass or fail.
//   - Fail closed: bad evidence is a Problem naming the file and field,
//     never an error and never a panic.
//
// # Non-goals
//
// Judging evidence (rego/), loading the registry (engine/registry),
// evaluating policy (engine).
package evidence
