// Command tdkt is the commendation dossier engine in one binary: the HTTP API,
// the Temporal worker, database migrations, development tokens, and `dev`,
// which runs the whole system on a developer's machine.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:   "tdkt",
		Short: "Workflow engine for commendation dossiers (hồ sơ thi đua, khen thưởng)",
		// Errors are printed once, as one line, by main; usage only for
		// mistakes on the command line (see flagErrors).
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see `%s --help`)", err, c.CommandPath())
	})
	root.AddCommand(apiCmd(), workerCmd(), migrateCmd(), tokenCmd(), devCmd(), benchCmd(), reprojectCmd(), deploymentCmd())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		// One line on stderr, exit 1: a missing prerequisite is a message
		// saying what to do, not a stack trace.
		fmt.Fprintln(os.Stderr, "tdkt: "+strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
}

// newLogger is JSON for the services (api, worker: read by machines) and
// text for dev (read by a person).
func newLogger(json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if json {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
