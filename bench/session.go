package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"tdkt/domain"
)

// SessionAward is what the dossiers of `tdkt bench --session` propose: a
// Prime Minister's award, voted by the provincial council (more than half).
const SessionAward = "BK_TTG"

// SessionOptions of `tdkt bench --session N`.
type SessionOptions = BatchOptions

// SessionResult is how long a council session of N dossiers took to vote
// and to close.
type SessionResult struct {
	N              int     `json:"n"`
	PrepareSeconds float64 `json:"prepare_seconds"`
	Session        string  `json:"session"`
	Members        int     `json:"members"`
	// OpenSeconds is the secretary's open request (agenda checked, the
	// workflow started, the read model written).
	OpenSeconds float64 `json:"open_seconds"`
	// BallotSeconds is every member casting a ballot on the whole agenda,
	// all at once; BallotP50Ms the median ballot.
	BallotSeconds float64 `json:"ballot_seconds"`
	BallotP50Ms   float64 `json:"ballot_p50_ms"`
	// CloseSeconds is the secretary's close, from sending it to its answer:
	// every tally applied to its dossier and written.
	CloseSeconds float64 `json:"close_seconds"`
	PerDossierMs float64 `json:"per_dossier_ms"`
	Applied      int     `json:"applied"`
	Dropped      int     `json:"dropped"`
	// Moved is how many of the N the read model shows out of council right
	// after the answer (read-your-writes).
	Moved int `json:"moved"`
}

// RunSession brings N dossiers to council over HTTP, opens one session
// with all of them on its agenda, has every member of the council cast a
// ballot (yes on the even-numbered dossiers, no on the others), and times
// the close.
func RunSession(ctx context.Context, sys *System, o SessionOptions) (*SessionResult, error) {
	toCouncil := []engineStep{{domain.ActAccept, "officer", domain.Appraisal}, {domain.ActApprove, "officer", domain.Council}}
	f, err := startFanOut(ctx, sys, &o, "session", "council", SessionAward, "Phiên họp", toCouncil)
	if err != nil {
		return nil, err
	}
	api, run, campaign, ids := f.api, f.run, f.campaign, f.ids
	res := &SessionResult{N: o.N, PrepareSeconds: f.prepared}

	var opened struct {
		ID      string `json:"id"`
		Members int    `json:"members"`
	}
	t0 := time.Now()
	if err := api.call(ctx, http.MethodPost, "/api/v1/council-sessions", "secretary", map[string]any{
		"title": "Phiên họp đo tốc độ " + run, "date": time.Now().In(domain.Local).Format(time.DateOnly), "dossiers": ids},
		http.StatusCreated, &opened); err != nil {
		return nil, err
	}
	res.OpenSeconds = float64(time.Since(t0).Milliseconds()) / 1000
	res.Session, res.Members = opened.ID, opened.Members
	choices := map[string]string{}
	for i, id := range ids {
		choices[id] = "yes"
		if i%2 == 1 {
			choices[id] = "no"
		}
	}
	o.Logger.Info("session: casting ballots", "session", opened.ID, "members", opened.Members)
	var lat Latencies
	var wg sync.WaitGroup
	errs := make([]error, opened.Members)
	// Every member's token is minted before any ballot is sent: minting
	// writes the client's token map, which the ballots read.
	whos := make([]string, opened.Members)
	for m := range opened.Members {
		who, err := api.member(m + 1)
		if err != nil {
			return nil, err
		}
		whos[m] = who
	}
	t0 = time.Now()
	for m := range opened.Members {
		who := whos[m]
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			errs[m] = api.call(ctx, http.MethodPost, "/api/v1/council-sessions/"+url.PathEscape(opened.ID)+"/ballots", who,
				map[string]any{"choices": choices}, http.StatusCreated, nil)
			lat.Add(time.Since(t))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("bench --session: a ballot: %w", err)
		}
	}
	res.BallotSeconds = float64(time.Since(t0).Milliseconds()) / 1000
	res.BallotP50Ms = lat.Summary().P50

	o.Logger.Info("session: closing", "session", opened.ID, "dossiers", o.N)
	var closed struct {
		Agenda []struct {
			Applied bool   `json:"applied"`
			Dropped string `json:"dropped"`
		} `json:"agenda"`
	}
	t0 = time.Now()
	if err := api.call(ctx, http.MethodPost, "/api/v1/council-sessions/"+url.PathEscape(opened.ID)+"/actions/close", "secretary",
		nil, http.StatusOK, &closed); err != nil {
		return nil, err
	}
	took := time.Since(t0)
	res.CloseSeconds = float64(took.Milliseconds()) / 1000
	for _, it := range closed.Agenda {
		if it.Applied {
			res.Applied++
		} else {
			res.Dropped++
		}
	}
	if res.Applied > 0 {
		res.PerDossierMs = round1(float64(took.Microseconds()) / 1000 / float64(res.Applied))
	}
	// Read-your-writes: every dossier out of council, at once.
	for _, stage := range []domain.Stage{domain.Decision, domain.Rejected} {
		cursor := ""
		for {
			var l listAnswer
			q := url.Values{"stage": {string(stage)}, "campaign": {campaign}, "limit": {"200"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			if err := api.call(ctx, http.MethodGet, "/api/v1/dossiers?"+q.Encode(), "officer", nil, http.StatusOK, &l); err != nil {
				return nil, err
			}
			res.Moved += len(l.Items)
			if l.NextCursor == "" {
				break
			}
			cursor = l.NextCursor
		}
	}
	return res, nil
}

// Print writes the result.
func (r *SessionResult) Print(w io.Writer) {
	fmt.Fprintf(w, "tdkt bench --session: %d dossiers brought to council in %.1f s\n", r.N, r.PrepareSeconds)
	fmt.Fprintf(w, "session %s opened in %.2f s; %d members cast their ballots on the whole agenda in %.2f s (p50 %.0f ms a ballot)\n",
		r.Session, r.OpenSeconds, r.Members, r.BallotSeconds, r.BallotP50Ms)
	fmt.Fprintf(w, "closing: %.2f s for %d tallies applied, %d dropped (%.1f ms a dossier); %d of %d listed out of council right after the answer\n",
		r.CloseSeconds, r.Applied, r.Dropped, r.PerDossierMs, r.Moved, r.N)
}
