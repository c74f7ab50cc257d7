// Package jobs is hubgate's job admission: "may this CI job start now?",
// with state that any number of replicas share through Redis.
//
// # The decision
//
// [Admitter.Admit] first asks the engine ([engine.Engine.EvaluateJob]) for
// the stateless rules (rego/job.rego: the repo is enabled, the runner is
// allowed and matches the workflow's entry, the timeout is within
// build_timeout, the secret scope is the repo's own, cancel-in-progress is
// set where required). Only when they allow the job does it run the
// stateful limits in Redis: concurrency per repo (limits.max_parallel_jobs),
// per workflow (jobs.workflows.<w>.max_in_progress runs) and per job
// (max_parallel), then the repo's token bucket (limits.rate). A denial by a
// limit is a job.limit_* finding naming the limit, its value, the current
// use and when a slot or token is expected.
//
// # The state
//
// Each decision is one Lua script (admit.lua, heartbeat.lua, release.lua),
// atomic on the server: nothing is read in Go and written back. Every key
// lives under the hash tag {jobs}, so the scripts run on one Redis or one
// Cluster slot. An admitted attempt holds a lease with the repo's
// jobs.lease_ttl; a heartbeat renews it, a release frees it at once, and a
// crashed job's slot is freed when its lease expires. Admit is idempotent by
// attempt id: a retried admit returns the live lease and takes no second
// slot. Time is Redis TIME ([WithClock] injects a clock in tests).
//
// # Failure
//
// When Redis cannot be reached the job is denied (a job.state error
// finding with Redis's message), unless the repo's registry sets
// jobs.fail_open, in which case it is admitted without limits and the
// decision records it (fail_open, a job.state warning).
//
// # Non-goals
//
// No queue: a denied job is retried by its dispatcher, at or after the
// expected time the denial names. No Redis operator: Redis is an external
// address (deploy/).
package jobs
