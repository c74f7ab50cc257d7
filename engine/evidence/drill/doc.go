// Package drill reads the hub's disaster-recovery drill evidence, the DR
// manifest.json and the drill's dr-report.json, into facts: whether the
// backup's bytes match the manifest's sha256, how old the backup is at
// evaluation time (the recovery point), how long the restore took (the
// recovery time) and when the last successful drill ended.
//
// # Goals
//
// Time comes from the caller ([Evaluate]'s now), never from the wall clock or
// from the report: the hub's old gate computed its RPO against a clock the
// drill itself supplied. The backup is hashed by streaming, and opened
// through an [os.Root] at the manifest's directory, so a backup.path that
// climbs out of it ("../..") or follows a symlink out is refused.
//
// No limit is read from the evidence: the manifest's policies
// (max_rpo_minutes, max_rto_seconds) are kept as written and never parsed
// as policy, because a release could raise them. The limits are the
// registry's drill.max_rpo and drill.max_rto.
//
// # Non-goals
//
// It does not run a drill or restore anything, and it judges nothing: the
// limits are compared in the Rego package hub.drill.
package drill
