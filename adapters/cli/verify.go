package cli

import "github.com/spf13/cobra"

func (a *app) newVerifyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "verify",
		Short: "Verify one kind of evidence on its own, for debugging",
	}
	c.AddCommand(a.newVerifySignatureCmd(), a.newVerifyProvenanceCmd(), a.newVerifyVEXCmd(), a.newVerifyVSACmd())
	return c
}
