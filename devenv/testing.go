package devenv

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tdkt/store"
)

// The servers of this test process, started on first use.
var shared struct {
	// Two locks, so a test waiting for Temporal to start does not hold up
	// one that only needs a database.
	pgMu, tMu sync.Mutex
	pg        *Postgres
	pgErr     error
	temporal  *Temporal
	tErr      error
	signals   sync.Once
}

var dbSeq atomic.Int64

// RunTests runs the tests of a package and then stops the servers they
// started. Use it in TestMain: `func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }`.
func RunTests(m *testing.M) int {
	code := m.Run()
	stopShared()
	return code
}

func stopShared() {
	shared.tMu.Lock()
	if shared.temporal != nil {
		shared.temporal.Stop()
		shared.temporal = nil
	}
	shared.tMu.Unlock()
	shared.pgMu.Lock()
	if shared.pg != nil {
		shared.pg.Stop()
		shared.pg = nil
	}
	shared.pgMu.Unlock()
}

// watchSignals stops the servers when the test process is interrupted; a
// harder death is covered by the Postgres watchdog and Temporal's Pdeathsig.
func watchSignals() {
	shared.signals.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		go func() {
			s := <-ch
			stopShared()
			fmt.Fprintf(os.Stderr, "devenv: %v: stopped test servers\n", s)
			os.Exit(1)
		}()
	})
}

// TestPostgres returns the URL of a fresh, empty database on this process's
// PostgreSQL. $TDKT_TEST_DATABASE_URL names an existing server to use instead
// of starting one (the databases are created there).
func TestPostgres(t testing.TB) string {
	t.Helper()
	pg, err := sharedPostgres()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := testDBName(t.Name())
	if err != nil {
		t.Fatalf("devenv: no PostgreSQL for the tests: %v", err)
	}
	if pg == nil {
		url, err := createOn(ctx, os.Getenv("TDKT_TEST_DATABASE_URL"), name)
		if err != nil {
			t.Fatalf("devenv: TDKT_TEST_DATABASE_URL: %v", err)
		}
		return url
	}
	url, err := pg.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatalf("devenv: %v", err)
	}
	return url
}

func sharedPostgres() (*Postgres, error) {
	if os.Getenv("TDKT_TEST_DATABASE_URL") != "" {
		return nil, nil
	}
	shared.pgMu.Lock()
	defer shared.pgMu.Unlock()
	if shared.pg != nil || shared.pgErr != nil {
		return shared.pg, shared.pgErr
	}
	watchSignals()
	base, err := os.MkdirTemp("", "tdkt-test-pg-")
	if err == nil {
		// The postgres user (when we are root) must reach the data dir.
		err = os.Chmod(base, 0o755)
	}
	if err != nil {
		shared.pgErr = fmt.Errorf("temporary directory: %w", err)
		return nil, shared.pgErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shared.pg, shared.pgErr = startPostgres(ctx, base+"/data", pgOptions{throwaway: true, cleanup: []string{base}})
	if shared.pgErr != nil {
		os.RemoveAll(base)
	}
	return shared.pg, shared.pgErr
}

var notIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// testDBName is unique in the server and says which test made it, for
// someone looking at the server while a test hangs.
func testDBName(test string) string {
	name := fmt.Sprintf("t%d_%d_%s", os.Getpid(), dbSeq.Add(1), notIdent.ReplaceAllString(strings.ToLower(test), "_"))
	if len(name) > 63 { // PostgreSQL's identifier limit
		name = name[:63]
	}
	return name
}

// TestTemporal returns this process's Temporal dev server: in memory, no UI,
// search attributes registered. Tests share it; give each its own task queue
// and workflow ids.
func TestTemporal(t testing.TB) *Temporal {
	t.Helper()
	shared.tMu.Lock()
	defer shared.tMu.Unlock()
	if shared.temporal == nil && shared.tErr == nil {
		watchSignals()
		shared.temporal, shared.tErr = StartTemporal(context.Background(), TemporalOptions{Headless: true})
	}
	if shared.tErr != nil {
		t.Fatalf("devenv: no Temporal for the tests: %v", shared.tErr)
	}
	return shared.temporal
}

// TestStore is the read model on a fresh, migrated database of the test
// process's PostgreSQL, closed when the test ends.
func TestStore(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, TestPostgres(t))
	if err != nil {
		t.Fatalf("open the test read model: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := store.Migrate(ctx, st.DB.DB, "up"); err != nil {
		t.Fatalf("migrate the test read model: %v", err)
	}
	return st
}

// TestCluster starts a Temporal cluster (devenv.StartCluster) on the tests'
// PostgreSQL, with databases of its own, stopped when t ends. It fails t
// with what to do when the cluster's tools are not built.
func TestCluster(t testing.TB) *Cluster {
	t.Helper()
	pg, err := sharedPostgres()
	if err != nil || pg == nil {
		t.Fatalf("devenv: a cluster needs the tests' own PostgreSQL (TDKT_TEST_DATABASE_URL unset): %v", err)
	}
	c, err := StartCluster(context.Background(), ClusterOptions{Postgres: pg, Dir: t.TempDir(), Prefix: testDBName(t.Name())})
	if err != nil {
		t.Fatalf("devenv: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, s := range ClusterServices {
				t.Logf("Temporal %s's log, its end:\n%s", s, c.Log(s))
			}
		}
		_ = c.Stop()
	})
	return c
}
