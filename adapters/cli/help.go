package cli

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// valueNames names the value of each flag in help, as CLI.md writes it
// (--repo OWNER/NAME, not --repo string). A flag not listed gets a name from
// its type. Booleans take no value and show none.
var valueNames = map[string]string{
	"addr":                           "HOST:PORT",
	"algorithm":                      "ALG",
	"artifact":                       "FILE",
	"attempt":                        "ID",
	"builder-id":                     "ID",
	"bundle":                         "FILE",
	"cache-dir":                      "DIR",
	"cache-manifest":                 "FILE",
	"cache-signature":                "FILE",
	"cache-size":                     "N",
	"certificate-identity":           "ID",
	"certificate-identity-regexp":    "RE",
	"certificate-oidc-issuer":        "ISSUER",
	"certificate-oidc-issuer-regexp": "RE",
	"checksums":                      "FILE",
	"color":                          "WHEN",
	"decision":                       "FILE",
	"decision-log":                   "FILE",
	"determinism-diffoscope":         "FILE",
	"determinism-original":           "FILE",
	"determinism-original-time":      "RFC3339",
	"determinism-previous":           "FILE",
	"determinism-rebuild":            "FILE",
	"determinism-rebuild-time":       "RFC3339",
	"determinism-report":             "FILE",
	"digest":                         "sha256:HEX",
	"dir":                            "DIR",
	"drill":                          "FILE",
	"drill-report":                   "FILE",
	"egress":                         "FILE",
	"evidence-dir":                   "DIR",
	"evidence-manifest":              "FILE",
	"fail-on":                        "warn|fail",
	"failure-policy":                 "closed|open",
	"file":                           "FILE|DIR",
	"format":                         "FORMAT",
	"image":                          "REF@sha256:HEX",
	"job":                            "ID",
	"key":                            "PEM",
	"kind":                           "KIND",
	"max-body-bytes":                 "BYTES",
	"max-file-size":                  "BYTES",
	"name":                           "NAME",
	"namespace":                      "NAMESPACE",
	"now":                            "RFC3339",
	"out":                            "PREFIX",
	"output":                         "FORMAT[=PATH]",
	"pipeline-run":                   "FILE",
	"policy":                         "DIR",
	"provenance":                     "FILE",
	"redis":                          "ADDR",
	"referrers":                      "FILE",
	"registry":                       "PATH",
	"registry-config":                "FILE",
	"repo":                           "OWNER/NAME",
	"run":                            "REGEX",
	"run-id":                         "ID",
	"runs-on":                        "LABEL",
	"sbom":                           "FILE",
	"secret-scope":                   "SCOPE",
	"sign-key":                       "KEY.pem",
	"signature":                      "FILE",
	"source-branch":                  "BRANCH",
	"source-tag":                     "TAG",
	"source-uri":                     "github.com/OWNER/REPO",
	"subject":                        "FILE",
	"subject-digest":                 "NAME=sha256:HEX",
	"timeout":                        "DURATION",
	"tls-cert":                       "FILE",
	"tls-key":                        "FILE",
	"trusted-root":                   "FILE",
	"validity":                       "DURATION",
	"vex":                            "FILE",
	"vex-max-age":                    "DURATION",
	"vsa":                            "FILE",
	"vsa-dir":                        "DIR",
	"vsa-key":                        "PEM",
	"vsa-out":                        "FILE",
	"vsa-source":                     "dir|registry",
	"vulns":                          "FILE",
	"workflow":                       "FILE",
	"workflows":                      "DIR",
}

// valueName is what help shows after --name: the table's name, else one
// made from the flag's type; "" for booleans.
func valueName(f *pflag.Flag) string {
	t := f.Value.Type()
	if t == "bool" {
		return ""
	}
	if n, ok := valueNames[f.Name]; ok {
		return n
	}
	switch t {
	case "int", "int64", "uint", "uint64":
		return "N"
	case "duration":
		return "DURATION"
	}
	return "VALUE"
}

// flagUsages renders a flag set for help: "-o, --output FORMAT[=PATH]" and
// the usage text, aligned on visible runes. Unlike pflag's FlagUsages it
// never takes back-quoted usage text for the value name and never writes
// --flag[=true|false] for booleans.
func flagUsages(fs *pflag.FlagSet) string {
	type line struct{ left, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		if v := valueName(f); v != "" {
			left += " " + v
		}
		usage := f.Usage
		if f.Deprecated != "" {
			usage += " (deprecated: " + f.Deprecated + ")"
		}
		if d := shownDefault(f); d != "" {
			usage += " (default " + d + ")"
		}
		lines = append(lines, line{left, usage})
		width = max(width, utf8.RuneCountInString(left))
	})
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s%s   %s\n", l.left, strings.Repeat(" ", width-utf8.RuneCountInString(l.left)), l.usage)
	}
	return b.String()
}

// shownDefault is the default worth printing: none for empty, false, zero
// or empty lists.
func shownDefault(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]", "0s":
		return ""
	}
	if f.Value.Type() == "string" {
		return fmt.Sprintf("%q", f.DefValue)
	}
	return f.DefValue
}

// usageTemplate is cobra's default usage template with flagUsages in place
// of pflag's FlagUsages.
const usageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Available Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{flagUsages .LocalFlags | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{flagUsages .InheritedFlags | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`

var addTemplateFunc sync.Once

// setHelp installs the usage template on the root; subcommands inherit it.
func setHelp(root *cobra.Command) {
	// Template functions are process-global in cobra; this one is pure.
	addTemplateFunc.Do(func() { cobra.AddTemplateFunc("flagUsages", flagUsages) })
	root.SetUsageTemplate(usageTemplate)
}
