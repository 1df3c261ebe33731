package faults

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"tdkt/auth"
	"tdkt/codec"
	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
)

// secret signs the suite's tokens; the API gets it as TDKT_JWT_SECRET.
const secret = "faults-suite-secret-0123456789"

// taskQueue is the worker's queue (TDKT_TASK_QUEUE), not the default one, so
// that the API and the worker must agree through the environment.
const taskQueue = "tdkt-faults"

// The people driving dossiers.
const (
	unitCode = "SGDDT"
	asUnit   = "unit"
	asOff    = "officer"
	asChair  = "chairman"
	asAdmin  = "admin"
	asSec    = "secretary"
)

// members are the council's members (the policy's default size, 9).
var members = func() []string {
	var out []string
	for i := 1; i <= domain.DefaultPolicy().CouncilMembers; i++ {
		out = append(out, fmt.Sprintf("member-%d", i))
	}
	return out
}()

// stack is the system under test: real servers and the tdkt binary's worker
// and API as child processes, each in its own process group.
type stack struct {
	dir      string
	bin      string
	pg       *devenv.Postgres
	pgctl    *pgControl
	dbURL    string
	temporal *devenv.Temporal
	// temporalDown is set between a stop and a successful start.
	temporalDown bool
	tPort        int
	tDBFile      string
	httpAddr     string
	baseURL      string

	mu     sync.Mutex
	worker *child
	api    *child

	// The cluster mode (TDKT_FAULTS_CLUSTER=1, `make test-cluster`): a
	// Temporal cluster on the suite's PostgreSQL instead of the dev server,
	// and a second worker and a second API beside the first ones; the
	// clients spread their requests over both APIs.
	cluster             *devenv.Cluster
	worker2             *child
	api2                *child
	httpAddr2, baseURL2 string
	adminAddr           string

	tc     client.Client // for workflows.QueryState
	db     *sql.DB       // for counts the API does not give
	tokens map[string]string
}

var sys *stack

// TestMain starts the stack once for every test of the package and tears
// it down however the tests end; a failure to start says what to install.
func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) (code int) {
	s := &stack{}
	stopAll := sync.OnceFunc(func() { s.close() })
	// Ctrl-C or a SIGTERM from `go test -timeout`'s parent: leave nothing
	// behind. (A SIGKILL of this process is covered by Pdeathsig on the
	// children, the Temporal dev server and PostgreSQL's watchdog.)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		if sig, ok := <-sigs; ok {
			fmt.Fprintf(os.Stderr, "faults: %v: stopping the stack\n", sig)
			stopAll()
			os.Exit(1)
		}
	}()
	defer func() {
		signal.Stop(sigs)
		stopAll()
	}()
	start := time.Now()
	if err := s.start(); err != nil {
		fmt.Fprintf(os.Stderr, "faults: cannot start the system under test: %v\n", err)
		return 1
	}
	fmt.Printf("faults: stack up in %s (dir %s)\n", time.Since(start).Round(time.Millisecond), s.dir)
	sys = s
	return m.Run()
}

