package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"tdkt/config"
	"tdkt/metrics"
	"tdkt/server"
	"tdkt/store"
)

func apiCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "api",
		Short: "Serve the HTTP API (TDKT_HTTP_ADDR, default :8080)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			logger := newLogger(true)
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if err := cfg.RequireAuth(); err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			policy, err := cfg.Policy()
			if err != nil {
				return err
			}
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			// One registry: /metrics shows the HTTP and the Temporal client's
			// series together.
			reg := metrics.NewRegistry()
			c, err := dialTemporal(ctx, cfg, logger, reg, time.Minute)
			if err != nil {
				return err
			}
			defer c.Close()
			srv, err := server.New(server.Deps{Temporal: c, Store: st, Config: cfg, Policy: policy, Logger: logger, Registry: reg})
			if err != nil {
				return err
			}
			return srv.Run(ctx, cfg.HTTPAddr)
		},
	}
}

func loadConfig() (config.Config, error) { return config.Load() }

func requireDatabase(cfg config.Config) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: give the PostgreSQL URL (postgres://user:password@host:5432/tdkt?sslmode=disable), or run `tdkt dev` to start a local one")
	}
	return nil
}

// openStore connects to the read model; the error names the variable and the
// server (without its password).
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		where := "the database"
		if u, perr := url.Parse(cfg.DatabaseURL); perr == nil {
			where = u.Redacted()
		}
		return nil, fmt.Errorf("DATABASE_URL (%s): %w", where, err)
	}
	return st, nil
}
