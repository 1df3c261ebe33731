package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"tdkt/auth"
	"tdkt/domain"
	"tdkt/store"
)

// EngineAward is the award the engine is measured with: decided by the
// province without a council, so its path is exactly three human steps.
const EngineAward = "BK_UBND_TINH"

// engineStep is one human step of the engine's path.
type engineStep struct {
	action domain.Action
	who    string // key of the token that takes it
	to     domain.Stage
}

// enginePath is accept (officer), approve (officer), decide (chairman).
var enginePath = []engineStep{
	{domain.ActAccept, "officer", domain.Appraisal},
	{domain.ActApprove, "officer", domain.Decision},
	{domain.ActDecide, "chairman", domain.Awarded},
}

// engineDocuments are the kinds EngineAward requires (regular procedure).
var engineDocuments = func() []domain.DocumentKind {
	a, _ := domain.AwardByCode(EngineAward)
	return domain.RequiredDocuments(a, domain.ProcedureRegular)
}()

// upload attaches a small PDF of kind to dossier id as who.
func (a *apiClient) upload(ctx context.Context, id, who string, kind domain.DocumentKind) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("kind", string(kind)); err != nil {
		return err
	}
	fw, err := mw.CreateFormFile("file", string(kind)+".pdf")
	if err != nil {
		return err
	}
	if _, err := fw.Write([]byte("%PDF-1.7\n% bench " + string(kind) + "\n")); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/api/v1/dossiers/"+url.PathEscape(id)+"/documents", &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", kind, id, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("upload %s to %s: status %d: %s", kind, id, resp.StatusCode, truncate(raw, 300))
	}
	return nil
}

// benchUnits are the units the engine's dossiers come from: units of the
// directory, since a submission from a unit it does not have is refused.
var benchUnits = []string{"SGDDT", "SYT", "SNV", "STC", "SXD", "SNNMT", "X-SINHO", "P-TANPHONG"}

// apiClient talks to the API with one token per person.
type apiClient struct {
	base   string
	http   *http.Client
	tokens map[string]string
	secret []byte
}

// member is the key of council member i's token, minted on first use.
func (a *apiClient) member(i int) (string, error) {
	key := fmt.Sprintf("member:%d", i)
	if _, ok := a.tokens[key]; ok {
		return key, nil
	}
	tok, err := auth.Mint(a.secret, fmt.Sprintf("bench-member-%d", i), fmt.Sprintf("Ủy viên Hội đồng số %d", i),
		[]domain.Role{domain.RoleCouncil}, "", 6*time.Hour)
	if err != nil {
		return "", fmt.Errorf("mint token for member %d: %w", i, err)
	}
	a.tokens[key] = tok
	return key, nil
}