func (s *stack) start() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var err error
	if s.dir, err = os.MkdirTemp("", "tdkt-faults-"); err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	// PostgreSQL runs as the postgres user when we are root: it must reach
	// its data directory under this one.
	if err := os.Chmod(s.dir, 0o755); err != nil {
		return err
	}
	if err := s.build(ctx); err != nil {
		return err
	}
	if s.pg, err = devenv.StartPostgres(ctx, filepath.Join(s.dir, "pg")); err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	if s.dbURL, err = s.pg.CreateDatabase(ctx, "tdkt"); err != nil {
		return err
	}
	if s.pgctl, err = newPGControl(s.pg); err != nil {
		return err
	}
	if s.tPort, err = devenv.FreePort(); err != nil {
		return err
	}
	s.tDBFile = filepath.Join(s.dir, "temporal", "temporal.db")
	if os.Getenv("TDKT_FAULTS_CLUSTER") != "" {
		if s.cluster, err = devenv.StartCluster(ctx, devenv.ClusterOptions{Postgres: s.pg, Dir: filepath.Join(s.dir, "cluster")}); err != nil {
			return fmt.Errorf("start the Temporal cluster: %w", err)
		}
	} else if err := s.startTemporal(ctx); err != nil {
		return err
	}
	port, err := devenv.FreePort()
	if err != nil {
		return err
	}
	s.httpAddr = "127.0.0.1:" + strconv.Itoa(port)
	s.baseURL = "http://" + s.httpAddr
	// The admin listener (/metrics) on a port of its own, not the default
	// one another process of this machine may hold.
	if port, err = devenv.FreePort(); err != nil {
		return err
	}
	s.adminAddr = "127.0.0.1:" + strconv.Itoa(port)
	if s.cluster != nil {
		if port, err = devenv.FreePort(); err != nil {
			return err
		}
		s.httpAddr2 = "127.0.0.1:" + strconv.Itoa(port)
		s.baseURL2 = "http://" + s.httpAddr2
	}

	if out, err := s.command(ctx, "migrate", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("tdkt migrate up: %w: %s", err, strings.TrimSpace(string(out)))
	}
	if err := s.startWorker(ctx); err != nil {
		return err
	}
	if err := s.startAPI(ctx); err != nil {
		return err
	}
	if s.cluster != nil {
		if err := s.startWorker2(ctx); err != nil {
			return err
		}
		if err := s.startAPI2(ctx); err != nil {
			return err
		}
	}
	// The children encrypt payloads: this client reads them with the same key.
	key, err := config.ParsePayloadKey(payloadKey)
	if err != nil {
		return err
	}
	pc, err := codec.New("k1", key)
	if err != nil {
		return err
	}
	dc := codec.DataConverter(pc)
	if s.tc, err = client.Dial(client.Options{HostPort: s.temporalAddress(), Namespace: s.namespace(),
		DataConverter: dc, FailureConverter: codec.FailureConverter(dc),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))}); err != nil {
		return fmt.Errorf("Temporal client: %w", err)
	}
	if s.db, err = sql.Open("postgres", s.dbURL); err != nil {
		return err
	}
	s.tokens = map[string]string{}
	people := map[string]struct {
		role domain.Role
		unit string
	}{asUnit: {domain.RoleUnit, unitCode}, asOff: {domain.RoleOfficer, ""}, asChair: {domain.RoleChairman, ""},
		asAdmin: {domain.RoleAdmin, ""}, asSec: {domain.RoleSecretary, ""}}
	for _, m := range members {
		people[m] = struct {
			role domain.Role
			unit string
		}{domain.RoleCouncil, ""}
	}
	for who, p := range people {
		tok, err := auth.Mint([]byte(secret), "faults-"+who, "Fault suite "+who, []domain.Role{p.role}, p.unit, 2*time.Hour)
		if err != nil {
			return err
		}
		s.tokens[who] = tok
	}
	return nil
}

