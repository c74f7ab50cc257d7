// Command hubgate judges a release's supply-chain evidence against its
// repository's policy. See the README for every command and exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"syscall"

	"github.com/cicd-hub/hubgate/adapters/cli"
	"github.com/cicd-hub/hubgate/cmd/hubgate/internal/gcpercent"
)

// oneShotMemoryLimit is the soft memory limit of a command that judges and
// exits: internal/gcpercent lets a heap grow to five times what is live
// before a collection (GOGC=400, from the first package initialised), and
// this limit bounds it. A 10k-component release is then judged with a
// fraction of the collections at Go's default. GOGC or GOMEMLIMIT in the
// environment win; the servers (`... serve`) get Go's defaults back, as
// they run for long.
const oneShotMemoryLimit = 768 << 20

func main() {
	if slices.Contains(os.Args[1:], "serve") {
		if gcpercent.Raised {
			debug.SetGCPercent(gcpercent.Default)
		}
	} else if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(oneShotMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
