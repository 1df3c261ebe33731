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

// sessionDossiers is the agenda the worker is killed under (issue 12: 50).
const sessionDossiers = 50

// sessionAward goes through the council (more than half of the members).
const sessionAward = "BK_TTG"

// f. The worker is killed (SIGKILL) while a council session of 50 dossiers
// is closing, and started again: the session ends closed, every dossier's
// tally is applied exactly once (one session_result in its history; the
// dossiers voted yes in decision, the others rejected), read model equal
// to workflow, no mark left; a second close sent while the first is in
// flight gets 409.
func TestWorkerKilledWhileClosingASession(t *testing.T) {
	s := sys
	s.ensureUp(t)
	obs := &observed{}
	l := newLoad(s, "session-kill", sessionDossiers, obs)
	l.award = sessionAward
	l.path = []step{{domain.ActAccept, asOff, domain.Appraisal}, {domain.ActApprove, asOff, domain.Council}}
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	start := time.Now()
	ids := l.reachAll(ctx, t, "council")
	setup := time.Since(start)

	opened, err := l.api.jsonReq(ctx, http.MethodPost, "/api/v1/council-sessions", asSec,
		map[string]any{"title": "Phiên họp của bộ kiểm thử sự cố", "date": "2026-12-15", "dossiers": ids}, nil)
	if err != nil || opened.status != http.StatusCreated {
		t.Fatalf("open the session: %v %v", opened, err)
	}
	var ss struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Quorum int    `json:"quorum"`
		Agenda []struct {
			DossierID string          `json:"dossier_id"`
			Applied   bool            `json:"applied"`
			Dropped   string          `json:"dropped"`
			Tally     *map[string]any `json:"tally"`
		} `json:"agenda"`
	}
	if err := json.Unmarshal(opened.body, &ss); err != nil {
		t.Fatal(err)
	}
	// The quorum casts: yes on even positions, no on odd ones.
	want := map[string]domain.Stage{}
	choices := map[string]string{}
	for i, id := range ids {
		choices[id], want[id] = "yes", domain.Decision
		if i%2 == 1 {
			choices[id], want[id] = "no", domain.Rejected
		}
	}
	for _, m := range members[:ss.Quorum] {
		r, err := l.api.jsonReq(ctx, http.MethodPost, "/api/v1/council-sessions/"+ss.ID+"/ballots", m, map[string]any{"choices": choices}, nil)
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("%s's ballot: %v %v", m, r, err)
		}
	}
	// The close, in flight while the worker dies once a few dossiers have
	// their tally; a second close meanwhile.
	k := s.killDuringFanOut(ctx, t, l, "/api/v1/council-sessions/"+ss.ID+"/actions/close", asSec, "stage <> 'council'", 3,
		"/api/v1/council-sessions/"+ss.ID, &ss, func() bool { return ss.Status == "closed" })

	f := &figures{started: len(ids)}
	if ss.Status != "closed" {
		f.problem("the session is %q, not closed", ss.Status)
	}
	applied := 0
	for _, it := range ss.Agenda {
		if it.Applied && it.Tally != nil {
			applied++
		} else {
			f.problem("%s: not applied (%s)", it.DossierID, it.Dropped)
		}
	}
	for _, id := range ids {
		f.appliedOnce(ctx, s, l.api, id, domain.ActSessionResult, func(v domain.View) string {
			if v.Stage != want[id] {
				return fmt.Sprintf("stage %s, want %s", v.Stage, want[id])
			}
			return ""
		}, func(e domain.HistoryEntry) string {
			if e.Details == nil || e.Details.Session != ss.ID {
				return "its result does not name the session"
			}
			return ""
		})
	}
	marks := f.marksDrained(ctx, s)
	f.accepted = applied
	report(t, "worker SIGKILL while closing a council session", f, time.Since(start), fmt.Sprintf(
		"%d dossiers brought to council and %d ballots cast in %s; worker killed with %d tallies applied, down %s; the session %s closed %.1f s after the kill; a second close in flight answered %d; %s",
		sessionDossiers, ss.Quorum, setup.Round(100*time.Millisecond), k.killedAt, k.downFor.Round(100*time.Millisecond), ss.ID, k.doneIn.Seconds(), k.second.status, marks))
}
