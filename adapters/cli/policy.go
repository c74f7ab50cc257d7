package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/policy"
)

func (a *app) newPolicyCmd() *cobra.Command {
	c := &cobra.Command{Use: "policy", Short: "Test the Rego rules and list the rule catalogue"}
	test := a.newPolicyTestCmd()

	var registryPath string
	var policyDirs []string
	var asJSON, asMarkdown bool
	var kind string
	list := &cobra.Command{
		Use:   "list",
		Short: "Print the rule catalogue: id, severity, title, source",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ins := []input{inAny("registry", registryPath)}
			for _, d := range policyDirs {
				ins = append(ins, inDir("policy", d))
			}
			if err := checkInputs("policy list", ins...); err != nil {
				return err
			}
			eng, err := engine.New(a.ctx, engineOptions(registryPath, policyDirs)...)
			if err != nil {
				return usageErr("%v", err)
			}
			rules := eng.Rules()
			if kind != "" {
				var kept []policy.RuleInfo
				var kinds []string
				for _, r := range rules {
					if string(r.Kind) == kind {
						kept = append(kept, r)
					}
					if !slices.Contains(kinds, string(r.Kind)) {
						kinds = append(kinds, string(r.Kind))
					}
				}
				if len(kept) == 0 {
					return usageErr("policy list: --kind %q: no rules of that kind%s", kind, didYouMean(kind, kinds))
				}
				rules = kept
			}
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
	list.Flags().StringVar(&kind, "kind", "", "only the rules of this evidence kind (checksums, sbom, …)")
	list.Flags().BoolVar(&asMarkdown, "markdown", false, "print the catalogue as Markdown (rego/README.md)")
	c.AddCommand(test, list)
	return c
}
