package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"tdkt/domain"
	"tdkt/metrics"
	"tdkt/worker"
)

// warnUnannounced warns when this year or the coming one has no announced
// days off in the calendar: due dates in it then count only the statutory
// holidays, and miss the swaps and the days the government places each year.
func warnUnannounced(logger *slog.Logger, cal domain.Calendar, now time.Time, file string) {
	y := now.In(domain.Local).Year()
	for _, year := range []int{y, y + 1} {
		if cal.Announced(year) {
			continue
		}
		if file == "" {
			file = "(shipped calendar)"
		}
		logger.Warn("holiday calendar: the year's announced days off are missing, so its due dates count only the statutory holidays; add the government's announcement (days off, Saturdays worked) to TDKT_HOLIDAYS_FILE",
			"year", year, "holidays_file", file)
	}
}

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
			if err := cfg.RequirePayloadKey(); err != nil {
				return err
			}
			st, c, reg, closeAll, err := connect(ctx, cfg, logger)
			if err != nil {
				return err
			}
			defer closeAll()
			if err := metrics.RegisterPending(reg, func() (int, time.Duration, error) { return st.PendingCount(context.Background()) }); err != nil {
				return err
			}
			if cfg.MetricsAddr != "" {
				stop, err := serveMetrics(cfg.MetricsAddr, "TDKT_METRICS_ADDR", reg, logger)
				if err != nil {
					return err
				}
				defer stop()
			}
			if err := worker.RegisterSearchAttributes(ctx, c, cfg.TemporalNamespace); err != nil {
				return err
			}
			cal, err := cfg.Calendar()
			if err != nil {
				return err
			}
			warnUnannounced(logger, cal, time.Now(), cfg.HolidaysFile)
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

// serveMetrics serves Prometheus metrics on addr until stop is called: the
// worker's (the Temporal SDK's task latencies, slots, poll errors) on
// TDKT_METRICS_ADDR, the API's (HTTP series and its Temporal client's) on
// the admin listener TDKT_ADMIN_ADDR; never on the public port.
func serveMetrics(addr, variable string, reg *prometheus.Registry, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", variable, addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics.Handler(reg))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server", "error", err)
		}
	}()
	logger.Info("metrics", "addr", ln.Addr().String(), "path", "/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
