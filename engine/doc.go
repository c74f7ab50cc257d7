// Package engine turns a release's evidence into one [policy.Decision].
//
// [New] loads the registry (engine/registry) and compiles the Rego policy pack
// (the embedded one in rego/, plus any user rules) once. [Engine.Evaluate]
// then judges one release:
//
//  1. it hashes the subjects by streaming;
//  2. it runs one collector per evidence kind (the table in collect.go; each
//     kind is one package engine/evidence/<kind>), each verifying its
//     evidence in Go into typed facts. Collectors share one per-eval cache
//     (each file read and each SBOM, VEX document and trusted root parsed
//     once) and run concurrently, except that vex waits for sbom and
//     vulnerabilities for both. Bad evidence is a problem in the facts,
//     never an error; once all have run, facts that are an
//     [evidence.InputBinder] (evidence_bundle) get each file the other
//     kinds read (path and the sha256 of the bytes read, from
//     [Env.ReadFile]), checked against the signed manifest;
//  3. it converts all facts into one Rego input value, once, and evaluates
//     every rule with a single prepared query. data.hub.repo is the repo's
//     resolved registry entry;
//  4. it applies the registry's waivers and folds the outcomes: the worst
//     wins, and the zero outcome never allows.
//
// [Engine.EvaluateKinds] is the same judgement on some kinds alone: what
// `hubgate verify <kind>` runs, so its verdicts are those of eval.
//
// [Engine.EvaluateAdmission] judges one Kubernetes admission object the same
// way: engine/admission collects facts about the object's images, referrer
// annotations, static secrets and workflow ConfigMaps; the rules of package
// hub.admission (rego/admission.rego, their own prepared query) judge them;
// the registry's admission.waivers apply at [AdmissionInput.Now]; the
// outcomes fold into one [policy.Decision]. The webhook and `hubgate
// admission test` map that decision to their responses.
//
// [Engine.EvaluateVSA] judges one verification summary for `hubgate verify
// vsa` by the hub.vsa rule (rego/vsa.rego, its own prepared query), which
// makes the judgement of the admission.vsa rule: hub.lib.vsa_problems
// (rego/lib_vsa.rego).
//
// # One judge
//
// Every pass/fail judgement is a Rego rule with METADATA: builder trust
// (hub.provenance), signer identity (one helper, hub.lib.signer_ok, for
// every signed kind), the admission rules (hub.admission), the claims of a
// verification summary (one helper, hub.lib.vsa_problems, for the webhook
// and verify vsa). Go verifies and
// reports facts; the only judgements in Go are the engine's rules about the
// decision itself (waiver.expired, decision.no_evidence,
// decision.unreported_problems, in waivers.go).
//
// # Goals
//
//   - Compile once, evaluate many: an Engine is immutable after New and safe
//     for concurrent use.
//   - Hermetic evaluation: the capabilities leave out http.send, net.*,
//     opa.runtime, time.now_ns and randomness; builtin errors are strict;
//     every evaluation has a deadline. Time comes from [Input.Now].
//   - Evidence is about this release and not from the future: each kind is
//     bound to the subjects (or, for drill, egress, cache and workflow, to
//     the repository's build), and any time a collector reads from evidence
//     (document, build, report and verified signing times) that is after
//     [Input.Now] is a problem naming the file and field ([evidence.Facts.FutureTime]).
//     The README's threat model lists each kind; binding_test.go tests it.
//   - Deterministic: the same Input gives byte-identical decision JSON.
//     Findings are ordered by construction: rules in catalogue order, and each
//     rule's findings by their content.
//   - Fail closed: a required kind that is missing, evidence that cannot be
//     read, a collector that panics, a rule that names a bad outcome: each is
//     a blocking finding.
//
// # Non-goals
//
// Rendering decisions (adapters/report), transports (adapters/...), and
// fetching anything over a network: every input is a local file.
//
// # Rules
//
// A rule is a partial set in a Rego package hub.<kind> with a METADATA block
// carrying custom.severity; its id is "<kind>.<name>". The rules of
// hub.admission judge admission objects and never a release. See
// CONTRIBUTING.md.
package engine
