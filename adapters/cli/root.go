package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	ExitOK     = 0
	ExitDenied = 1
	ExitUsage  = 2
)

// exitError carries an exit code out of a command. A command returns
// exitCode(ExitDenied, nil) to deny without printing an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitCode wraps err with an exit code. err may be nil.
func exitCode(code int, err error) error { return &exitError{code: code, err: err} }

// usageErr is an exit-2 error: bad flags, unloadable registry or policy.
func usageErr(format string, args ...any) error {
	return exitCode(ExitUsage, fmt.Errorf(format, args...))
}

// app is what every command shares: its streams and its environment.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// getenv reads the environment; tests replace it.
	getenv func(string) string
	// color is --color: auto, always or never.
	color string
}

// Main runs hubgate with args (without the program name) and returns the exit
// code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return a.run(args)
}

func (a *app) run(args []string) int {
	root := a.newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(a.ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(a.stderr, "hubgate: %v\n", ee.err)
		}
		return ee.code
	}
	// cobra's own errors: unknown flags, wrong argument counts.
	fmt.Fprintf(a.stderr, "hubgate: %s\n", foldCobraError(err.Error()))
	return ExitUsage
}

func (a *app) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "hubgate",
		Short:         "Judge a release's supply-chain evidence against its repository's policy",
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version prints what "hubgate version" prints.
		Version: versionString(buildInfo()),
	}
	root.SetVersionTemplate("hubgate {{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "print the version and build information (as hubgate version does)")
	root.PersistentFlags().StringVar(&a.color, "color", "auto", "colour the text report: auto (a terminal without NO_COLOR), always or never")
	root.SetFlagErrorFunc(flagErrorWithSuggestion)
	setHelp(root)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.AddCommand(
		a.newEvalCmd(),
		a.newRegistryCmd(),
		a.newPolicyCmd(),
		a.newVersionCmd(),
	)
	for _, c := range a.extraCmds() {
		root.AddCommand(c)
	}
	groupsRejectUnknown(root)
	registerCompletions(root)
	return root
}
