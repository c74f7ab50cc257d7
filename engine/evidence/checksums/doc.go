// Package checksums is the checksums evidence kind: it merges every given
// checksum list (parsed by engine/evidence/checksum, shared with the kinds
// that read sha256sum output) and compares each subject's computed digests
// with the entries listed for it, into input.checksums. rego/checksums.rego
// judges the facts; cue/section_core.cue holds no setting of its own.
package checksums
