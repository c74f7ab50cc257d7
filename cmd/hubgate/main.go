// Command hubgate judges a release's supply-chain evidence against its
// repository's policy. See the README for every command and exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cicd-hub/hubgate/adapters/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
