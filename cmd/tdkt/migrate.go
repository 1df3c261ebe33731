package main

import (
	"errors"

	"github.com/spf13/cobra"

	"tdkt/store"
)

func migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "migrate up|down|status",
		Short:     "Migrate the read model's schema (up also seeds the award catalogue)",
		ValidArgs: []string{"up", "down", "status"},
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
				return errors.New("migrate: say up, down or status")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			return store.Migrate(cmd.Context(), st.DB.DB, args[0])
		},
	}
}
