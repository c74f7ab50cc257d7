package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/engine"
)

func (a *app) newPolicyCmd() *cobra.Command {
	c := &cobra.Command{Use: "policy", Short: "Test the Rego rules and list the rule catalogue"}
	var noBuiltin bool
	test := &cobra.Command{
		Use:   "test [DIR]...",
		Short: "Run the Rego unit tests (*_test.rego) of the built-in pack and of each DIR",
		RunE: func(cmd *cobra.Command, args []string) error {
			var srcs []engine.PolicySource
			for _, d := range args {
				st, err := os.Stat(d)
				if err != nil || !st.IsDir() {
					return usageErr("policy test: %s is not a directory", d)
				}
				srcs = append(srcs, engine.PolicySource{Name: filepath.ToSlash(filepath.Clean(d)), FS: os.DirFS(d)})
			}
			res, err := engine.TestPolicy(a.ctx, !noBuiltin, srcs...)
			if err != nil {
				return usageErr("policy test: %v", err)
			}
			failed := 0
			for _, r := range res {
				status := "PASS"
				if !r.Pass {
					status = "FAIL"
					failed++
				}
				fmt.Fprintf(a.stdout, "%s %s.%s (%s)", status, r.Package, r.Name, r.Location)
				if r.Error != "" {
					fmt.Fprintf(a.stdout, ": %s", r.Error)
				}
				fmt.Fprintln(a.stdout)
			}
			fmt.Fprintf(a.stdout, "%d passed, %d failed\n", len(res)-failed, failed)
			if failed > 0 {
				return exitCode(ExitDenied, nil)
			}
			if len(res) == 0 {
				return exitCode(ExitDenied, errors.New("policy test: no tests found"))
			}
			return nil
		},
	}
	test.Flags().BoolVar(&noBuiltin, "no-builtin", false, "test only the given directories, without the built-in pack")

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
