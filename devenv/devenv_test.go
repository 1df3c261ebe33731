package devenv

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"tdkt/workflows"
)

func TestMain(m *testing.M) { os.Exit(RunTests(m)) }

func TestPostgresDatabasesAreFreshAndDistinct(t *testing.T) {
	a, b := TestPostgres(t), TestPostgres(t)
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	ctx := context.Background()
	dbA, err := sql.Open("postgres", a)
	if err != nil {
		t.Fatal(err)
	}
	defer dbA.Close()
	if _, err := dbA.ExecContext(ctx, "CREATE TABLE marker (x int)"); err != nil {
		t.Fatalf("create table in %s: %v", a, err)
	}
	dbB, err := sql.Open("postgres", b)
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	var n int
	if err := dbB.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'").Scan(&n); err != nil {
		t.Fatalf("query %s: %v", b, err)
	}
	if n != 0 {
		t.Fatalf("database %s sees the table created in %s", b, a)
	}
	var enc, collate string
	if err := dbB.QueryRowContext(ctx, "SELECT pg_encoding_to_char(encoding), datcollate FROM pg_database WHERE datname = current_database()").Scan(&enc, &collate); err != nil {
		t.Fatal(err)
	}
	if enc != "UTF8" || collate != "C" {
		t.Fatalf("encoding %s collate %s, want UTF8 and C", enc, collate)
	}
	// Vietnamese text round-trips.
	var s string
	if err := dbB.QueryRowContext(ctx, "SELECT $1::text", "Sở Giáo dục và Đào tạo").Scan(&s); err != nil || s != "Sở Giáo dục và Đào tạo" {
		t.Fatalf("round trip: %q, %v", s, err)
	}
}

func TestCreateDatabaseIsIdempotent(t *testing.T) {
	pg, err := sharedPostgres()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u1, err := pg.CreateDatabase(ctx, "Idem-Potent")
	if err != nil {
		t.Fatal(err)
	}
	u2, err := pg.CreateDatabase(ctx, "Idem-Potent")
	if err != nil {
		t.Fatalf("second create: %v", err)
	}
	if u1 != u2 || !strings.Contains(u1, "/Idem-Potent?") {
		t.Fatalf("urls %s and %s", u1, u2)
	}
	db, _ := sql.Open("postgres", u1)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("connect to %s: %v", u1, err)
	}
}

// A persistent cluster keeps its data across a stop and a start, as `tdkt
// dev` relies on; and Stop leaves no server running.
func TestPostgresRestartKeepsData(t *testing.T) {
	dir := openTempDir(t)
	ctx := context.Background()
	pg, err := StartPostgres(ctx, filepath.Join(dir, "pg"))
	if err != nil {
		t.Fatal(err)
	}
	url, err := pg.CreateDatabase(ctx, "tdkt")
	if err != nil {
		pg.Stop()
		t.Fatal(err)
	}
	db, _ := sql.Open("postgres", url)
	_, err = db.ExecContext(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hồ sơ')")
	db.Close()
	if err != nil {
		pg.Stop()
		t.Fatal(err)
	}
	if _, err := StartPostgres(ctx, filepath.Join(dir, "pg")); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second start on a running data dir: %v, want an 'already running' error", err)
	}
	port := pg.Port
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if portFree(port) == false {
		t.Fatalf("port %d still taken after Stop", port)
	}

	pg, err = StartPostgres(ctx, filepath.Join(dir, "pg"))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	db, _ = sql.Open("postgres", pg.URL("tdkt"))
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "hồ sơ" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}

