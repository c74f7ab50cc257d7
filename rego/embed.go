// Package rego holds hubgate's built-in policy pack: one Rego package per
// evidence kind (hub.<kind>), the shared helpers in hub.lib, and the unit tests
// beside them (*_test.rego). The engine's loader compiles [FS]; nothing else
// imports this package. Its name collides with OPA's rego package, so the
// engine imports it as hubrego.
package rego

import "embed"

// FS holds every .rego file of the built-in pack, tests included.
//
//go:embed *.rego
var FS embed.FS
