package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"tdkt/codec"
	"tdkt/config"
	"tdkt/metrics"
	"tdkt/worker"
)

// dialTemporal connects to Temporal, retrying for up to wait: in a deployment
// the API and worker may start before the Temporal frontend answers. The SDK's
// metrics go to reg (nil: not collected).
//
// With TDKT_PAYLOAD_KEY set, every payload the client writes (workflow
// inputs, update arguments such as a council vote, results, queries) and
// every failure message is encrypted; the worker and the API both dial here,
// so they agree.
func dialTemporal(ctx context.Context, cfg config.Config, logger *slog.Logger, reg prometheus.Registerer, wait time.Duration) (client.Client, error) {
	opts := client.Options{
		HostPort:          cfg.TemporalAddress,
		Namespace:         cfg.TemporalNamespace,
		Logger:            log.NewStructuredLogger(logger.With("component", "temporal-sdk")),
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: worker.GrpcCompression(cfg)},
	}
	if len(cfg.PayloadKey) > 0 {
		dc, err := worker.DataConverter(cfg)
		if err != nil {
			return nil, err
		}
		opts.DataConverter = dc
		opts.FailureConverter = codec.FailureConverter(opts.DataConverter)
		logger.Info("Temporal payloads are encrypted (AES-256-GCM)", "key_id", cfg.PayloadKeyID)
	} else {
		logger.Warn("Temporal payloads are NOT encrypted: votes and nominee names are readable in Temporal's history; set TDKT_PAYLOAD_KEY")
	}
	if reg != nil {
		opts.MetricsHandler = metrics.NewTemporalHandler(reg)
	}
	deadline := time.Now().Add(wait)
	for {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := client.DialContext(dctx, opts)
		cancel()
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil, fmt.Errorf("cannot reach Temporal at %s namespace %s (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE): %w",
				cfg.TemporalAddress, cfg.TemporalNamespace, err)
		}
		logger.Warn("Temporal not reachable yet; retrying", "address", cfg.TemporalAddress, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}