// The watchdog stops the server when its starter dies without calling Stop.
func TestPostgresWatchdogStopsServerWhenParentDies(t *testing.T) {
	if os.Getenv("DEVENV_ORPHAN_CHILD") != "" {
		// Child mode: start a server, report it, die hard.
		pg, err := StartPostgres(context.Background(), os.Getenv("DEVENV_ORPHAN_CHILD"))
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("READY\n")
		_ = pg
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	dir := openTempDir(t)
	data := filepath.Join(dir, "pg")
	cmd := exec.Command(os.Args[0], "-test.run=^TestPostgresWatchdogStopsServerWhenParentDies$")
	cmd.Env = append(os.Environ(), "DEVENV_ORPHAN_CHILD="+data)
	out, _ := cmd.CombinedOutput() // killed: an error is expected
	if !strings.Contains(string(out), "READY") {
		t.Fatalf("child did not start PostgreSQL: %s", out)
	}
	pidFile := filepath.Join(data, "postmaster.pid")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(pidFile); os.IsNotExist(err) {
			return // a clean shutdown removes postmaster.pid
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(pidFile)
			t.Fatalf("postgres still running 30s after its parent died: %s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTemporalHealthyWithSearchAttributes(t *testing.T) {
	tmp := TestTemporal(t)
	if tmp != TestTemporal(t) {
		t.Fatal("TestTemporal started a second server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	if err != nil {
		t.Fatalf("dial %s: %v", tmp.Address, err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: tmp.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	for _, sa := range workflows.SearchAttributes {
		got, ok := resp.GetCustomAttributes()[sa.Name]
		if !ok {
			t.Errorf("search attribute %s missing", sa.Name)
		} else if got != sa.Type {
			t.Errorf("search attribute %s is %v, want %v", sa.Name, got, sa.Type)
		}
	}
	if resp.GetCustomAttributes()["DossierDueAt"] != enums.INDEXED_VALUE_TYPE_DATETIME {
		t.Error("DossierDueAt is not a Datetime")
	}
	if tmp.UIURL != "" {
		t.Errorf("test server has a UI at %s; it should be headless", tmp.UIURL)
	}
}

// A persistent dev server keeps its state across a restart (the `tdkt dev`
// case), has a working UI, and refuses a port that is taken with a clear
// message.
func TestTemporalPersistentRestartAndPortTaken(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "temporal.db")
	tmp, err := StartTemporal(ctx, TemporalOptions{DBFile: db, Namespace: "tdkt-test"})
	if err != nil {
		t.Fatal(err)
	}
	port := strings.TrimPrefix(tmp.Address, "127.0.0.1:")
	_, err = StartTemporal(ctx, TemporalOptions{Port: atoi(t, port), Headless: true})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+port+" is already in use") {
		t.Errorf("start on a taken port: %v", err)
	}
	ui, err := httpGet(tmp.UIURL)
	if err != nil || ui != 200 {
		t.Errorf("UI %s: %d %v", tmp.UIURL, ui, err)
	}
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "kept", TaskQueue: "nobody-polls"}, "Nothing")
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := tmp.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := tmp.proc.cmd.Process.Signal(syscall.Signal(0)); err == nil {
		t.Fatal("Temporal process alive after Stop")
	}

	tmp, err = StartTemporal(ctx, TemporalOptions{DBFile: db, Namespace: "tdkt-test", Headless: true})
	if err != nil {
		t.Fatalf("restart on the same database: %v", err)
	}
	defer tmp.Stop()
	c, err = client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := c.DescribeWorkflowExecution(ctx, "kept", run.GetRunID())
	if err != nil {
		t.Fatalf("workflow started before the restart: %v", err)
	}
	if d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status %v", d.GetWorkflowExecutionInfo().GetStatus())
	}
}

func TestTemporalBinaryMissing(t *testing.T) {
	t.Setenv("TDKT_TEMPORAL_BIN", filepath.Join(t.TempDir(), "nope"))
	if _, err := TemporalBinary(); err == nil || !strings.Contains(err.Error(), "TDKT_TEMPORAL_BIN") {
		t.Fatalf("got %v", err)
	}
	t.Setenv("TDKT_TEMPORAL_BIN", "")
	t.Chdir(t.TempDir())
	if _, err := TemporalBinary(); err == nil || !strings.Contains(err.Error(), "make bin/temporal") {
		t.Fatalf("outside the module: %v", err)
	}
}

// Running as root, PostgreSQL runs as the postgres user: a data directory it
// cannot reach is refused up front with the reason, not initdb's bare
// "Permission denied".
func TestPostgresUnreachableDataDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Log("not root: PostgreSQL runs as this user, nothing to check")
		return
	}
	_, err := StartPostgres(context.Background(), filepath.Join(t.TempDir(), "pg")) // t.TempDir's parent is 0700
	if err == nil || !strings.Contains(err.Error(), "cannot enter") {
		t.Fatalf("got %v", err)
	}
}

func TestNoPostgresBinaries(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := StartPostgres(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "initdb, pg_ctl") || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("got %v", err)
	}
}

func TestTestDBName(t *testing.T) {
	n := testDBName("TestSomething/With Spaces-and-ÜTF/" + strings.Repeat("x", 80))
	if len(n) > 63 || notIdent.MatchString(n) {
		t.Fatalf("bad name %q", n)
	}
}
