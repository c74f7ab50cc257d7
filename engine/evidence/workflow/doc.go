// Package workflow reads GitHub Actions workflow files and records, with the
// file and line of each, the facts a release gate needs about the pipeline
// that built the release:
//
//   - every "uses:" reference, at job level (reusable workflows) and in steps,
//     and whether it is pinned: only a lower-case 40-hex commit SHA pins an
//     action (upper-case hex, 39 or 64 hex digits and tags do not), a
//     "docker://…@sha256:" image is pinned by digest, and a local "./" path
//     counts as pinned only while it stays in the repository ("./../x",
//     "./a/../../x" and ".\..\x" are refused as [Use.Outside]);
//   - every trigger, in each form "on:" takes (a string, a list, a map), so a
//     pull_request_target trigger is never missed;
//   - env and with entries whose key looks like a secret and whose value
//     holds literal text rather than a ${{ secrets.* }} or ${{ vars.* }}
//     expression;
//   - untrusted values expanded inside scripts ([Injection]), found by a
//     taint analysis described below.
//
// # Reading the YAML as GitHub does
//
// Files are parsed with gopkg.in/yaml.v3's Node API so every fact keeps its
// line. Aliases are resolved where a field is read, never expanded into
// copies, and merge keys ("<<: *anchor", "<<: [*a, *b]") are honoured: a
// mapping's own keys first, then each merged mapping's keys that no earlier
// source set, so a run: hidden in an anchor is judged like any other. A key
// twice in one mapping is an error. A node budget ([MaxNodes],
// [ErrTooManyNodes]) bounds every visit, merges and aliases included, so an
// alias bomb or a fan of merges costs what its text costs.
//
// # Taint analysis
//
// Every ${{ }} is parsed with actionlint's expression parser, so context
// names are case-insensitive (GITHUB.EVENT.issue.title), whitespace does not
// matter, index syntax (github['event']['issue']['title']) is a path like
// any other, and a "}}" inside a string literal does not end the expression.
// Following zizmor's template-injection audit, only what flows into the
// result counts: a comparison or negation yields a boolean, a && b yields b,
// a || b either side; format, join, toJSON and fromJSON carry their
// arguments, and so does a function hubgate does not know. An expression the
// parser refuses, or one longer than [MaxExpression], is untrusted.
//
// Sources: github (whole), github.event.* except the fields zizmor's
// capability table marks fixed (numbers, booleans, SHAs; fixed_contexts.txt
// records its origin), github.head_ref, and inputs.* or
// github.event.inputs.* unless every declaration types the input boolean or
// number.
//
// Propagation, each hop recorded in [Injection.Via]:
//   - env: workflow, job and step env entries whose value carries taint;
//     ${{ env.X }} resolves innermost first (step, $GITHUB_ENV writes, job,
//     workflow);
//   - step outputs: a step with an id whose run script carries taint (an
//     untrusted ${{ }}, or a shell reference $X, ${X}, $env:X or %X% to a
//     tainted env variable, $GITHUB_HEAD_REF or $GITHUB_EVENT_PATH) and writes
//     $GITHUB_OUTPUT (or ::set-output) taints all its outputs; so does a uses:
//     step with a tainted with: input, or an action known to pass untrusted
//     text through (actions/github-script, tj-actions/branch-names, …);
//   - $GITHUB_ENV: such a step that writes $GITHUB_ENV taints the NAME= and
//     NAME<< variables it names, for the later steps of the job;
//   - job outputs and needs.<job>.outputs.<name>: jobs are analysed after
//     the jobs they need; a reusable-workflow job's outputs are tainted when
//     any of its with: inputs is;
//   - matrix.*: tainted when any value of strategy.matrix is.
//
// Sinks: run: scripts, and the code inputs of actions/github-script
// (script), amadevus/pwsh-script, jannekem/run-python-script-action,
// cardinalby/js-eval-action and addnab/docker-run-action.
//
// Not followed: a script reading a tainted variable by name ("$TITLE") is
// the recommended pattern, so it is no finding by itself (it only taints
// what the script writes to $GITHUB_OUTPUT or $GITHUB_ENV); the called file
// of a reusable workflow or a composite action is not read; which output a
// step writes is not told apart (all its outputs are tainted); github.ref_name
// and other github.* fields outside event and head_ref are trusted, where
// zizmor flags them too, because only someone who can push names them.
//
// # Non-goals
//
// It does not judge (the Rego package hub.workflow does), fetch actions, or
// evaluate expressions.
package workflow
