package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tdkt/config"
	"tdkt/devenv"
	"tdkt/store"
)

// The cluster's processes: two of each tdkt role, on fixed loopback ports.
var clusterAPIs = []struct{ name, addr, admin string }{
	{"api-1", "127.0.0.1:8080", "127.0.0.1:9181"},
	{"api-2", "127.0.0.1:8081", "127.0.0.1:9182"},
}

var clusterWorkers = []struct{ name, metrics string }{
	{"worker-1", "127.0.0.1:9191"},
	{"worker-2", "127.0.0.1:9192"},
}

// clusterChild is a tdkt process of the cluster.
type clusterChild struct {
	name string
	proc *devenv.Proc
	log  string
}

// stop sends SIGTERM and waits (SIGKILL after 30 s): in-flight requests and
// tasks finish first.
func (c *clusterChild) stop() {
	if c.proc.Exited() {
		return
	}
	_ = syscall.Kill(-c.proc.Pid(), syscall.SIGTERM)
	select {
	case <-c.proc.Done():
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-c.proc.Pid(), syscall.SIGKILL)
		<-c.proc.Done()
	}
}

// runCluster is `tdkt dev --cluster`: the production topology on this
// machine. PostgreSQL (.data/cluster/pg) holds the read model and
// Temporal's two databases; the Temporal cluster runs its four services as
// processes from deploy/temporal/tdkt.yaml (what docker-compose.yml runs);
// two `tdkt worker` and two `tdkt api` processes of this very binary share
// the task queue and the read model; Temporal UI's server points at the
// cluster. Ctrl-C stops everything, APIs first; data stays.
func runCluster(ctx context.Context, out io.Writer) error {
	logger := newLogger(false)
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.TemporalExplicit || cfg.DatabaseExplicit {
		return errors.New("tdkt dev --cluster starts its own Temporal cluster and PostgreSQL: unset TEMPORAL_ADDRESS and DATABASE_URL")
	}
	data := filepath.Join(dataDir(), "cluster")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", data, err)
	}
	// Every prerequisite first, so a missing one is one line and nothing is
	// left half started.
	if err := devenv.CheckPostgres(); err != nil {
		return err
	}
	for _, check := range []func() (string, error){devenv.TemporalServerBinary, devenv.TemporalSQLTool, devenv.TemporalSchema} {
		if _, err := check(); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if len(cfg.PayloadKey) == 0 {
		if cfg.PayloadKey, err = devPayloadKey(filepath.Join(data, "payload-key")); err != nil {
			return err
		}
	}
	if cfg.JWTSecret == "" && cfg.JWKSURL == "" {
		if cfg.JWTSecret, err = devSecret(filepath.Join(data, "jwt-secret")); err != nil {
			return err
		}
	}

	pg, stopPG, err := startDevPostgres(ctx, logger, data, &cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer stopPG()
	logger.Info("starting the Temporal cluster (frontend, history, matching, worker)", "dir", filepath.Join(data, "temporal"))
	cl, err := devenv.StartCluster(ctx, devenv.ClusterOptions{Postgres: pg, Dir: filepath.Join(data, "temporal"),
		Namespace: cfg.TemporalNamespace, Port: devTemporalPort})
	if err != nil {
		return err
	}
	defer func() {
		logger.Info("stopping the Temporal cluster")
		_ = cl.Stop()
	}()
	cfg.TemporalAddress = cl.Address
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	err = store.Migrate(ctx, st.DB.DB, "up")
	st.Close()
	if err != nil {
		return err
	}

	env := append(os.Environ(), "DATABASE_URL="+cfg.DatabaseURL, "TEMPORAL_ADDRESS="+cl.Address,
		"TEMPORAL_NAMESPACE="+cfg.TemporalNamespace, "TDKT_TASK_QUEUE="+cfg.TaskQueue,
		"TDKT_JWT_SECRET="+cfg.JWTSecret, "TDKT_PAYLOAD_KEY="+base64.StdEncoding.EncodeToString(cfg.PayloadKey),
		"TDKT_COUNCIL_MEMBERS="+strconv.Itoa(cfg.CouncilMembers))
	var children []*clusterChild
	defer func() {
		// APIs first (no new work), then the workers finish theirs.
		for i := len(children) - 1; i >= 0; i-- {
			logger.Info("stopping " + children[i].name)
			children[i].stop()
		}
	}()
	spawn := func(name string, extra ...string) (*clusterChild, error) {
		logPath := filepath.Join(data, name+".log")
		logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		defer logf.Close()
		role := strings.SplitN(name, "-", 2)[0]
		cmd := exec.Command(exe, role)
		cmd.Env = append(append([]string{}, env...), extra...)
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		p, err := devenv.Spawn(cmd)
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		c := &clusterChild{name: name, proc: p, log: logPath}
		children = append(children, c)
		return c, nil
	}
	for _, w := range clusterWorkers {
		if _, err := spawn(w.name, "TDKT_METRICS_ADDR="+w.metrics); err != nil {
			return err
		}
	}
	for _, a := range clusterAPIs {
		c, err := spawn(a.name, "TDKT_HTTP_ADDR="+a.addr, "TDKT_ADMIN_ADDR="+a.admin, "TDKT_DEMO_SIGNIN=1")
		if err != nil {
			return err
		}
		if err := waitChild(ctx, c, "http://"+a.addr+"/readyz"); err != nil {
			return err
		}
	}
	apiURL := "http://" + clusterAPIs[0].addr
	ui, err := devenv.StartUI(ctx, devenv.UIOptions{Frontend: cl.Address, Namespace: cfg.TemporalNamespace, Port: devTemporalUI,
		Codec: apiURL + "/codec", Dir: data})
	if err != nil {
		logger.Warn("Temporal UI not started", "err", err)
	} else {
		defer ui.Stop()
	}
	uiURL := ""
	if ui != nil {
		uiURL = ui.URL
	}
	cfg.AdminAddr = clusterAPIs[0].admin
	if err := printBanner(out, cfg, apiURL, uiURL, data); err != nil {
		return err
	}
	fmt.Fprintf(out, "The cluster:\n  Temporal:    %s (frontend; history, matching and worker are processes of their own, logs in %s)\n",
		cl.Address, filepath.Join(data, "temporal"))
	for _, a := range clusterAPIs {
		fmt.Fprintf(out, "  %-12s http://%s   (log %s)\n", a.name+":", a.addr, filepath.Join(data, a.name+".log"))
	}
	for _, w := range clusterWorkers {
		fmt.Fprintf(out, "  %-12s metrics http://%s/metrics   (log %s)\n", w.name+":", w.metrics, filepath.Join(data, w.name+".log"))
	}
	fmt.Fprintln(out)
	// Until Ctrl-C, or until a child dies (then say which, and stop).
	died := make(chan *clusterChild, len(children))
	for _, c := range children {
		go func() {
			<-c.proc.Done()
			died <- c
		}()
	}
	select {
	case <-ctx.Done():
		return nil
	case c := <-died:
		if ctx.Err() != nil {
			return nil
		}
		b, _ := os.ReadFile(c.log)
		return fmt.Errorf("%s exited (%v); the end of its log:\n%s", c.name, c.proc.Err(), lastLines(string(b), 20))
	}
}

// waitChild waits until a child's readiness URL answers 200, or it dies.
func waitChild(ctx context.Context, c *clusterChild, url string) error {
	served := make(chan error, 1)
	go func() {
		<-c.proc.Done()
		b, _ := os.ReadFile(c.log)
		served <- fmt.Errorf("%s exited (%v):\n%s", c.name, c.proc.Err(), lastLines(string(b), 20))
	}()
	return waitReady(ctx, url, served)
}

// lastLines is the end of a log, for a message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
