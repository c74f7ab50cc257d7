package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/policy"
)

// registerCompletions adds value completion to the flags whose values are a
// closed set or come from the registry: -o formats, --repo from the
// registry (--registry when given, else the embedded one), --fail-on,
// --color, and evidence kinds. Shell scripts come from cobra's own
// "hubgate completion bash|zsh|fish|powershell".
func registerCompletions(root *cobra.Command) {
	fixed := func(vals ...string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		fl := c.LocalNonPersistentFlags()
		if fl.Lookup("output") != nil && (c.Name() == "eval" || c.Name() == "test" && c.Parent().Name() == "admission") {
			_ = c.RegisterFlagCompletionFunc("output", func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
				if strings.Contains(typed, "=") {
					// after FORMAT=, complete a file name
					return nil, cobra.ShellCompDirectiveDefault
				}
				return report.Formats(), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
			})
		}
		if fl.Lookup("repo") != nil {
			_ = c.RegisterFlagCompletionFunc("repo", completeRepos)
		}
		if fl.Lookup("fail-on") != nil {
			_ = c.RegisterFlagCompletionFunc("fail-on", fixed("warn", "fail"))
		}
		if fl.Lookup("kind") != nil {
			kinds := []string{}
			for _, k := range policy.Kinds() {
				kinds = append(kinds, string(k))
			}
			_ = c.RegisterFlagCompletionFunc("kind", fixed(kinds...))
		}
	}
	walk(root)
	_ = root.RegisterFlagCompletionFunc("color", fixed("auto", "always", "never"))
}

// completeRepos lists the registry's repositories that start with what was
// typed.
func completeRepos(c *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
	path := ""
	if f := c.Flags().Lookup("registry"); f != nil {
		path = f.Value.String()
	}
	r, err := loadRegistry(path)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, n := range r.Names() {
		if strings.HasPrefix(n, typed) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