// build compiles cmd/tdkt once into the suite's directory.
func (s *stack) build(ctx context.Context) error {
	root, err := devenv.ModuleRoot()
	if err != nil {
		return err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	s.bin = filepath.Join(s.dir, "tdkt")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", s.bin, "./cmd/tdkt")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/tdkt: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (s *stack) startTemporal(ctx context.Context) error {
	var err error
	// The port was just freed (a restart) or just found free: another
	// process may still hold it for a moment.
	for deadline := time.Now().Add(20 * time.Second); ; {
		s.temporal, err = devenv.StartTemporal(ctx, devenv.TemporalOptions{Port: s.tPort, DBFile: s.tDBFile, Headless: true})
		if err == nil || !strings.Contains(err.Error(), "already in use") || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		s.temporalDown = true
		return fmt.Errorf("start Temporal dev server (port %d, %s): %w", s.tPort, s.tDBFile, err)
	}
	s.temporalDown = false
	return nil
}

// payloadKey encrypts the children's Temporal payloads, as in production.
const payloadKey = "ZmF1bHRzLXN1aXRlLXBheWxvYWQta2V5LTMyYnl0ZXM="

// env is the children's environment: the configuration of API.md.
func (s *stack) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TDKT_") || strings.HasPrefix(k, "TEMPORAL_") || k == "DATABASE_URL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"DATABASE_URL="+s.dbURL,
		"TEMPORAL_ADDRESS="+s.temporalAddress(),
		"TEMPORAL_NAMESPACE="+s.namespace(),
		"TDKT_JWT_SECRET="+secret,
		"TDKT_PAYLOAD_KEY="+payloadKey,
		"TDKT_HTTP_ADDR="+s.httpAddr,
		"TDKT_ADMIN_ADDR="+s.adminAddr,
		"TDKT_TASK_QUEUE="+taskQueue,
	)
}

// temporalAddress and namespace are the dev server's, or the cluster's.
func (s *stack) temporalAddress() string {
	if s.cluster != nil {
		return s.cluster.Address
	}
	return s.temporal.Address
}

func (s *stack) namespace() string {
	if s.cluster != nil {
		return s.cluster.Namespace
	}
	return s.temporal.Namespace
}

// bases are the APIs' base URLs: one, or two in the cluster mode.
func (s *stack) bases() []string {
	if s.cluster != nil {
		return []string{s.baseURL, s.baseURL2}
	}
	return []string{s.baseURL}
}

// startWorker2 and startAPI2 start the cluster mode's second worker and API.
func (s *stack) startWorker2(ctx context.Context) error {
	w, err := startChild("worker-2", s.bin, s.env(), filepath.Join(s.dir, "worker-2.log"), "worker")
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.worker2 = w
	s.mu.Unlock()
	return w.waitLog(ctx, `"worker started"`, 90*time.Second)
}

func (s *stack) startAPI2(ctx context.Context) error {
	admin, err := devenv.FreePort()
	if err != nil {
		return err
	}
	a, err := startChild("api-2", s.bin, append(s.env(), "TDKT_HTTP_ADDR="+s.httpAddr2, "TDKT_ADMIN_ADDR=127.0.0.1:"+strconv.Itoa(admin)),
		filepath.Join(s.dir, "api-2.log"), "api")
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.api2 = a
	s.mu.Unlock()
	return s.waitReadyAt(ctx, s.baseURL2, a, 90*time.Second)
}

// seconds are the cluster mode's second worker and API (nil otherwise).
func (s *stack) seconds() (worker, api *child) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.worker2, s.api2
}

func (s *stack) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = s.env()
	return cmd
}

// children are the worker and the API running now (either may have been
// replaced by a restart).
func (s *stack) children() (worker, api *child) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.worker, s.api
}

func (s *stack) startWorker(ctx context.Context) error {
	w, err := startChild("worker", s.bin, s.env(), filepath.Join(s.dir, "worker.log"), "worker")
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.worker = w
	s.mu.Unlock()
	// Ready once it says so: polling starts right after.
	return w.waitLog(ctx, `"worker started"`, 90*time.Second)
}

func (s *stack) startAPI(ctx context.Context, extraEnv ...string) error {
	a, err := startChild("api", s.bin, append(s.env(), extraEnv...), filepath.Join(s.dir, "api.log"), "api")
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.api = a
	s.mu.Unlock()
	return s.waitReady(ctx, a, 90*time.Second)
}

// waitReady polls the first API's /readyz until it answers 200.
func (s *stack) waitReady(ctx context.Context, a *child, wait time.Duration) error {
	return s.waitReadyAt(ctx, s.baseURL, a, wait)
}

