package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"

	"tdkt/bench"
)

func benchCmd() *cobra.Command {
	o := bench.DefaultOptions()
	ro := bench.DefaultReadOptions()
	var (
		apiURL, temporalAddr, namespace, databaseURL string
		cpuProfile                                   string
		read, asJSON, explain                        bool
		batchN, sessionN                             int
		onCluster                                    bool
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the engine against a bare Temporal workflow (floor), or the read path under load (--read)",
		Long: `bench measures, in one run on the same Temporal server:
  the floor: N bare BenchFloor workflows, each started and sent K updates
    (waiting for completion) in sequence, by C concurrent clients;
  the engine: N dossiers of BK_UBND_TINH submitted over HTTP, then taken through
    accept, approve (officer) and decide (chairman) by C concurrent clients,
    each action followed by a list read that must already show the new stage;
and prints workflows/s, steps/s, step latency p50/p99 for both, the ratios
engine/floor, and the goals (steps/s >= 0.8x floor, p50 <= 1.5x floor).

--read instead seeds the read model with --dossiers dossiers and measures
GET /api/v1/dossiers (each filter, a second page) and GET /api/v1/tasks (each
role) with --c clients: requests/s, p50, p99 (goal p99 <= 100 ms with more
than one client, <= 10 ms with one), after the EXPLAIN (ANALYZE, BUFFERS)
plans of the store's statements.

Without --api, bench starts a throw-away system the way dev does (Temporal dev
server in memory, PostgreSQL in a temporary directory, worker and API in this
process) and removes it afterwards. With --api URL --temporal HOST:PORT it
measures a running system; tokens are signed with TDKT_JWT_SECRET (or the
secret of tdkt dev in .data/); --read needs its --database (empty read model).
Timings are reported, never asserted.`,
		Example: `  tdkt bench
  tdkt bench --n 20 --c 4 --json
  tdkt bench --read
  tdkt bench --read --c 1 --dossiers 1000000
  tdkt bench --api http://127.0.0.1:8080 --temporal 127.0.0.1:7233`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			logger := newLogger(false)
			o.Logger, ro.Logger = logger, logger
			if onCluster && apiURL != "" {
				return errors.New("--cluster starts its own cluster: leave out --api and --temporal")
			}
			if (apiURL == "") != (temporalAddr == "") {
				return errors.New("--api and --temporal go together: give both to measure a running system, or neither")
			}
			var sys *bench.System
			var err error
			switch {
			case apiURL == "" && onCluster:
				sys, err = bench.StartClusterSystem(ctx, logger)
			case apiURL == "":
				sys, err = bench.StartSystem(ctx, logger)
			default:
				cfg, cerr := loadConfig()
				if cerr != nil {
					return cerr
				}
				secret := cfg.JWTSecret
				if secret == "" {
					secret = readDevSecret()
				}
				if namespace == "" {
					namespace = cfg.TemporalNamespace
				}
				if databaseURL == "" && cfg.DatabaseExplicit {
					databaseURL = cfg.DatabaseURL
				}
				sys, err = bench.Connect(ctx, strings.TrimRight(apiURL, "/"), temporalAddr, namespace, []byte(secret), databaseURL, logger)
			}
			if err != nil {
				return err
			}
			defer func() {
				logger.Info("bench: stopping what it started")
				sys.Close()
			}()
			if cpuProfile != "" {
				// The profile covers this process: with a throw-away system,
				// the API and the worker as well as the clients.
				f, err := os.Create(cpuProfile)
				if err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}

			if read {
				ro.C = o.C
				var plans bytes.Buffer
				if explain {
					ro.Explain = &plans
				}
				res, err := bench.RunRead(ctx, sys, ro)
				if err != nil {
					return err
				}
				if asJSON {
					return bench.WriteJSON(out, struct {
						*bench.ReadResult
						Plans string `json:"plans,omitempty"`
					}{res, plans.String()})
				}
				if plans.Len() > 0 {
					fmt.Fprintf(out, "EXPLAIN (ANALYZE, BUFFERS) of the store's statements, %d dossiers:\n\n%s\n", ro.Dossiers, plans.String())
				}
				res.Print(out)
				return nil
			}
			// show prints a result as a table, or as JSON with --json.
			show := func(res interface{ Print(io.Writer) }, err error) error {
				if err != nil {
					return err
				}
				if asJSON {
					return bench.WriteJSON(out, res)
				}
				res.Print(out)
				return nil
			}
			if sessionN > 0 {
				return show(bench.RunSession(ctx, sys, bench.SessionOptions{N: sessionN, C: o.C, Logger: logger}))
			}
			if batchN > 0 {
				return show(bench.RunBatch(ctx, sys, bench.BatchOptions{N: batchN, C: o.C, Logger: logger}))
			}
			return show(bench.Run(ctx, sys, o))
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.N, "n", o.N, "workflows (floor) and dossiers (engine)")
	f.IntVar(&o.C, "c", o.C, "concurrent clients")
	f.IntVar(&o.KFloor, "k-floor", o.KFloor, "updates per floor workflow")
	f.IntVar(&o.Warmup, "warmup", o.Warmup, "unmeasured workflows and dossiers before each phase (-1: min(c, n))")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.StringVar(&apiURL, "api", "", "API of a running system (http://host:port); default: start a throw-away one")
	f.StringVar(&temporalAddr, "temporal", "", "Temporal frontend of that running system (host:port)")
	f.StringVar(&namespace, "namespace", "", "Temporal namespace of that running system (default TEMPORAL_NAMESPACE or default)")
	f.StringVar(&databaseURL, "database", "", "read model of that running system, for --read (default DATABASE_URL)")
	f.BoolVar(&read, "read", false, "measure the read path under load instead")
	f.BoolVar(&onCluster, "cluster", false, "start a Temporal cluster on PostgreSQL (four service processes) instead of the dev server, and measure on it")
	f.IntVar(&batchN, "batch", 0, "instead, time signing one decision batch of this many dossiers (issue 12: 500)")
	f.IntVar(&sessionN, "session", 0, "instead, time one council session with this many dossiers on its agenda, voted and closed (issue 12: 300)")
	f.IntVar(&bench.CouncilMembers, "members", 15, "council members of the system the bench starts (--session; issue 12: 15)")
	f.IntVar(&ro.Dossiers, "dossiers", ro.Dossiers, "dossiers seeded for --read")
	f.IntVar(&ro.Dossiers, "read-dossiers", ro.Dossiers, "the same as --dossiers (its older name)")
	f.IntVar(&ro.Requests, "read-requests", ro.Requests, "measured requests per query for --read")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the measurement (this process) to this file")
	f.BoolVar(&explain, "explain", true, "with --read, print the query plans")
	return cmd
}
