package faults

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"
)

// The batch and session cases share their shape: bring dossiers to the
// fan-out's stage, send the fan-out (a batch's sign, a session's close),
// and kill the worker while it runs.

// reachAll runs l and gives the ids of its dossiers, failing t when one did
// not reach the end of l's path (named by stage).
func (l *load) reachAll(ctx context.Context, t *testing.T, stage string) []string {
	t.Helper()
	l.run(ctx, clients)
	var ids []string
	for _, r := range l.runs {
		if r.err != nil || r.id == "" {
			t.Fatalf("dossier %d did not reach %s: %v", r.n, stage, r.err)
		}
		ids = append(ids, r.id)
	}
	return ids
}

// fanOutKill is what killDuringFanOut saw.
type fanOutKill struct {
	// second is the answer to the fan-out sent again while in flight.
	second reply
	// killedAt is how many dossiers had moved when the worker was killed.
	killedAt int
	// downFor is how long the worker was down; doneIn, from the kill until
	// the fan-out's object was read finished.
	downFor, doneIn time.Duration
}

// killDuringFanOut sends the fan-out (POST path as who) and, once at least
// least of l's dossiers are in a stage that moved says (an SQL condition on
// stage), sends it again, SIGKILLs the worker and starts it again a second
// later. Then it reads the fan-out's answer into v, or, when the outage
// lost it, GET getPath into v until finished(), which reads v.
func (s *stack) killDuringFanOut(ctx context.Context, t *testing.T, l *load, path, who string, moved string, least int,
	getPath string, v any, finished func() bool) fanOutKill {
	t.Helper()
	count := func() (n int) {
		_ = s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE campaign = $1 AND `+moved, l.campaign).Scan(&n)
		return n
	}
	var (
		wg     sync.WaitGroup
		answer reply
		aerr   error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		answer, aerr = l.api.jsonReq(ctx, http.MethodPost, path, who, nil, nil)
	}()
	deadline := time.Now().Add(time.Minute)
	for count() < least && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var k fanOutKill
	var err error
	k.second, err = l.api.jsonReq(ctx, http.MethodPost, path, who, nil, nil)
	if err != nil || k.second.status != http.StatusConflict {
		t.Errorf("%s sent again in flight: want 409, got %v %v", path, k.second, err)
	}
	w, _ := s.children()
	w.kill()
	k.killedAt = count()
	down := time.Now()
	time.Sleep(time.Second)
	if err := s.startWorker(ctx); err != nil {
		t.Fatal(err)
	}
	k.downFor = time.Since(down)
	wg.Wait()
	if aerr == nil && answer.status == http.StatusOK {
		_ = json.Unmarshal(answer.body, v)
	}
	for !finished() && ctx.Err() == nil {
		r, err := l.api.jsonReq(ctx, http.MethodGet, getPath, asAdmin, nil, nil)
		if err == nil && r.status == http.StatusOK {
			_ = json.Unmarshal(r.body, v)
		}
		if !finished() {
			time.Sleep(200 * time.Millisecond)
		}
	}
	k.doneIn = time.Since(down)
	return k
}