// waitReadyAt polls base's /readyz until it answers 200.
func (s *stack) waitReadyAt(ctx context.Context, base string, a *child, wait time.Duration) error {
	hc := http.Client{Timeout: 3 * time.Second}
	deadline := time.Now().Add(wait)
	var last string
	for {
		resp, err := hc.Get(base + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
		} else {
			last = err.Error()
		}
		if a != nil && a.Exited() {
			return fmt.Errorf("tdkt api exited (%v) before it was ready; its log: %s", a.Err(), a.tail())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("API at %s not ready after %s: %s", base, wait, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ensureUp brings back whatever an earlier case left down, so that one
// failing case does not fail the next for the wrong reason.
func (s *stack) ensureUp(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if !s.pgctl.running(ctx) {
		t.Logf("PostgreSQL was down; starting it again")
		if err := s.pgctl.start(ctx); err != nil {
			t.Fatalf("restart PostgreSQL: %v", err)
		}
	}
	if s.temporalDown {
		t.Logf("Temporal was down; starting it again")
		if err := s.startTemporal(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w, a := s.children()
	if w == nil || w.Exited() {
		t.Logf("the worker was down; starting it again")
		if err := s.startWorker(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if a == nil || a.Exited() {
		t.Logf("the API was down; starting it again")
		if err := s.startAPI(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if s.cluster != nil {
		for _, svc := range devenv.ClusterServices {
			if !s.cluster.Running(svc) {
				t.Logf("Temporal %s was down; starting it again", svc)
				if err := s.cluster.StartService(svc); err != nil {
					t.Fatal(err)
				}
			}
		}
		w2, a2 := s.seconds()
		if w2 == nil || w2.Exited() {
			t.Logf("the second worker was down; starting it again")
			if err := s.startWorker2(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if a2 == nil || a2.Exited() {
			t.Logf("the second API was down; starting it again")
			if err := s.startAPI2(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.waitReady(ctx, s.api, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// close stops everything: the children's process groups first (they use
// the servers), then Temporal and PostgreSQL; then removes the directory.
func (s *stack) close() {
	w, a := s.children()
	w2, a2 := s.seconds()
	for _, c := range []*child{a, a2, w, w2} {
		if c != nil {
			c.stop(10 * time.Second)
		}
	}
	killAllChildren()
	if s.tc != nil {
		s.tc.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
	if s.temporal != nil {
		s.temporal.Stop()
	}
	if s.cluster != nil {
		_ = s.cluster.Stop()
	}
	if s.pg != nil {
		if err := s.pg.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "faults: stop PostgreSQL: %v\n", err)
		}
	}
	if s.pgctl != nil {
		os.RemoveAll(s.pgctl.sockDir)
	}
	if s.dir != "" {
		if os.Getenv("TDKT_FAULTS_KEEP") != "" {
			fmt.Fprintf(os.Stderr, "faults: TDKT_FAULTS_KEEP is set: logs and data kept in %s\n", s.dir)
		} else {
			os.RemoveAll(s.dir)
		}
	}
}

// child is a tdkt process in its own process group, tied to this process by
// Pdeathsig so that even a SIGKILL of the test leaves it no survivor.
type child struct {
	*devenv.Proc // started with Pdeathsig, like devenv's own servers
	name         string
	cmd          *exec.Cmd
	logPath      string
}

var children struct {
	mu  sync.Mutex
	all []*child
}

func startChild(name, bin string, env []string, logPath string, args ...string) (*child, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "\n=== %s: tdkt %s started by the fault suite\n", time.Now().Format(time.RFC3339Nano), strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p, err := devenv.Spawn(cmd)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("start tdkt %s: %w", name, err)
	}
	go func() { <-p.Done(); f.Close() }()
	c := &child{Proc: p, name: name, cmd: cmd, logPath: logPath}
	children.mu.Lock()
	children.all = append(children.all, c)
	children.mu.Unlock()
	return c, nil
}

// failpoint reads, from the child's log, the dossier and version it was
// killed at by the kill-after-update failpoint.
func (c *child) failpoint() (string, int64, error) {
	b, err := os.ReadFile(c.logPath)
	if err != nil {
		return "", 0, err
	}
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if !strings.Contains(lines[i], "failpoint kill-after-update") {
			continue
		}
		var rec struct {
			Dossier string `json:"dossier"`
			Version int64  `json:"version"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			return "", 0, fmt.Errorf("failpoint line %q: %w", lines[i], err)
		}
		return rec.Dossier, rec.Version, nil
	}
	return "", 0, fmt.Errorf("tdkt api exited without the failpoint's line; its log: %s", c.tail())
}

// kill sends SIGKILL to the child's whole process group and waits.
func (c *child) kill() {
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.Done()
}

// stop asks the child's process group to stop, then kills it after grace.
func (c *child) stop(grace time.Duration) {
	if c.Exited() {
		return
	}
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-c.Done():
	case <-time.After(grace):
		c.kill()
	}
}

func killAllChildren() {
	children.mu.Lock()
	defer children.mu.Unlock()
	for _, c := range children.all {
		if !c.Exited() {
			c.kill()
		}
	}
}

// tail is the end of the child's log, for error messages.
func (c *child) tail() string {
	b, _ := os.ReadFile(c.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}

// waitLog waits until the child's log (since its start) holds marker.
func (c *child) waitLog(ctx context.Context, marker string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		b, _ := os.ReadFile(c.logPath)
		if i := strings.LastIndex(string(b), "=== "); i >= 0 && strings.Contains(string(b[i:]), marker) {
			return nil
		}
		if c.Exited() {
			return fmt.Errorf("tdkt %s exited (%v) before it was ready; its log: %s", c.name, c.Err(), c.tail())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("tdkt %s not ready after %s (no %s in its log): %s", c.name, wait, marker, c.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pgControl stops and starts the suite's PostgreSQL on the same data
// directory and port, which devenv (a fresh port at every start) does not.
type pgControl struct {
	pgCtl   string
	cred    *syscall.Credential
	dataDir string
	port    int
	sockDir string
	logFile string
}

func newPGControl(pg *devenv.Postgres) (*pgControl, error) {
	bin, err := exec.LookPath("pg_ctl")
	if err != nil {
		return nil, errors.New("pg_ctl not on PATH: install the PostgreSQL server binaries and put their directory on PATH")
	}
	p := &pgControl{pgCtl: bin, dataDir: pg.DataDir, port: pg.Port, logFile: filepath.Join(pg.DataDir, "restart.log")}
	if os.Geteuid() == 0 {
		// As root, devenv runs PostgreSQL as the owner of the data directory.
		fi, err := os.Stat(pg.DataDir)
		if err != nil {
			return nil, err
		}
		st := fi.Sys().(*syscall.Stat_t)
		p.cred = &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
	}
	if p.sockDir, err = os.MkdirTemp("", "tdkt-faults-sock-"); err != nil {
		return nil, err
	}
	if p.cred != nil {
		if err := os.Chown(p.sockDir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *pgControl) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, p.pgCtl, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (p *pgControl) running(ctx context.Context) bool {
	return p.run(ctx, "status", "-D", p.dataDir) == nil
}

// stopImmediate is `pg_ctl stop -m immediate`: every backend is killed at
// once, no checkpoint; the next start replays the WAL.
func (p *pgControl) stopImmediate(ctx context.Context) error {
	return p.run(ctx, "stop", "-D", p.dataDir, "-m", "immediate", "-w", "-t", "60", "-s")
}

// start starts the server again on the same port and data directory.
func (p *pgControl) start(ctx context.Context) error {
	opts := []string{"-p", strconv.Itoa(p.port), "-k", p.sockDir, "-c", "listen_addresses=127.0.0.1"}
	for i, o := range opts {
		opts[i] = "'" + strings.ReplaceAll(o, "'", `'\''`) + "'"
	}
	return p.run(ctx, "start", "-D", p.dataDir, "-l", p.logFile, "-w", "-t", "60", "-s", "-o", strings.Join(opts, " "))
}
