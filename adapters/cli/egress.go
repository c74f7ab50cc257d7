package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine"
)

func (a *app) newEgressCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "egress",
		Short: "Work with egress reports",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr("egress: missing subcommand (suggest)")
		},
	}
	cmd.AddCommand(a.newEgressSuggestCmd())
	return cmd
}

func (a *app) newEgressSuggestCmd() *cobra.Command {
	var hostsOnly bool
	cmd := &cobra.Command{
		Use:   "suggest REPORT...",
		Short: "Derive the minimal egress allowlist from audit-mode egress reports or Squid logs, as CUE",
		Long: `Reads egress-report.json files or Squid access.logs recorded in audit mode and prints
the smallest registry allowlist that covers every attempted host, as CUE ready to paste:
one "host:port" entry per distinct host and port (or one "host" entry per host with
--hosts-only), normalised (lower case, punycode), sorted and deduplicated.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkInputs("egress suggest", inFiles("", args)...); err != nil {
				return err
			}
			reports := make([]*engine.EgressReport, 0, len(args))
			for _, p := range args {
				b, err := readBounded(p, engine.DefaultMaxFileSize)
				if err != nil {
					return usageErr("egress suggest: %v", err)
				}
				r, err := engine.ParseEgressReport(b)
				if err != nil {
					return usageErr("egress suggest: %s: %v", p, err)
				}
				for _, pr := range r.Problems {
					where := pr.Path
					if pr.Line > 0 {
						where = fmt.Sprintf("line %d", pr.Line)
					}
					fmt.Fprintf(a.stderr, "hubgate: egress suggest: %s: %s: %s (skipped)\n", p, where, pr.Message)
				}
				if !r.HasAttempts {
					fmt.Fprintf(a.stderr, "hubgate: egress suggest: %s has no per-attempt records\n", p)
				}
				reports = append(reports, r)
			}
			s := engine.SuggestEgress(reports, !hostsOnly)
			_, err := io.WriteString(a.stdout, s.CUE())
			return err
		},
	}
	cmd.Flags().BoolVar(&hostsOnly, "hosts-only", false, "one entry per host, allowing any port")
	return cmd
}
