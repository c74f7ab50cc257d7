package cli

import (
	"io"

	"github.com/cicd-hub/hubgate/adapters/report"
)

// checkColor validates --color.
func (a *app) checkColor() error {
	switch a.color {
	case "", "auto", "always", "never":
		return nil
	}
	return usageErr("--color %q: want auto, always or never", a.color)
}

// useColor decides colour for w: --color always and never decide; auto
// colours a terminal unless NO_COLOR is set or TERM is dumb. Colour only
// ever goes to standard output, never into a report file.
func (a *app) useColor(w io.Writer) bool {
	switch a.color {
	case "always":
		return true
	case "never":
		return false
	}
	return report.UseColor(w, a.getenv)
}
