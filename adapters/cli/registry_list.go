package cli

import (
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"
)

// registryListEntry is one line of registry list --json.
type registryListEntry struct {
	Repo    string   `json:"repo"`
	Team    string   `json:"team,omitempty"`
	Require []string `json:"require"`
}

func (a *app) newRegistryListCmd() *cobra.Command {
	var path string
	var asJSON bool
	c := &cobra.Command{
		Use:   "list [--registry PATH] [--json]",
		Short: "List the registry's repositories: name, team, required evidence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkInputs("registry list", inAny("registry", path)); err != nil {
				return err
			}
			r, err := loadRegistry(path)
			if err != nil {
				return err
			}
			entries := []registryListEntry{}
			for _, n := range r.Names() {
				rp, err := r.Repo(n)
				if err != nil {
					return exitCode(ExitUsage, err)
				}
				e := registryListEntry{Repo: n, Team: rp.Team, Require: []string{}}
				for _, k := range rp.Require {
					e.Require = append(e.Require, string(k))
				}
				entries = append(entries, e)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(entries); err != nil {
					return usageErr("registry list: write standard output: %v", err)
				}
				return nil
			}
			t := [][]string{{"REPO", "TEAM", "REQUIRE"}}
			for _, e := range entries {
				team := e.Team
				if team == "" {
					team = "-"
				}
				t = append(t, []string{e.Repo, team, strings.Join(e.Require, ",")})
			}
			if err := writeColumns(a.stdout, t); err != nil {
				return usageErr("registry list: write standard output: %v", err)
			}
			return nil
		},
	}
	c.Flags().StringVar(&path, "registry", "", "CUE, YAML or JSON file or folder (default: embedded)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	return c
}
