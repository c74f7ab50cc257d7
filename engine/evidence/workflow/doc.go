// Package workflow reads GitHub Actions workflow files and records, with the
// file and line of each, the facts a release gate needs about the pipeline
// that built the release:
//
//   - every "uses:" reference, at job level (reusable workflows) and in steps,
//     and whether it is pinned to a full 40-hex commit SHA (local "./"
//     references and "docker://…@sha256:" images count as pinned);
//   - every trigger, in each form "on:" takes (a string, a list, a map), so a
//     pull_request_target trigger is never missed;
//   - env and with entries whose key looks like a secret and whose value
//     holds literal text rather than a ${{ secrets.* }} or ${{ vars.* }}
//     expression;
//   - ${{ github.event.* }}, ${{ github.head_ref }} and ${{ inputs.* }}
//     expressions expanded inside run: scripts (and actions/github-script's
//     script input), where they become shell or JavaScript injection.
//
// Files are parsed with gopkg.in/yaml.v3's Node API so every fact keeps its
// line. Aliases are resolved where a field is read, never expanded into
// copies, and a node budget ([MaxNodes], [ErrTooManyNodes]) bounds the walk,
// so an alias bomb costs what its text costs.
//
// # Non-goals
//
// It does not judge (the Rego package hub.workflow does), fetch actions, or
// evaluate expressions.
package workflow
