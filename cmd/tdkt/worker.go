package main

import (
	"time"

	"github.com/spf13/cobra"

	"tdkt/worker"
)

func workerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker for dossier workflows and activities (TDKT_TASK_QUEUE)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			logger := newLogger(true)
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := dialTemporal(ctx, cfg, logger, nil, time.Minute)
			if err != nil {
				return err
			}
			defer c.Close()
			if err := worker.RegisterSearchAttributes(ctx, c, cfg.TemporalNamespace); err != nil {
				return err
			}
			w, err := worker.Start(c, st, cfg, logger)
			if err != nil {
				return err
			}
			<-ctx.Done()
			logger.Info("worker stopping; finishing running tasks")
			w.Stop()
			return nil
		},
	}
}
