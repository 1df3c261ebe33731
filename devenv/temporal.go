package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"tdkt/workflows"
)

// TemporalOptions configures the Temporal CLI dev server.
type TemporalOptions struct {
	Port, UIPort int    // 0 = a free port
	DBFile       string // "" = in memory
	Binary       string // "" = TemporalBinary()
	Headless     bool   // no Web UI
	Namespace    string // "" = "default"
}

// Temporal is a running Temporal CLI dev server.
type Temporal struct {
	Address   string // host:port of the frontend (gRPC)
	UIURL     string // "" when headless
	Namespace string

	proc   *Proc
	output *tail
}

// temporalStartTimeout bounds how long a start may take; the first start on a
// cold machine spends most of it creating the SQLite schema.
const temporalStartTimeout = 60 * time.Second

// TemporalBinary is the Temporal CLI to run: $TDKT_TEMPORAL_BIN, else the one
// `make bin/temporal` builds into the module's bin/.
func TemporalBinary() (string, error) {
	if p := os.Getenv("TDKT_TEMPORAL_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TDKT_TEMPORAL_BIN=%s: %w", p, err)
		}
		return p, nil
	}
	notBuilt := errors.New("Temporal CLI not built: run `make bin/temporal`")
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%w (%v)", notBuilt, err)
	}
	p := filepath.Join(root, "bin", "temporal")
	if _, err := os.Stat(p); err != nil {
		return "", notBuilt
	}
	return p, nil
}

// CheckTemporal reports, without starting anything, what would stop
// StartTemporal(o): the CLI not built, a fixed port already taken.
func CheckTemporal(o TemporalOptions) error {
	_, _, err := checkTemporal(o)
	return err
}

// checkTemporal fills in o's defaults (free ports, namespace) and the binary.
func checkTemporal(o TemporalOptions) (TemporalOptions, string, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = TemporalBinary(); err != nil {
			return o, "", err
		}
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	var err error
	if o.Port == 0 {
		if o.Port, err = FreePort(); err != nil {
			return o, "", err
		}
	} else if !portFree(o.Port) {
		return o, "", fmt.Errorf("Temporal port 127.0.0.1:%d is already in use (another `tdkt dev` or Temporal server?): stop it, or set TEMPORAL_ADDRESS to use that server", o.Port)
	}
	if !o.Headless {
		if o.UIPort == 0 {
			if o.UIPort, err = FreePort(); err != nil {
				return o, "", err
			}
		} else if !portFree(o.UIPort) {
			return o, "", fmt.Errorf("Temporal Web UI port 127.0.0.1:%d is already in use: stop whatever listens there (another `tdkt dev`?)", o.UIPort)
		}
	}
	return o, bin, nil
}

// StartTemporal starts `temporal server start-dev` with every search attribute
// of workflows.SearchAttributes and returns once the frontend is healthy and
// the namespace lists those attributes.
func StartTemporal(ctx context.Context, o TemporalOptions) (*Temporal, error) {
	o, bin, err := checkTemporal(o)
	if err != nil {
		return nil, err
	}
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(o.Port), "--log-level", "warn",
		// Eager activities: the server hands a just-scheduled activity (the
		// projection) back to the worker in the reply to the workflow task
		// that scheduled it, after persisting it, saving a poll round trip.
		"--dynamic-config-value", "system.enableActivityEagerExecution=true"}
	if o.Headless {
		args = append(args, "--headless")
	} else {
		args = append(args, "--ui-port", strconv.Itoa(o.UIPort))
	}
	if o.DBFile != "" {
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o755); err != nil {
			return nil, fmt.Errorf("directory of Temporal database %s: %w", o.DBFile, err)
		}
		args = append(args, "--db-filename", o.DBFile)
	}
	if o.Namespace != "default" { // "default" is always created
		args = append(args, "--namespace", o.Namespace)
	}
	for _, sa := range workflows.SearchAttributes {
		args = append(args, "--search-attribute", sa.Name+"="+sa.CLI)
	}

	out := newTail(16 << 10)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group: Ctrl-C in a terminal reaches only us, and we stop the
	// server in order. Pdeathsig: if we die without stopping it, so does it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	p, err := Spawn(cmd)
	if err != nil {
		return nil, fmt.Errorf("start Temporal dev server %s: %w", bin, err)
	}
	t := &Temporal{Address: "127.0.0.1:" + strconv.Itoa(o.Port), Namespace: o.Namespace, proc: p, output: out}
	if !o.Headless {
		t.UIURL = "http://127.0.0.1:" + strconv.Itoa(o.UIPort)
	}
	if err := t.waitReady(ctx); err != nil {
		t.Stop()
		return nil, err
	}
	return t, nil
}

func (t *Temporal) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, temporalStartTimeout)
	defer cancel()
	c, err := client.NewLazyClient(client.Options{HostPort: t.Address, Namespace: t.Namespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return fmt.Errorf("Temporal client for %s: %w", t.Address, err)
	}
	defer c.Close()
	var last error
	for {
		if last = t.ready(ctx, c); last == nil {
			return nil
		}
		select {
		case <-t.proc.done:
			return fmt.Errorf("Temporal dev server exited (%v) before it was ready; its output: %s", t.proc.err, t.output)
		case <-ctx.Done():
			return fmt.Errorf("Temporal dev server on %s not ready after %s: %v; its output: %s", t.Address, temporalStartTimeout, last, t.output)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ready is healthy frontend plus every search attribute listed: the CLI
// registers them after the frontend answers, and a workflow upserting one
// before that fails.
func (t *Temporal) ready(ctx context.Context, c client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: t.Namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	for _, sa := range workflows.SearchAttributes {
		if _, ok := resp.GetCustomAttributes()[sa.Name]; !ok {
			return fmt.Errorf("search attribute %s not registered yet", sa.Name)
		}
	}
	return nil
}

// Stop ends the server: SIGTERM to its process group, SIGKILL after 10s.
func (t *Temporal) Stop() error {
	if t == nil || t.proc == nil {
		return nil
	}
	pgid := t.proc.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	if !t.proc.Exited() {
		syscall.Kill(-pgid, syscall.SIGTERM)
	}
	select {
	case <-t.proc.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-t.proc.done
	}
	return nil
}

// Pid is the dev server's process id (for CPU accounting).
func (t *Temporal) Pid() int { return t.proc.Pid() }
