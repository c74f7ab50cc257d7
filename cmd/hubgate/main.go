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
)

// oneShotGC is the collector's setting for a command that judges and exits:
// a heap grows to five times what is live before a collection (GOGC=400),
// within a soft limit of oneShotMemoryLimit. A 10k-component release is
// then judged with a fraction of the collections at the default setting.
// GOGC or GOMEMLIMIT in the environment win; the servers (`... serve`) keep
// Go's defaults, as they run for long.
const (
	oneShotGC          = 400
	oneShotMemoryLimit = 768 << 20
)

func main() {
	if !slices.Contains(os.Args[1:], "serve") {
		if _, set := os.LookupEnv("GOGC"); !set {
			debug.SetGCPercent(oneShotGC)
		}
		if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
			debug.SetMemoryLimit(oneShotMemoryLimit)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
