package cli

import "github.com/spf13/cobra"

// extraCmds lists the commands beyond eval, registry, policy and version.
func (a *app) extraCmds() []*cobra.Command {
	return []*cobra.Command{
		a.newVerifyCmd(),
		a.newEgressCmd(),
		a.newKeygenCmd(),
		a.newWebhookCmd(),
		a.newReportCmd(),
		a.newAdmissionCmd(),
		a.newAttachCmd(),
		a.newJobCmd(),
	}
}
