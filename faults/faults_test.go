package faults

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The sizes of the cases. Issue 6 asks for 100 dossiers mid-path when the
// worker is killed; the other cases use fewer so that the whole suite stays
// within a few minutes on a two-core machine.
const (
	workerKillDossiers = 100
	otherDossiers      = 50
	clients            = 16
	caseTimeout        = 4 * time.Minute
)

// faultCase runs a load of n dossiers and, once trigger actions have been
// accepted, the fault; it waits for both, then verifies.
type faultCase struct {
	name    string
	slug    string // in campaign names and idempotency keys
	n       int
	trigger int64
	// fault breaks something and mends it; it returns what to print.
	fault func(ctx context.Context, l *load) (string, error)
}

func (c faultCase) run(t *testing.T) (*load, *observed) {
	s := sys
	s.ensureUp(t)
	obs := &observed{}
	l := newLoad(s, c.slug, c.n, obs)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	start := time.Now()

	var (
		wg       sync.WaitGroup
		faultMsg string
		faultErr error
		midPath  int64
		at       int64
	)
	loaded := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for l.accepted.Load() < c.trigger {
			select {
			case <-loaded:
				faultErr = fmt.Errorf("the load ended at %d accepted actions, before the fault's %d", l.accepted.Load(), c.trigger)
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
		at = l.accepted.Load()
		midPath = l.submitted.Load() - l.finished.Load()
		faultMsg, faultErr = c.fault(ctx, l)
	}()
	l.run(ctx, clients)
	close(loaded)
	wg.Wait()
	if faultErr != nil {
		t.Errorf("%s: the fault itself failed: %v", c.name, faultErr)
	}
	total := int64(c.n * (1 + len(documents) + len(path)))
	if at >= total {
		t.Errorf("%s: the fault came after the load had finished", c.name)
	}

	vctx, vcancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer vcancel()
	f := l.verify(vctx, s)
	extra := fmt.Sprintf("fault injected at %d of %d actions with %d dossiers mid-path: %s; API answers: %d, 503s %d (%d with Retry-After and problem+json), connection errors %d",
		at, total, midPath, faultMsg, obs.requests.Load(), obs.unavailable.Load(), obs.wellFormed.Load(), obs.connErrors.Load())
	report(t, c.name, f, time.Since(start), extra)
	for _, e := range obs.fiveXX() {
		t.Errorf("%s: a 5xx other than 503: %s", c.name, e)
	}
	for _, e := range obs.malformed503() {
		t.Errorf("%s: a 503 without Retry-After or problem+json: %s", c.name, e)
	}
	if t.Failed() {
		w, a := s.children()
		t.Logf("worker log (end): %s", w.tail())
		t.Logf("API log (end): %s", a.tail())
	}
	return l, obs
}

// a. The worker is killed (SIGKILL) while every dossier is mid-path, and
// started again: every dossier finishes.
func TestWorkerKilledMidPath(t *testing.T) {
	n := workerKillDossiers
	faultCase{name: "worker SIGKILL", slug: "worker-kill", n: n,
		// All n submitted and a fifth of them accepted: breadth first,
		// every dossier is then between reception and decision.
		trigger: int64(n + n/5),
		fault: func(ctx context.Context, l *load) (string, error) {
			s := sys
			w, _ := s.children()
			w.kill()
			if s.cluster != nil {
				// Two workers: the other carries on, and the dead one's
				// tasks go to it once their timeouts expire. It is
				// started again by the next case.
				return "worker-1 of 2 killed and left down; worker-2 carried on", nil
			}
			down := time.Now()
			time.Sleep(2 * time.Second)
			if err := s.startWorker(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("worker down %s", time.Since(down).Round(100*time.Millisecond)), nil
		}}.run(t)
}

// b. PostgreSQL stops (immediate mode) for 10 s under load: the API answers
// 503 with Retry-After meanwhile, nothing accepted is lost, and the read
// model catches up once the database is back on the same port and data.
func TestDatabaseDownUnderLoad(t *testing.T) {
	n := otherDossiers
	var probes []string
	var probeMu sync.Mutex
	var probed int
	_, obs := faultCase{name: "PostgreSQL stopped 10s", slug: "pg-stop", n: n, trigger: int64(n + n/4),
		fault: func(ctx context.Context, l *load) (string, error) {
			s := sys
			if err := s.pgctl.stopImmediate(ctx); err != nil {
				return "", err
			}
			down := time.Now()
			// Meanwhile every read and action is refused with 503: probe
			// each route while the load's clients back off.
			id, _ := l.someID.Load().(string)
			probeCtx, stop := context.WithTimeout(ctx, 9*time.Second)
			a := s.client(l.api.obs)
			routes := []struct{ method, path, who string }{
				{http.MethodGet, "/readyz", ""},
				{http.MethodGet, "/api/v1/dossiers?limit=5", asAdmin},
				{http.MethodGet, "/api/v1/dossiers/" + id, asOff},
				{http.MethodGet, "/api/v1/dossiers/" + id + "/history", asOff},
				{http.MethodGet, "/api/v1/tasks", asOff},
				// A stale If-Match: refused whatever happens, never applied.
				{http.MethodPost, "/api/v1/dossiers/" + id + "/actions/accept", asOff},
			}
			time.Sleep(500 * time.Millisecond)
			for probeCtx.Err() == nil {
				for _, r := range routes {
					var body []byte
					ctype := ""
					if r.method == http.MethodPost {
						body, ctype = []byte(`{"comment":"probe"}`), "application/json"
					}
					resp, err := a.raw(probeCtx, r.method, r.path, r.who, body, ctype, ifMatch(999999))
					if probeCtx.Err() != nil {
						break
					}
					probeMu.Lock()
					probed++
					if err != nil || resp.status != http.StatusServiceUnavailable || resp.header.Get("Retry-After") == "" || !resp.isProblem() {
						probes = append(probes, fmt.Sprintf("%s %s: %v %v", r.method, r.path, resp, err))
					}
					probeMu.Unlock()
				}
				time.Sleep(200 * time.Millisecond)
			}
			stop()
			if d := 10*time.Second - time.Since(down); d > 0 {
				time.Sleep(d)
			}
			if err := s.pgctl.start(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("PostgreSQL down %s", time.Since(down).Round(100*time.Millisecond)), nil
		}}.run(t)
	t.Logf("PostgreSQL stopped 10s: %d probe requests during the outage, %d not a well-formed 503", probed, len(probes))
	for _, p := range probes {
		t.Errorf("during the database outage, not a 503 with Retry-After and problem+json: %s", p)
	}
	if obs.wellFormed.Load() == 0 {
		t.Errorf("no 503 with Retry-After and problem+json was seen while the database was down")
	}
}

// c. The API is killed (SIGKILL) mid-load and started again: every action
// is either fully visible or was never acknowledged.
func TestAPIKilledMidLoad(t *testing.T) {
	n := otherDossiers
	faultCase{name: "API SIGKILL", slug: "api-kill", n: n, trigger: int64(n + n/2),
		fault: func(ctx context.Context, l *load) (string, error) {
			s := sys
			_, a := s.children()
			a.kill()
			if s.cluster != nil {
				// Two APIs: the clients' requests to the dead one fail
				// and are sent again to the other.
				return "api-1 of 2 killed and left down; the clients moved to api-2", nil
			}
			down := time.Now()
			time.Sleep(time.Second)
			if err := s.startAPI(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("API down %s", time.Since(down).Round(100*time.Millisecond)), nil
		}}.run(t)
}

// c2. The API dies (SIGKILL, from a failpoint) at the worst moment: right
// after Temporal has completed an action's update, before the API has
// written it into the read model or answered. With no API up, nobody reads
// the dossier, so what writes it is the workers' reconciler alone; the time
// from the kill until the read model shows the action is reported.
func TestAPIKilledAfterTemporalAnswered(t *testing.T) {
	n := otherDossiers
	faultCase{name: "API SIGKILL after Temporal's answer", slug: "api-kill-answered", n: n, trigger: int64(n + n/2),
		fault: func(ctx context.Context, l *load) (string, error) {
			s := sys
			_, a := s.children()
			a.kill()
			err := s.startAPI(ctx, "TDKT_FAILPOINT=kill-after-update")
			_, doomed := s.children()
			// With a second API serving the clients, the failpoint may fire
			// before this one has answered its readiness probe: that exit is
			// the fault itself (failpoint() below says whether it fired).
			if err != nil && (doomed == nil || !doomed.Exited()) {
				return "", err
			}
			select {
			case <-doomed.Done():
			case <-ctx.Done():
				return "", fmt.Errorf("the failpoint never fired: %w", ctx.Err())
			}
			killed := time.Now()
			id, version, err := doomed.failpoint()
			if err != nil {
				return "", err
			}
			// Poll the read model itself: the API is down, so no read
			// catches the dossier up; only the reconciler can.
			var caughtUp time.Duration
			for {
				var v int64
				err := s.db.QueryRowContext(ctx, `SELECT version FROM dossiers WHERE id = $1`, id).Scan(&v)
				if err == nil && v >= version {
					caughtUp = time.Since(killed)
					break
				}
				if time.Since(killed) > 30*time.Second {
					return "", fmt.Errorf("%s v%d: the read model did not catch up within 30 s of the kill (at v%d, %v)", id, version, v, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			catchUp.Store(int64(caughtUp))
			if err := s.startAPI(ctx); err != nil {
				return "", err
			}
			up := "with no API up"
			if s.cluster != nil {
				up = "api-2 serving the clients meanwhile"
			}
			return fmt.Sprintf("API killed after Temporal completed %s v%d; the read model had it %.1f s after the kill, %s; API down %s",
				id, version, caughtUp.Seconds(), up, time.Since(killed).Round(100*time.Millisecond)), nil
		}}.run(t)
	if d := time.Duration(catchUp.Load()); d == 0 {
		t.Errorf("no catch-up was measured")
	}
}

// catchUp is the last measured catch-up of TestAPIKilledAfterTemporalAnswered.
var catchUp atomic.Int64

// d. The Temporal dev server (file persistence) is stopped and started
// again on the same port and database file under load: every dossier
// resumes and finishes.
func TestTemporalRestartedUnderLoad(t *testing.T) {
	n := otherDossiers
	faultCase{name: "Temporal restart", slug: "temporal-restart", n: n, trigger: int64(n + n/2),
		fault: func(ctx context.Context, l *load) (string, error) {
			s := sys
			down := time.Now()
			if s.cluster != nil {
				// The cluster: the history service's process is killed
				// (its shards go unowned) and started again.
				if err := s.cluster.KillService("history"); err != nil {
					return "", err
				}
				time.Sleep(time.Second)
				if err := s.cluster.StartService("history"); err != nil {
					return "", err
				}
				return fmt.Sprintf("Temporal's history service SIGKILLed and started again, down %s", time.Since(down).Round(100*time.Millisecond)), nil
			}
			s.temporalDown = true
			s.temporal.Stop()
			if err := s.startTemporal(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("Temporal down %s", time.Since(down).Round(100*time.Millisecond)), nil
		}}.run(t)
}
