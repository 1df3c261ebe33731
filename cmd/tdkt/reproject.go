package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"tdkt/reproject"
	"tdkt/store"
	"tdkt/worker"
)

func reprojectCmd() *cobra.Command {
	var dossier string
	cmd := &cobra.Command{
		Use:   "reproject [--dossier ID]",
		Short: "Rebuild the read model from Temporal (every dossier, or one), idempotently",
		Long: `reproject rebuilds the read model from Temporal: each dossier's view,
history, who voted, its decision and proposal numbers, and the id and number
counters, read from every run of every dossier workflow (running and closed
ones Temporal still retains). Run it after restoring an old backup of the
read model, after losing it (then "tdkt migrate up" first), or after a
workflow was reset. It changes nothing that is already right, so it may be
run again. Documents' bytes live only in the read model: restore them from a
backup.`,
		Args: cobra.NoArgs,
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
			if err := store.Migrate(ctx, st.DB.DB, "up"); err != nil {
				return err
			}
			dc, err := worker.DataConverter(cfg)
			if err != nil {
				return err
			}
			c, err := dialTemporal(ctx, cfg, logger, nil, time.Minute)
			if err != nil {
				return err
			}
			defer c.Close()
			rep, err := reproject.Run(ctx, reproject.Options{Client: c, DataConverter: dc, Store: st,
				Namespace: cfg.TemporalNamespace, Dossier: dossier, Logger: logger})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reprojected %d dossiers (%d runs, %d projections, %d numbers)\n",
				rep.Dossiers, rep.Runs, rep.Projections, rep.Numbers)
			if rep.MissingDocuments > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%d documents are listed but their bytes are not in the read model: restore them from a backup\n", rep.MissingDocuments)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dossier, "dossier", "", "rebuild only this dossier (HS-YYYY-NNNNNN)")
	return cmd
}
