package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"tdkt/config"
	"tdkt/devenv"
	"tdkt/server"
	"tdkt/store"
	"tdkt/worker"
)

// System is the engine under measurement: where its API and Temporal are,
// and the secret its tokens are signed with.
type System struct {
	APIURL    string
	Temporal  client.Client
	Namespace string
	// TemporalAddress is host:port of the frontend, for the report.
	TemporalAddress string
	Secret          []byte
	// DatabaseURL is the read model's database; "" when not known (a
	// running system whose database was not given).
	DatabaseURL string
	// Started says the bench started this system itself (throw-away).
	Started bool
	// cpu reads the CPU each part used; nil when the bench did not start
	// Temporal and PostgreSQL itself.
	cpu *cpuMeter

	closers []func()
}

// Close stops everything the bench started, newest first.
func (s *System) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

func (s *System) onClose(f func()) { s.closers = append(s.closers, f) }

// quietLogger is the components' logger: warnings and errors only, so that
// the bench's own output stays readable.
func quietLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{h: l.Handler(), min: slog.LevelWarn})
}

type levelFilter struct {
	h   slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.h.Enabled(ctx, l)
}
func (f levelFilter) Handle(ctx context.Context, r slog.Record) error { return f.h.Handle(ctx, r) }
func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{h: f.h.WithAttrs(a), min: f.min}
}
func (f levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{h: f.h.WithGroup(n), min: f.min}
}

// StartSystem starts a throw-away engine the way `tdkt dev` does: a Temporal
// CLI dev server (in memory, headless), PostgreSQL in a temporary directory,
// migrations, and the worker and the API in this process on free ports.
// Close removes all of it.
func StartSystem(ctx context.Context, logger *slog.Logger) (_ *System, err error) {
	return startSystem(ctx, logger, false)
}

// StartClusterSystem is StartSystem over a Temporal cluster on the same
// PostgreSQL (devenv.StartCluster: four service processes, the
// configuration compose runs) instead of the dev server.
func StartClusterSystem(ctx context.Context, logger *slog.Logger) (*System, error) {
	return startSystem(ctx, logger, true)
}

