package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"tdkt/domain"
)

// BatchOptions of `tdkt bench --batch N`.
type BatchOptions struct {
	N      int // dossiers in the batch (on the session's agenda)
	C      int // clients bringing them to decision (to council)
	Logger *slog.Logger
}

// BatchResult is how long signing a batch of N dossiers took.
type BatchResult struct {
	N int `json:"n"`
	// PrepareSeconds brought the N dossiers to decision (not measured
	// against anything; for the record).
	PrepareSeconds float64 `json:"prepare_seconds"`
	Batch          string  `json:"batch"`
	Number         string  `json:"number"`
	Moved          int     `json:"moved"`
	Dropped        int     `json:"dropped"`
	// SignSeconds is the chairman's sign request, from sending it to its
	// answer: the number issued and every dossier moved and written.
	SignSeconds float64 `json:"sign_seconds"`
	// PerDossierMs is SignSeconds spread over the dossiers moved.
	PerDossierMs float64 `json:"per_dossier_ms"`
	// Awarded is how many of the N the read model shows awarded with the
	// batch's number right after the answer (read-your-writes).
	Awarded int `json:"awarded"`
}

// RunBatch brings N BK_UBND_TINH dossiers to decision over HTTP, drafts one
// decision batch of them as the officer, and times the chairman's sign.
func RunBatch(ctx context.Context, sys *System, o BatchOptions) (*BatchResult, error) {
	f, err := startFanOut(ctx, sys, &o, "batch", "decision", EngineAward, "Danh sách", enginePath[:2])
	if err != nil {
		return nil, err
	}
	api, run, ids := f.api, f.run, f.ids
	res := &BatchResult{N: o.N, PrepareSeconds: f.prepared}
	var created struct {
		ID string `json:"id"`
	}
	if err := api.call(ctx, http.MethodPost, "/api/v1/batches", "officer", map[string]any{"kind": "decision",
		"title": "Bench " + run, "dossiers": ids}, http.StatusCreated, &created); err != nil {
		return nil, err
	}
	res.Batch = created.ID
	o.Logger.Info("batch: signing", "batch", created.ID, "dossiers", o.N)
	var signed struct {
		Number  string   `json:"number"`
		Moved   []string `json:"moved"`
		Dropped []any    `json:"dropped"`
	}
	t0 := time.Now()
	if err := api.call(ctx, http.MethodPost, "/api/v1/batches/"+created.ID+"/actions/sign", "chairman", nil, http.StatusOK, &signed); err != nil {
		return nil, err
	}
	took := time.Since(t0)
	res.Number, res.Moved, res.Dropped = signed.Number, len(signed.Moved), len(signed.Dropped)
	res.SignSeconds = float64(took.Milliseconds()) / 1000
	if res.Moved > 0 {
		res.PerDossierMs = round1(float64(took.Microseconds()) / 1000 / float64(res.Moved))
	}
	// Read-your-writes: every dossier awarded with the number, at once.
	cursor := ""
	for {
		var l listAnswer
		q := url.Values{"stage": {"awarded"}, "campaign": {"bench-batch-" + run}, "limit": {"200"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if err := api.call(ctx, http.MethodGet, "/api/v1/dossiers?"+q.Encode(), "officer", nil, http.StatusOK, &l); err != nil {
			return nil, err
		}
		res.Awarded += len(l.Items)
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	return res, nil
}

// Print writes the result.
func (r *BatchResult) Print(w io.Writer) {
	fmt.Fprintf(w, "tdkt bench --batch: %d dossiers brought to decision in %.1f s\n", r.N, r.PrepareSeconds)
	fmt.Fprintf(w, "signing batch %s (%s): %.2f s for %d dossiers moved, %d dropped (%.1f ms a dossier); %d of %d listed awarded right after the answer\n",
		r.Batch, r.Number, r.SignSeconds, r.Moved, r.Dropped, r.PerDossierMs, r.Awarded, r.N)
}

// prepare submits n dossiers of award over HTTP with c clients, attaches
// their documents and takes each through steps; it gives their ids.
// fanOut is a --batch or --session run once its dossiers are ready.
type fanOut struct {
	api *apiClient
	// run names this run; campaign is its dossiers' campaign.
	run, campaign string
	ids           []string
	// prepared is how long bringing the dossiers to their stage took, in
	// seconds.
	prepared float64
}

// startFanOut is how --batch and --session (kind) begin: o checked and
// defaulted, a client, a run id, and o.N dossiers of award brought to stage
// along path over HTTP (campaign bench-<kind>-<run>, nominees named after
// label and the run).
func startFanOut(ctx context.Context, sys *System, o *BatchOptions, kind, stage, award, label string, path []engineStep) (*fanOut, error) {
	if o.N < 1 || o.C < 1 {
		return nil, fmt.Errorf("bench --%s: n and c must be at least 1", kind)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	api, err := newAPIClient(sys.APIURL, sys.Secret, o.C)
	if err != nil {
		return nil, err
	}
	run := randomID()
	f := &fanOut{api: api, run: run, campaign: "bench-" + kind + "-" + run}
	o.Logger.Info(kind+": bringing dossiers to "+stage, "n", o.N, "c", o.C)
	began := time.Now()
	if f.ids, err = prepare(ctx, api, o.N, o.C, award, f.campaign, label+" "+run, path); err != nil {
		return nil, fmt.Errorf("bench --%s: %w", kind, err)
	}
	f.prepared = round1(time.Since(began).Seconds())
	return f, nil
}

func prepare(ctx context.Context, api *apiClient, n, c int, award, campaign, label string, steps []engineStep) ([]string, error) {
	aw, ok := domain.AwardByCode(award)
	if !ok {
		return nil, fmt.Errorf("no award %s", award)
	}
	docs := domain.RequiredDocuments(aw, domain.ProcedureRegular)
	ids := make([]string, n+1)
	var failed atomic.Int64
	var firstErr atomic.Value
	pool(ctx, n, c, func(i int) {
		unit := benchUnits[i%len(benchUnits)]
		body := domain.Submission{AwardCode: award, Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
			Campaign: campaign, AchievementPeriod: "2025",
			Nominee: domain.Nominee{Type: domain.Individual, Name: fmt.Sprintf("%s (%s %04d)", vnName(i), label, i),
				Position: "Giáo viên", Organization: "Trường THPT Phong Thổ"}}
		var d dossierAnswer
		err := api.call(ctx, http.MethodPost, "/api/v1/dossiers", "unit:"+unit, body, http.StatusCreated, &d)
		for _, k := range docs {
			if err == nil {
				err = api.upload(ctx, d.ID, "unit:"+unit, k)
			}
		}
		for _, st := range steps {
			if err == nil {
				err = api.call(ctx, http.MethodPost, "/api/v1/dossiers/"+url.PathEscape(d.ID)+"/actions/"+string(st.action),
					st.who, map[string]string{}, http.StatusOK, nil)
			}
		}
		if err != nil {
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err)
			return
		}
		ids[i] = d.ID
	})
	if k := failed.Load(); k > 0 {
		return nil, fmt.Errorf("%d dossiers did not get through; the first: %v", k, firstErr.Load())
	}
	return ids[1:], nil
}
