// Package cue embeds hubgate's registry schema and org defaults, written in
// CUE (package hub): schema.cue (the layout and resolution), defaults.cue
// (the org defaults), one section_<name>.cue per gate, and hub_repos.cue (the
// hub's own repositories, converted from its config/repositories.yaml, used
// only by the default registry).
//
// Only engine/registry reads these files; import this package under an alias
// (cueschema), since its name collides with CUE's own.
package cue

import "embed"

// FS holds every .cue file of this folder.
//
//go:embed *.cue
var FS embed.FS
