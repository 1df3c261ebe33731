package devenv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"

	"tdkt/deploy"
	"tdkt/workflows"
)

// A Temporal cluster on this machine, as a province runs one: the Temporal
// server (go.temporal.io/server, pinned in tools/go.mod) with its default
// store and its visibility on PostgreSQL, the schema set up and updated by
// temporal-sql-tool from the server module's own schema files, and the four
// services (frontend, history, matching, worker) as separate processes, all
// configured by deploy/temporal/tdkt.yaml, the file docker-compose.yml runs.

// ClusterServices are the Temporal services, in the order they start.
var ClusterServices = []string{"history", "matching", "frontend", "worker"}

// ClusterOptions configures StartCluster.
type ClusterOptions struct {
	// Postgres holds Temporal's two databases (required).
	Postgres *Postgres
	// Dir holds the configuration the services run and their logs.
	Dir string
	// Databases are named Prefix and Prefix+"_visibility" ("temporal").
	Prefix string
	// Shards is the number of history shards (4); fixed for a cluster's life.
	Shards int
	// Namespace is registered with Retention ("default", 90 days).
	Namespace string
	Retention time.Duration
	// Port is the frontend's gRPC port (0: a free one).
	Port int
}

// Cluster is a running Temporal cluster.
type Cluster struct {
	Address   string // the frontend, host:port
	Namespace string

	bin, dir string
	env      []string // the configuration's variables, shared by the services
	mu       sync.Mutex
	procs    map[string]*Proc
	logs     map[string]string
	ports    map[string]int // gRPC, by service
}

// listening waits until service accepts connections on its gRPC port.
func (c *Cluster) listening(ctx context.Context, service string) error {
	addr := "127.0.0.1:" + strconv.Itoa(c.ports[service])
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if err := c.exited(); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("Temporal %s does not listen on %s: %v\n%s", service, addr, err, c.Log(service))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TemporalServerBinary is the Temporal server to run: $TDKT_TEMPORAL_SERVER_BIN,
// else bin/temporal-server (`make cluster-tools`).
func TemporalServerBinary() (string, error) {
	return toolBinary("TDKT_TEMPORAL_SERVER_BIN", "temporal-server")
}

// TemporalSQLTool is temporal-sql-tool: $TDKT_TEMPORAL_SQL_TOOL, else
// bin/temporal-sql-tool.
func TemporalSQLTool() (string, error) {
	return toolBinary("TDKT_TEMPORAL_SQL_TOOL", "temporal-sql-tool")
}

// TemporalSchema is the folder of the server module's PostgreSQL schema
// (postgresql/v12/...): $TDKT_TEMPORAL_SCHEMA, else bin/temporal-schema.
func TemporalSchema() (string, error) { return toolBinary("TDKT_TEMPORAL_SCHEMA", "temporal-schema") }

func toolBinary(env, name string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", env, p, err)
		}
		return p, nil
	}
	notBuilt := fmt.Errorf("%s not built: run `make cluster-tools` (it builds the Temporal server and temporal-sql-tool pinned in tools/go.mod, and copies the server's schema)", name)
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%w (%v)", notBuilt, err)
	}
	p := filepath.Join(root, "bin", name)
	if _, err := os.Stat(p); err != nil {
		return "", notBuilt
	}
	return p, nil
}

// lowFreePort is a free port below 32768: Temporal keeps a service's ports
// in a smallint column (cluster_membership), which the kernel's ephemeral
// ports overflow.
func lowFreePort() (int, error) {
	for range 200 {
		p := 20000 + rand.IntN(12000)
		if portFree(p) {
			return p, nil
		}
	}
	return 0, errors.New("no free port between 20000 and 32000 on 127.0.0.1")
}

// clusterStartTimeout bounds a cluster's start: schema, services, namespace.
const clusterStartTimeout = 90 * time.Second

