package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at link time with -ldflags "-X github.com/cicd-hub/hubgate/adapters/cli.Version=v1.2.3";
// otherwise the module version from the build info is printed.
var Version = ""

// BuildInfo is what hubgate version --json prints. Its keys are a contract.
type BuildInfo struct {
	Version     string `json:"version"`
	Module      string `json:"module"`
	VCSRevision string `json:"vcsRevision"`
	VCSTime     string `json:"vcsTime"`
	VCSModified bool   `json:"vcsModified"`
	GoVersion   string `json:"goVersion"`
	Platform    string `json:"platform"`
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// buildInfo gathers the version, the VCS stamp Go writes into binaries
// built from a checkout, the Go version and the platform.
func buildInfo() BuildInfo {
	b := BuildInfo{Version: Version, Module: "github.com/cicd-hub/hubgate", GoVersion: runtime.Version(), Platform: platform()}
	bi, ok := readBuildInfo()
	if ok {
		if bi.Main.Path != "" {
			b.Module = bi.Main.Path
		}
		if b.Version == "" {
			b.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			b.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.VCSRevision = s.Value
			case "vcs.time":
				b.VCSTime = s.Value
			case "vcs.modified":
				b.VCSModified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	return b
}

// versionString is the one-line form: "v1.2.3 (rev abc123def456, 2026-11-28T00:00:00Z, modified) go1.26 linux/amd64".
func versionString(b BuildInfo) string {
	s := b.Version
	if b.VCSRevision != "" {
		rev := b.VCSRevision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " (rev " + rev
		if b.VCSTime != "" {
			s += ", " + b.VCSTime
		}
		if b.VCSModified {
			s += ", modified"
		}
		s += ")"
	}
	return s + " " + b.GoVersion + " " + b.Platform
}

func (a *app) newVersionCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the hubgate version and build information",
		Long: `Print the hubgate version, the VCS revision and time it was built from, the Go
version and the platform. --json prints the same as an object with the keys
version, module, vcsRevision, vcsTime, vcsModified, goVersion and platform.
hubgate --version prints the one-line form.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := buildInfo()
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(b); err != nil {
					return usageErr("version: write standard output: %v", err)
				}
				return nil
			}
			if _, err := fmt.Fprintf(a.stdout, "hubgate %s\n", versionString(b)); err != nil {
				return usageErr("version: write standard output: %v", err)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the build information as JSON")
	return c
}

func platform() string { return runtime.GOOS + "/" + runtime.GOARCH }
