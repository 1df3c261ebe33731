package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tdkt/domain"
)

// batchDossiers is the size of the batch the worker is killed under
// (issue 12: 200).
const batchDossiers = 200

// e. The worker is killed (SIGKILL) while a 200-dossier decision batch is
// being signed, and started again: the batch ends signed, every dossier is
// awarded exactly once carrying the batch's number, with one decide in its
// history, its read model equal to its workflow, and no mark left; a second
// sign sent while the first is in flight gets 409.
func TestWorkerKilledWhileSigningABatch(t *testing.T) {
	s := sys
	s.ensureUp(t)
	obs := &observed{}
	l := newLoad(s, "batch-kill", batchDossiers, obs)
	l.path = path[:2] // accept, approve: every dossier waits in decision
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	start := time.Now()
	ids := l.reachAll(ctx, t, "decision")
	setup := time.Since(start)

	created, err := l.api.jsonReq(ctx, http.MethodPost, "/api/v1/batches", asOff,
		map[string]any{"kind": "decision", "title": "Tặng Bằng khen (bộ kiểm thử sự cố)", "dossiers": ids}, nil)
	if err != nil || created.status != http.StatusCreated {
		t.Fatalf("draft the batch: %v %v", created, err)
	}
	var b struct {
		ID      string   `json:"id"`
		Status  string   `json:"status"`
		Number  string   `json:"number"`
		Moved   []string `json:"moved"`
		Dropped []any    `json:"dropped"`
	}
	if err := json.Unmarshal(created.body, &b); err != nil {
		t.Fatal(err)
	}

	// The sign, in flight while the worker dies once some dossiers carry
	// the number; a second sign meanwhile.
	k := s.killDuringFanOut(ctx, t, l, "/api/v1/batches/"+b.ID+"/actions/sign", asChair, "stage = 'awarded'", batchDossiers/10,
		"/api/v1/batches/"+b.ID, &b, func() bool { return b.Status == "signed" })

	f := &figures{started: len(ids)}
	if b.Status != "signed" {
		f.problem("the batch is %q, not signed", b.Status)
	}
	if len(b.Moved) != batchDossiers || len(b.Dropped) != 0 {
		f.problem("the batch moved %d and dropped %d of %d", len(b.Moved), len(b.Dropped), batchDossiers)
	}
	for _, id := range ids {
		f.appliedOnce(ctx, s, l.api, id, domain.ActDecide, func(v domain.View) string {
			if v.Stage != domain.Awarded || v.Decision == nil || v.Decision.Number != b.Number {
				return fmt.Sprintf("stage %s, decision %+v, want awarded with %s", v.Stage, v.Decision, b.Number)
			}
			return ""
		}, func(domain.HistoryEntry) string { return "" })
	}
	marks := f.marksDrained(ctx, s)
	var numbers int
	_ = s.db.QueryRowContext(ctx, `SELECT count(*) FROM issued_numbers WHERE dossier_id = ANY(
		SELECT id FROM dossiers WHERE campaign = $1)`, l.campaign).Scan(&numbers)
	if numbers != 0 {
		f.duplicates += numbers
		f.problem("%d dossiers of the batch issued a number of their own", numbers)
	}
	f.accepted = len(b.Moved)
	report(t, "worker SIGKILL while signing a batch", f, time.Since(start), fmt.Sprintf(
		"%d dossiers brought to decision in %s; worker killed with %d of them awarded, down %s; the batch %s (number %s) signed %.1f s after the kill; a second sign in flight answered %d; %s",
		batchDossiers, setup.Round(100*time.Millisecond), k.killedAt, k.downFor.Round(100*time.Millisecond), b.ID, b.Number, k.doneIn.Seconds(), k.second.status, marks))
}
