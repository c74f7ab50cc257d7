# Drill: the disaster-recovery backup is intact and recent, and a recent
# drill restored it fast enough.
package hub.drill

import data.hub.lib

# METADATA
# title: DR drill evidence is present
# description: The registry requires disaster-recovery drill evidence for this repository, and none was given.
# custom:
#   severity: high
#   remediation: Pass the DR manifest.json with --drill and the last drill's dr-report.json with --drill-report.
present contains f if {
	f := lib.missing("drill")
}

# METADATA
# title: The DR drill evidence is readable
# description: The DR manifest, its backup or a drill report could not be read, or a required field is missing.
# custom:
#   severity: high
#   outcome: error
#   remediation: Fix the file and field named in the finding.
evidence contains f if {
	some f in lib.problems("drill")
}

# METADATA
# title: The backup matches its manifest
# description: The sha256 of the backup's bytes differs from the one the DR manifest records.
# custom:
#   severity: critical
#   remediation: The backup changed after the manifest was written; take a new backup and manifest, and find out what altered the old one.
backup_digest contains f if {
	b := input.drill.backup
	b != null
	not b.match
	f := {
		"message": sprintf("the backup %s has sha256 %s, the manifest says %s", [b.path, b.actual, b.expected]),
		"evidence": input.drill.manifest,
		"path": "backup.sha256",
		"target": b.path,
		"expected": sprintf("sha256:%s", [b.expected]),
		"actual": sprintf("sha256:%s", [b.actual]),
	}
}

# METADATA
# title: The backup is recent enough (RPO)
# description: The backup is older, at evaluation time, than the registry's drill.max_rpo allows. The manifest's own policies are never used.
# custom:
#   severity: high
#   remediation: Take a new backup; data written since the last one would be lost in a disaster.
rpo contains f if {
	input.drill.captured_at != ""
	input.drill.rpo_minutes > input.drill.max_rpo_minutes
	f := {
		"message": sprintf("the backup captured at %s is %v minutes old at %s, more than the registry's drill.max_rpo %s (%v minutes)", [input.drill.captured_at, input.drill.rpo_minutes, input.now, input.drill.max_rpo, input.drill.max_rpo_minutes]),
		"evidence": input.drill.manifest,
		"path": "backup.captured_at",
		"target": "rpo",
		"expected": sprintf("<= %v minutes", [input.drill.max_rpo_minutes]),
		"actual": sprintf("%v minutes", [input.drill.rpo_minutes]),
	}
}

# METADATA
# title: The drill restored fast enough (RTO)
# description: A drill took longer to restore than the registry's drill.max_rto allows. The manifest's own policies are never used.
# custom:
#   severity: high
#   remediation: Make the restore faster, or revisit the recovery-time objective with its owner.
rto contains f if {
	some r in input.drill.reports
	r.rto_seconds > input.drill.max_rto_seconds
	f := {
		"message": sprintf("drill %s restored in %v s, more than the registry's drill.max_rto %s (%v s)", [r.run_id, r.rto_seconds, input.drill.max_rto, input.drill.max_rto_seconds]),
		"evidence": r.file,
		"path": "metrics.rto_seconds",
		"target": r.run_id,
		"expected": sprintf("<= %v s", [input.drill.max_rto_seconds]),
		"actual": sprintf("%v s", [r.rto_seconds]),
	}
}

# A successful drill: its report says so, it restored the manifest's backup,
# and within the RTO.
successful(r) if {
	r.successful
	r.same_backup
	r.rto_seconds <= input.drill.max_rto_seconds
}

fresh_success if {
	some r in input.drill.reports
	successful(r)
	r.age_seconds <= input.drill.max_age_seconds
}

# METADATA
# title: A recent drill succeeded
# description: No successful drill of this backup ended within the registry's drill.max_age.
# custom:
#   severity: high
#   remediation: Run the DR drill (restore the backup, measure RTO) and pass its dr-report.json with --drill-report.
stale contains f if {
	input.drill.present
	not fresh_success
	f := {
		"message": sprintf("no successful drill of the backup ended within %s of %s (%s)", [input.drill.max_age, input.now, stale_detail]),
		"evidence": object.get(input.drill, "manifest", ""),
		"target": "drill",
		"expected": sprintf("a successful drill no older than %s", [input.drill.max_age]),
		"actual": stale_detail,
	}
}

stale_detail := "no drill report" if {
	count(input.drill.reports) == 0
} else := concat("; ", [sprintf("%s ended %s: %s", [r.run_id, r.ended_at, why(r)]) | some r in input.drill.reports])

why(r) := "its status is not a success" if {
	not r.successful
} else := "it restored another backup" if {
	not r.same_backup
} else := "RTO over the limit" if {
	not successful(r)
} else := sprintf("%.1f days old", [r.age_seconds / 86400])

# METADATA
# title: The DR drill evidence is signed
# description: The registry's drill.require_signed makes the DR manifest and each drill report count only when a sigstore bundle beside each (FILE.sigstore.json or FILE.bundle) verifies over its bytes and was signed by a trusted identity (provenance.identities, else this repository's release workflow at a release ref, as for every signed kind) or a registry key.
# custom:
#   severity: high
#   remediation: Sign manifest.json and dr-report.json in the workflow that wrote them (cosign sign-blob --bundle FILE.sigstore.json FILE) and ship each bundle beside its file.
signed contains f if {
	some s in input.drill.signing.reports
	f := unsigned(s)
}

# unsigned(s): see hub.determinism.
unsigned(s) := {
	"message": sprintf("%s is not signed: %s", [s.file, s.error]),
	"evidence": s.file,
	"target": s.file,
	"expected": sprintf("a bundle beside it (%s.sigstore.json) that verifies over its bytes", [s.file]),
	"actual": object.get({"": "no bundle"}, s.bundle, "a bundle that does not verify"),
} if {
	not s.verified
}

unsigned(s) := {
	"message": sprintf("%s was signed by %s (issuer %s), not by a trusted identity", [s.file, s.san, s.issuer]),
	"evidence": s.bundle,
	"target": s.file,
	"expected": lib.describe_identities,
	"actual": sprintf("%s / %s", [s.issuer, s.san]),
} if {
	s.verified
	not report_signer_ok(s)
}

# report_signer_ok(s): a registry key signed the report, or its certificate's
# signer and Fulcio claims match the registry's identities (the rule every
# signed kind shares, hub.lib.signer_ok).
report_signer_ok(s) if s.keyed

report_signer_ok(s) if {
	not s.keyed
	lib.signer_ok(s)
}
