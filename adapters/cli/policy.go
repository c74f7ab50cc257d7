package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
)

func (a *app) newPolicyCmd() *cobra.Command {
	c := &cobra.Command{Use: "policy", Short: "Test the Rego rules and list the rule catalogue"}
	test := a.newPolicyTestCmd()

	var registryPath string
	var policyDirs []string
	var asJSON, asMarkdown bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Print the rule catalogue: id, severity, title, source",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := engine.New(a.ctx, engineOptions(registryPath, policyDirs)...)
			if err != nil {
				return usageErr("%v", err)
			}
			rules := eng.Rules()
			if asMarkdown {
				return report.RuleCatalogue(a.stdout, rules)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rules)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RULE\tSEVERITY\tTITLE\tSOURCE")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Title, r.Source)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&registryPath, "registry", "", "registry file or directory (default: embedded)")
	list.Flags().StringArrayVar(&policyDirs, "policy", nil, "a directory of extra Rego rules (repeatable)")
	list.Flags().BoolVar(&asJSON, "json", false, "print the catalogue as JSON")
	list.Flags().BoolVar(&asMarkdown, "markdown", false, "print the catalogue as Markdown (rego/README.md)")
	c.AddCommand(test, list)
	return c
}