// StartCluster sets up Temporal's databases on o.Postgres (or updates their
// schema), starts the four services, registers the namespace and returns
// once a client can use it.
func StartCluster(ctx context.Context, o ClusterOptions) (*Cluster, error) {
	if o.Postgres == nil {
		return nil, errors.New("devenv: a cluster needs a PostgreSQL")
	}
	if o.Prefix == "" {
		o.Prefix = "temporal"
	}
	if o.Shards == 0 {
		o.Shards = 4
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Retention == 0 {
		o.Retention = 90 * 24 * time.Hour
	}
	bin, err := TemporalServerBinary()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, clusterStartTimeout)
	defer cancel()
	if err := setUpSchema(ctx, o.Postgres, o.Prefix); err != nil {
		return nil, err
	}
	// The configuration, written out of the binary: the same files compose
	// mounts.
	if err := os.MkdirAll(filepath.Join(o.Dir, "temporal"), 0o755); err != nil {
		return nil, err
	}
	err = fs.WalkDir(deploy.Temporal, "temporal", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := deploy.Temporal.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(o.Dir, p), b, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("write the Temporal configuration: %w", err)
	}
	vars := map[string]int{"FRONTEND_GRPC_PORT": o.Port}
	for _, v := range []string{"FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT", "HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT",
		"MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT", "WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT"} {
		vars[v] = 0
	}
	env := []string{"POSTGRES_SEEDS=127.0.0.1", "DB_PORT=" + strconv.Itoa(o.Postgres.Port), "POSTGRES_USER=" + pgSuperuser,
		"POSTGRES_PWD=", "DBNAME=" + o.Prefix, "VISIBILITY_DBNAME=" + o.Prefix + "_visibility",
		"NUM_HISTORY_SHARDS=" + strconv.Itoa(o.Shards), "BIND_ON_IP=127.0.0.1", "LOG_LEVEL=" + clusterLogLevel(),
		"DYNAMIC_CONFIG_FILE_PATH=" + filepath.Join(o.Dir, "temporal", "dynamicconfig.yaml")}
	for name, port := range vars {
		if port == 0 {
			if port, err = lowFreePort(); err != nil {
				return nil, err
			}
		} else if !portFree(port) {
			return nil, fmt.Errorf("Temporal port 127.0.0.1:%d is already in use (another cluster?): stop it", port)
		}
		vars[name] = port
		env = append(env, name+"="+strconv.Itoa(port))
	}
	c := &Cluster{Address: "127.0.0.1:" + strconv.Itoa(vars["FRONTEND_GRPC_PORT"]), Namespace: o.Namespace,
		bin: bin, dir: o.Dir, env: env, procs: map[string]*Proc{}, logs: map[string]string{}}
	// One after the other: each service writes the cluster's metadata when
	// it first starts, and on a fresh database two doing so at once can
	// make one of them exit.
	// (Temporal's own worker service serves no gRPC: it is not waited for.)
	c.ports = map[string]int{"history": vars["HISTORY_GRPC_PORT"], "matching": vars["MATCHING_GRPC_PORT"],
		"frontend": vars["FRONTEND_GRPC_PORT"]}
	for _, s := range ClusterServices {
		err := c.StartService(s)
		if err == nil && c.ports[s] != 0 {
			err = c.listening(ctx, s)
		}
		if err != nil {
			c.Stop()
			return nil, err
		}
	}
	if err := c.register(ctx, o.Retention); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// setUpSchema creates Temporal's two databases unless they exist and brings
// their schema to the server's version, with temporal-sql-tool and the
// schema files of the server module (what compose's temporal-schema does).
func setUpSchema(ctx context.Context, pg *Postgres, prefix string) error {
	tool, err := TemporalSQLTool()
	if err != nil {
		return err
	}
	schema, err := TemporalSchema()
	if err != nil {
		return err
	}
	for _, db := range []struct{ name, dir string }{
		{prefix, "temporal"}, {prefix + "_visibility", "visibility"},
	} {
		if _, err := pg.CreateDatabase(ctx, db.name); err != nil {
			return err
		}
		base := []string{"--plugin", "postgres12", "--ep", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-u", pgSuperuser, "--db", db.name}
		for _, args := range [][]string{
			{"setup-schema", "-v", "0.0"}, // only the version table; harmless when there
			{"update-schema", "-d", filepath.Join(schema, "postgresql", "v12", db.dir, "versioned")},
		} {
			cmd := exec.CommandContext(ctx, tool, append(base, args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("temporal-sql-tool %s on %s: %w\n%s", args[0], db.name, err, lastLines(string(out), 20))
			}
		}
	}
	return nil
}

// StartService starts one Temporal service (history, matching, frontend,
// worker); its output goes to <Dir>/<service>.log.
func (c *Cluster) StartService(service string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[service]; p != nil && !p.Exited() {
		return fmt.Errorf("Temporal %s is running already", service)
	}
	logPath := filepath.Join(c.dir, service+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	metrics, err := FreePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(c.bin, "--root", c.dir, "--config", "temporal", "--env", "tdkt", "--allow-no-auth", "start", "--service", service)
	cmd.Env = append(append(os.Environ(), c.env...), "PROMETHEUS_ENDPOINT=127.0.0.1:"+strconv.Itoa(metrics))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	p, err := Spawn(cmd)
	if err != nil {
		return fmt.Errorf("start Temporal %s: %w", service, err)
	}
	c.procs[service], c.logs[service] = p, logPath
	return nil
}

// Pids are the services' processes, for measuring their CPU.
func (c *Cluster) Pids() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for _, s := range ClusterServices {
		if p := c.procs[s]; p != nil && !p.Exited() {
			out = append(out, p.Pid())
		}
	}
	return out
}

// Running reports whether a service's process is up.
func (c *Cluster) Running(service string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.procs[service]
	return p != nil && !p.Exited()
}

// KillService SIGKILLs one service's process and waits for it to exit.
func (c *Cluster) KillService(service string) error {
	c.mu.Lock()
	p := c.procs[service]
	c.mu.Unlock()
	if p == nil || p.Exited() {
		return fmt.Errorf("Temporal %s is not running", service)
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
	<-p.Done()
	return nil
}

// Log is the tail of a service's log, for a failure's message.
func (c *Cluster) Log(service string) string {
	c.mu.Lock()
	path := c.logs[service]
	c.mu.Unlock()
	b, _ := os.ReadFile(path)
	return lastLines(string(b), 30)
}

// register waits for the frontend, registers the namespace unless it
// exists, and waits until a client can use it (the services learn of a new
// namespace by refreshing their cache).
func (c *Cluster) register(ctx context.Context, retention time.Duration) error {
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	nc, err := client.NewNamespaceClient(client.Options{HostPort: c.Address, Logger: quiet})
	if err != nil {
		return err
	}
	defer nc.Close()
	var last error
	for {
		if err := c.exited(); err != nil {
			return err
		}
		last = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: c.Namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(retention)})
		var exists *serviceerror.NamespaceAlreadyExists
		if last == nil || errors.As(last, &exists) {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("Temporal cluster: register namespace %s: %v\nfrontend log:\n%s\nhistory log:\n%s", c.Namespace, last, c.Log("frontend"), c.Log("history"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	cl, err := client.Dial(client.Options{HostPort: c.Address, Namespace: c.Namespace, Logger: quiet})
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := c.searchAttributes(ctx, cl); err != nil {
		return err
	}
	for {
		_, last = cl.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: c.Namespace, PageSize: 1})
		if last == nil {
			last = c.shardsReady(ctx, cl)
		}
		if last == nil {
			return nil
		}
		if err := c.exited(); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("Temporal cluster: namespace %s not usable: %v", c.Namespace, last)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// namespaceCacheRefresh is the server's default
// system.namespaceCacheRefreshInterval: how long history may take to learn of
// a namespace's new search attributes.
const namespaceCacheRefresh = 2 * time.Second

// searchAttributes registers the dossier's search attributes (as the dev
// server is started with them), and, when it added any, waits for the
// services' namespace caches to learn of them: a workflow task that upserts
// one the cache does not know yet fails.
func (c *Cluster) searchAttributes(ctx context.Context, cl client.Client) error {
	for {
		have, err := cl.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: c.Namespace})
		if err == nil {
			missing := map[string]enums.IndexedValueType{}
			for _, sa := range workflows.SearchAttributes {
				if _, ok := have.GetCustomAttributes()[sa.Name]; !ok {
					missing[sa.Name] = sa.Type
				}
			}
			if len(missing) == 0 {
				return nil
			}
			_, err = cl.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: c.Namespace, SearchAttributes: missing})
			if err == nil {
				time.Sleep(2 * namespaceCacheRefresh)
				return nil
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("Temporal cluster: search attributes of %s: %v", c.Namespace, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// shardsReady asks history for workflows that do not exist, under ids
// spread over the shards: NotFound from each means every shard it reached is
// owned and loaded (Unavailable, or a timeout, while history starts up).
func (c *Cluster) shardsReady(ctx context.Context, cl client.Client) error {
	for i := range 32 {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := cl.DescribeWorkflowExecution(pctx, fmt.Sprintf("devenv-readiness-%d", i), "")
		cancel()
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			return fmt.Errorf("history not ready: %v", err)
		}
	}
	return nil
}

// exited reports a service that has died, with its log.
func (c *Cluster) exited() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range ClusterServices {
		if p := c.procs[s]; p != nil && p.Exited() {
			b, _ := os.ReadFile(c.logs[s])
			return fmt.Errorf("Temporal %s exited: %v\n%s", s, p.Err(), lastLines(string(b), 30))
		}
	}
	return nil
}

// Stop stops the services (SIGTERM, then SIGKILL after 15 s), frontend first.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	procs := c.procs
	c.mu.Unlock()
	for _, s := range []string{"frontend", "worker", "matching", "history"} {
		p := procs[s]
		if p == nil || p.Exited() {
			continue
		}
		_ = syscall.Kill(-p.Pid(), syscall.SIGTERM)
		select {
		case <-p.Done():
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
			<-p.Done()
		}
	}
	return nil
}

// UIOptions configures StartUI.
type UIOptions struct {
	Frontend  string // the cluster's frontend, host:port
	Namespace string // shown first
	Port      int    // 0: a free one
	// Codec is the API's codec endpoint (<API>/codec), which decodes the
	// encrypted payloads for administrators; "" shows them encoded.
	Codec string
	Dir   string // its configuration and log
}

// UI is a running Temporal UI server.
type UI struct {
	URL  string
	proc *Proc
}

// StartUI starts Temporal UI's server (bin/temporal-ui-server, the one the
// CLI embeds) against a cluster's frontend, read-only as compose runs it:
// administrators act through the API, which checks who they are.
func StartUI(ctx context.Context, o UIOptions) (*UI, error) {
	bin, err := toolBinary("TDKT_TEMPORAL_UI_BIN", "temporal-ui-server")
	if err != nil {
		return nil, err
	}
	if o.Port == 0 {
		if o.Port, err = FreePort(); err != nil {
			return nil, err
		}
	} else if !portFree(o.Port) {
		return nil, fmt.Errorf("Temporal UI port 127.0.0.1:%d is already in use: stop whatever listens there", o.Port)
	}
	url := "http://127.0.0.1:" + strconv.Itoa(o.Port)
	conf := fmt.Sprintf(`temporalGrpcAddress: %s
port: %d
enableUi: true
defaultNamespace: %s
disableWriteActions: true
cors:
  allowOrigins:
    - %s
codec:
  endpoint: %s
`, o.Frontend, o.Port, o.Namespace, url, o.Codec)
	if err := os.MkdirAll(filepath.Join(o.Dir, "ui"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Dir, "ui", "tdkt.yaml"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(o.Dir, "ui.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--root", o.Dir, "--config", "ui", "--env", "tdkt", "start")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	p, err := Spawn(cmd)
	if err != nil {
		return nil, fmt.Errorf("start Temporal UI: %w", err)
	}
	u := &UI{URL: url, proc: p}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return u, nil
			}
		}
		if p.Exited() || time.Now().After(deadline) || ctx.Err() != nil {
			u.Stop()
			b, _ := os.ReadFile(filepath.Join(o.Dir, "ui.log"))
			return nil, fmt.Errorf("Temporal UI did not start: %v\n%s", err, lastLines(string(b), 20))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop stops the UI server.
func (u *UI) Stop() {
	if u.proc.Exited() {
		return
	}
	_ = syscall.Kill(-u.proc.Pid(), syscall.SIGTERM)
	select {
	case <-u.proc.Done():
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-u.proc.Pid(), syscall.SIGKILL)
		<-u.proc.Done()
	}
}

// clusterLogLevel is the services' log level: $TDKT_TEMPORAL_LOG_LEVEL, or warn.
func clusterLogLevel() string {
	if l := os.Getenv("TDKT_TEMPORAL_LOG_LEVEL"); l != "" {
		return l
	}
	return "warn"
}
