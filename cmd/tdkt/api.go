package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"tdkt/config"
	"tdkt/domain"
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
			if err := cfg.RequirePayloadKey(); err != nil {
				return err
			}
			policy, err := cfg.Policy()
			if err != nil {
				return err
			}
			st, c, reg, closeAll, err := connect(ctx, cfg, logger)
			if err != nil {
				return err
			}
			defer closeAll()
			var demo []domain.Actor
			if cfg.DemoSignIn {
				if demo, err = demoActors(cfg); err != nil {
					return err
				}
			}
			srv, err := newAPIWithConsole(ctx, server.Deps{Temporal: c, Store: st, Config: cfg, Policy: policy, Logger: logger, Registry: reg}, st, cfg, demo)
			if err != nil {
				return err
			}
			stopAdmin, err := serveMetrics(cfg.AdminAddr, "TDKT_ADMIN_ADDR", reg, logger)
			if err != nil {
				return err
			}
			defer stopAdmin()
			return srv.Run(ctx, cfg.HTTPAddr)
		},
	}
}

func loadConfig() (config.Config, error) { return config.Load() }

// connect opens what `api` and `worker` both stand on: the read model and a
// Temporal client whose metrics go to the returned registry (the API serves
// it with its HTTP series on /metrics; the worker on TDKT_METRICS_ADDR).
func connect(ctx context.Context, cfg config.Config, logger *slog.Logger) (*store.Store, client.Client, *prometheus.Registry, func(), error) {
	if err := requireDatabase(cfg); err != nil {
		return nil, nil, nil, nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	reg := metrics.NewRegistry()
	c, err := dialTemporal(ctx, cfg, logger, reg, time.Minute)
	if err != nil {
		st.Close()
		return nil, nil, nil, nil, err
	}
	return st, c, reg, func() { c.Close(); st.Close() }, nil
}

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
	// Reports measure stays in stages with the calendar of due dates.
	if cal, err := cfg.Calendar(); err == nil {
		st.SetCalendar(cal)
	}
	return st, nil
}

// demoActors are the demo users a `tdkt api` of `tdkt dev --cluster` offers
// at sign-in (TDKT_DEMO_SIGNIN): refused unless it listens on loopback only,
// since anyone reaching the page signs in as anyone.
func demoActors(cfg config.Config) ([]domain.Actor, error) {
	host, _, err := net.SplitHostPort(cfg.HTTPAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("configuration: TDKT_DEMO_SIGNIN lets anyone sign in as anyone; it needs TDKT_HTTP_ADDR on loopback (127.0.0.1:port), not %q", cfg.HTTPAddr)
	}
	var out []domain.Actor
	for _, u := range devUsers(cfg.CouncilMembers) {
		out = append(out, domain.Actor{ID: u.sub, Name: u.name, Roles: u.roles, Unit: u.unit})
	}
	return out, nil
}