func newAPIClient(base string, secret []byte, conns int) (*apiClient, error) {
	a := &apiClient{base: base, tokens: map[string]string{}, secret: secret,
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
			MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}}}
	mint := func(key, sub, name string, role domain.Role, unit string) error {
		tok, err := auth.Mint(secret, sub, name, []domain.Role{role}, unit, 6*time.Hour)
		if err != nil {
			return fmt.Errorf("mint token for %s: %w", key, err)
		}
		a.tokens[key] = tok
		return nil
	}
	people := []struct {
		key, sub, name string
		role           domain.Role
		unit           string
	}{
		{"officer", "bench-officer", "Chuyên viên Nguyễn Thị Hương", domain.RoleOfficer, ""},
		{"chairman", "bench-chairman", "Chủ tịch Lê Văn Thành", domain.RoleChairman, ""},
		{"council", "bench-council-1", "Ủy viên Trần Đức Minh", domain.RoleCouncil, ""},
		{"secretary", "bench-secretary", "Thư ký Phạm Thu Hà", domain.RoleSecretary, ""},
	}
	for _, p := range people {
		if err := mint(p.key, p.sub, p.name, p.role, p.unit); err != nil {
			return nil, err
		}
	}
	for _, u := range append(append([]string{}, benchUnits...), seedUnits...) {
		if _, ok := a.tokens["unit:"+u]; ok {
			continue
		}
		if err := mint("unit:"+u, "bench-unit-"+u, "Văn thư "+u, domain.RoleUnit, u); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// call sends a request as who and decodes a JSON answer into out (when not
// nil). A status other than want is an error carrying the body.
func (a *apiClient) call(ctx context.Context, method, path, who string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s as %s: status %d: %s", method, path, who, resp.StatusCode, truncate(raw, 300))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

type dossierAnswer struct {
	ID     string       `json:"id"`
	Stage  domain.Stage `json:"stage"`
	Status string       `json:"status"`
}

type listAnswer struct {
	Items      []dossierAnswer `json:"items"`
	NextCursor string          `json:"next_cursor"`
}

// ReadAfterAction is how soon the list showed each action's new stage.
type ReadAfterAction struct {
	Checks int `json:"checks"`
	// Immediate counts checks whose first read already showed the new stage.
	Immediate int `json:"immediate"`
	// WorstDelayMs is the longest time from an action's response until a
	// list read showed the new stage; 0 when every first read showed it.
	WorstDelayMs float64 `json:"worst_delay_ms"`
	// Read is the latency of the list reads themselves.
	Read Summary `json:"read"`
}

// runEngine drives n dossiers of EngineAward over HTTP with c concurrent
// clients: submit (unit), then accept, approve (officer), decide (chairman),
// and after each action a list read filtered by the new stage and the
// dossier's name, until it shows the dossier.
func runEngine(ctx context.Context, api *apiClient, run string, first, n, c int, logger *slog.Logger, cpu *cpuMeter) (PhaseResult, ReadAfterAction) {
	var (
		steps, submits, reads Latencies
		perAction             = make([]Latencies, len(enginePath))
		failed, awarded       atomic.Int64
		immediate, checks     atomic.Int64
		worst                 atomic.Int64 // nanoseconds
		firstErr              sync.Once
	)
	fail := func(err error) {
		failed.Add(1)
		firstErr.Do(func() { logger.Warn("engine dossier failed", "error", err) })
	}
	// seen reads the list until it shows dossier id in stage; the delay is
	// 0 when the first read shows it.
	seen := func(id, who, frag string, stage domain.Stage) error {
		after := time.Now()
		q := url.Values{"stage": {string(stage)}, "q": {frag}, "limit": {"5"}}
		for attempt := 0; ; attempt++ {
			var l listAnswer
			t0 := time.Now()
			if err := api.call(ctx, http.MethodGet, "/api/v1/dossiers?"+q.Encode(), who, nil, http.StatusOK, &l); err != nil {
				return err
			}
			reads.Add(time.Since(t0))
			for _, it := range l.Items {
				if it.ID == id && it.Stage == stage {
					checks.Add(1)
					if attempt == 0 {
						immediate.Add(1)
						return nil
					}
					d := int64(time.Since(after))
					for {
						w := worst.Load()
						if d <= w || worst.CompareAndSwap(w, d) {
							break
						}
					}
					return nil
				}
			}
			if time.Since(after) > 30*time.Second {
				return fmt.Errorf("dossier %s not listed in stage %s 30s after the action", id, stage)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	// First the submissions (timed one by one) with the documents the award
	// requires attached (not timed: accept needs them, and an upload is not
	// a step of the path); then, timed as a whole, the three steps.
	ids := make([]string, n+1) // pool counts from 1
	frags := make([]string, n+1)
	pool(ctx, n, c, func(i int) {
		seq := first + i
		unit := benchUnits[seq%len(benchUnits)]
		frag := fmt.Sprintf("bench %s %06d", run, seq)
		name := fmt.Sprintf("%s (Bench %s %06d)", vnName(seq), run, seq)
		body := domain.Submission{AwardCode: EngineAward, Kind: domain.KindMerit, Procedure: domain.ProcedureRegular,
			Campaign: "bench-" + run, AchievementPeriod: "2025",
			Nominee: domain.Nominee{Type: domain.Individual, Name: name, Position: "Giáo viên",
				Organization: "Trường THPT Phong Thổ"},
			Summary: "Hoàn thành xuất sắc nhiệm vụ năm học 2024–2025"}
		var d dossierAnswer
		t0 := time.Now()
		if err := api.call(ctx, http.MethodPost, "/api/v1/dossiers", "unit:"+unit, body, http.StatusCreated, &d); err != nil {
			fail(err)
			return
		}
		submits.Add(time.Since(t0))
		for _, k := range engineDocuments {
			if err := api.upload(ctx, d.ID, "unit:"+unit, k); err != nil {
				fail(err)
				return
			}
		}
		ids[i], frags[i] = d.ID, frag
	})
	began, cpu0 := time.Now(), cpu.read()
	pool(ctx, n, c, func(i int) {
		if ids[i] == "" {
			return
		}
		d := dossierAnswer{ID: ids[i]}
		frag := frags[i]
		ok := true
		for si, st := range enginePath {
			var after dossierAnswer
			t1 := time.Now()
			err := api.call(ctx, http.MethodPost, "/api/v1/dossiers/"+url.PathEscape(d.ID)+"/actions/"+string(st.action),
				st.who, map[string]string{"comment": "Đồng ý (bench)"}, http.StatusOK, &after)
			if err == nil && after.Stage != st.to {
				err = fmt.Errorf("%s on %s: stage %s, want %s", st.action, d.ID, after.Stage, st.to)
			}
			if err != nil {
				fail(err)
				ok = false
				break
			}
			steps.Add(time.Since(t1))
			perAction[si].Add(time.Since(t1))
			if err := seen(d.ID, st.who, store.Fold(frag), st.to); err != nil {
				fail(err)
				ok = false
				break
			}
		}
		if ok {
			awarded.Add(1)
		}
	})
	elapsed, used := time.Since(began), cpu.read().sub(cpu0)
	p := phaseResult(n, int(awarded.Load()), int(failed.Load()), steps.Summary(), submits.Summary(), elapsed)
	if cpu != nil {
		per := used.perStep(p.Steps)
		p.CPUPerStep = &per
	}
	p.ByAction = map[string]Summary{}
	for i, st := range enginePath {
		p.ByAction[string(st.action)] = perAction[i].Summary()
	}
	return p, ReadAfterAction{Checks: int(checks.Load()), Immediate: int(immediate.Load()),
		WorstDelayMs: ms(time.Duration(worst.Load())), Read: reads.Summary()}
}