func startSystem(ctx context.Context, logger *slog.Logger, cluster bool) (_ *System, err error) {
	// Everything missing is one message before anything has started.
	if cluster {
		for _, check := range []func() (string, error){devenv.TemporalServerBinary, devenv.TemporalSQLTool, devenv.TemporalSchema} {
			if _, err := check(); err != nil {
				return nil, err
			}
		}
	} else if err := devenv.CheckTemporal(devenv.TemporalOptions{Headless: true}); err != nil {
		return nil, err
	}
	if err := devenv.CheckPostgres(); err != nil {
		return nil, err
	}
	sys := &System{Started: true}
	defer func() {
		if err != nil {
			sys.Close()
		}
	}()
	tmp, err := os.MkdirTemp("", "tdkt-bench-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	sys.onClose(func() { os.RemoveAll(tmp) })
	// PostgreSQL runs as the postgres user when we are root: it must reach it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	logger.Info("starting PostgreSQL", "dir", tmp)
	pg, err := devenv.StartPostgres(ctx, filepath.Join(tmp, "pg"))
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	sys.onClose(func() {
		if err := pg.Stop(); err != nil {
			logger.Warn("stop PostgreSQL", "error", err)
		}
	})
	dbURL, err := pg.CreateDatabase(ctx, "tdkt")
	if err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	var address, namespace string
	if cluster {
		logger.Info("starting the Temporal cluster (frontend, history, matching, worker)")
		c, err := devenv.StartCluster(ctx, devenv.ClusterOptions{Postgres: pg, Dir: filepath.Join(tmp, "cluster")})
		if err != nil {
			return nil, fmt.Errorf("start the Temporal cluster: %w", err)
		}
		sys.onClose(func() { _ = c.Stop() })
		sys.cpu = &cpuMeter{temporalPids: c.Pids()}
		address, namespace = c.Address, c.Namespace
	} else {
		logger.Info("starting Temporal dev server")
		t, err := devenv.StartTemporal(ctx, devenv.TemporalOptions{Headless: true})
		if err != nil {
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
		sys.onClose(func() { t.Stop() })
		sys.cpu = &cpuMeter{temporalPid: t.Pid()}
		address, namespace = t.Address, t.Namespace
	}
	if pid, err := pg.Pid(); err == nil {
		sys.cpu.postgresPid = pid
	}
	if err := sys.startEngine(ctx, address, namespace, dbURL, logger); err != nil {
		return nil, err
	}
	return sys, nil
}

// CouncilMembers, when set, is the council size of the engine StartEngine
// starts (the configuration's default otherwise).
var CouncilMembers int

// StartEngine runs the worker and the API in this process over an existing
// Temporal server and database (migrated here); tests use it over devenv's
// servers.
func StartEngine(ctx context.Context, temporalAddress, namespace, databaseURL string, logger *slog.Logger) (_ *System, err error) {
	sys := &System{Started: true}
	if err := sys.startEngine(ctx, temporalAddress, namespace, databaseURL, logger); err != nil {
		sys.Close()
		return nil, err
	}
	return sys, nil
}

func (sys *System) startEngine(ctx context.Context, temporalAddress, namespace, databaseURL string, logger *slog.Logger) error {
	quiet := quietLogger(logger)
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	sys.onClose(func() { st.Close() })
	if err := store.Migrate(ctx, st.DB.DB, "up"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sys.DatabaseURL = databaseURL

	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("token secret: %w", err)
	}
	sys.Secret = []byte(hex.EncodeToString(secret))
	cfg := config.Defaults()
	cfg.TemporalAddress, cfg.TemporalNamespace, cfg.DatabaseURL = temporalAddress, namespace, databaseURL
	cfg.JWTSecret = string(sys.Secret)
	cfg.TaskQueue = "tdkt-bench-" + randomID()
	if CouncilMembers > 0 {
		cfg.CouncilMembers = CouncilMembers
	}
	policy, err := cfg.Policy()
	if err != nil {
		return err
	}

	c, err := dial(ctx, temporalAddress, namespace, quiet)
	if err != nil {
		return err
	}
	sys.onClose(c.Close)
	sys.Temporal, sys.Namespace, sys.TemporalAddress = c, namespace, temporalAddress
	// As `tdkt worker` does: a cluster's namespace starts without them (the
	// dev server is started with them), and a dossier's workflow task fails
	// on an attribute the namespace lacks.
	if err := worker.RegisterSearchAttributes(ctx, c, namespace); err != nil {
		return err
	}

	w, err := worker.Start(c, st, cfg, quiet)
	if err != nil {
		return err
	}
	sys.onClose(w.Stop)

	// As `tdkt api`: a read of a dossier with a pending mark catches it up.
	rec, err := worker.NewReconciler(c, st, cfg, quiet)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Deps{Temporal: c, Store: st, Config: cfg, Policy: policy, Logger: quiet, Reconcile: rec.Dossier})
	if err != nil {
		return fmt.Errorf("API: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("API listener: %w", err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	sys.onClose(func() {
		stop()
		if err := <-done; err != nil {
			logger.Warn("API shutdown", "error", err)
		}
	})
	sys.APIURL = "http://" + ln.Addr().String()
	logger.Info("engine started", "api", sys.APIURL, "temporal", temporalAddress, "task_queue", cfg.TaskQueue)
	return nil
}

// Connect measures a running system: its API at apiURL, its Temporal at
// temporalAddress (for the floor, which runs its own worker in this
// process), tokens signed with secret. databaseURL is needed only by the
// read-path load, which seeds the read model.
func Connect(ctx context.Context, apiURL, temporalAddress, namespace string, secret []byte, databaseURL string, logger *slog.Logger) (*System, error) {
	if len(secret) == 0 {
		return nil, errors.New("a running system needs its token secret: set TDKT_JWT_SECRET")
	}
	c, err := dial(ctx, temporalAddress, namespace, quietLogger(logger))
	if err != nil {
		return nil, err
	}
	sys := &System{APIURL: apiURL, Temporal: c, Namespace: namespace, TemporalAddress: temporalAddress,
		Secret: secret, DatabaseURL: databaseURL}
	sys.onClose(c.Close)
	return sys, nil
}

func dial(ctx context.Context, address, namespace string, logger *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: address, Namespace: namespace,
		Logger:            sdklog.NewStructuredLogger(logger),
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: worker.GrpcCompression(config.Defaults())}})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", address, err)
	}
	return c, nil
}

func randomID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
