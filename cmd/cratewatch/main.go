// Command cratewatch is the single binary of the cratewatch supply-chain security platform.
// It holds subcommands only; the logic lives in the importable packages of the module.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

var rootCmd = &cobra.Command{
	Use:   "cratewatch",
	Short: "Supply-chain security for Cargo registries",
	Long: `cratewatch watches a Cargo registry (crates.io or any registry speaking the same protocol)
and answers, from source and statically: is a new crate a typosquat, is a version malicious,
and which crates really call a vulnerable function.`,
	Version:       version,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rootCmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "cratewatch:", err)
		stop()
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit code (for example a scan verdict) through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 1
}
