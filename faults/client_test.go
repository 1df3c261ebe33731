package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tdkt/domain"
)

// httpClient is shared by every request: the API may hold a request for up
// to its Temporal timeout (30 s), so the client waits longer than that.
var httpClient = &http.Client{
	Timeout:   75 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second},
}

// reply is one HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) mediaType() string {
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	return mt
}

// isProblem reports whether the answer is an RFC 9457 problem document
// whose status matches the HTTP status.
func (r reply) isProblem() bool {
	if r.mediaType() != "application/problem+json" {
		return false
	}
	var p struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
	}
	return json.Unmarshal(r.body, &p) == nil && p.Type != "" && p.Title != "" && p.Status == r.status
}

func (r reply) String() string {
	b := r.body
	if len(b) > 300 {
		b = append(b[:300:300], "..."...)
	}
	return fmt.Sprintf("%d %s %s", r.status, r.header.Get("Content-Type"), bytes.TrimSpace(b))
}

// observed collects what the API answered during a case, beyond the load's
// own bookkeeping: the 503s (and whether they were well formed) and every
// other 5xx, which is a product bug.
type observed struct {
	requests    atomic.Int64
	connErrors  atomic.Int64
	unavailable atomic.Int64 // 503
	wellFormed  atomic.Int64 // 503 with Retry-After and problem+json
	mu          sync.Mutex
	otherFiveXX []string // "<method> <path>: <reply>"
	bad503      []string // 503 without Retry-After or problem+json
}

func (o *observed) note(method, path string, r reply) {
	o.requests.Add(1)
	switch {
	case r.status == http.StatusServiceUnavailable:
		o.unavailable.Add(1)
		if r.header.Get("Retry-After") != "" && r.isProblem() {
			o.wellFormed.Add(1)
		} else {
			o.mu.Lock()
			o.bad503 = append(o.bad503, fmt.Sprintf("%s %s: %s (Retry-After %q)", method, path, r, r.header.Get("Retry-After")))
			o.mu.Unlock()
		}
	case r.status >= 500:
		o.mu.Lock()
		o.otherFiveXX = append(o.otherFiveXX, fmt.Sprintf("%s %s: %s", method, path, r))
		o.mu.Unlock()
	}
}

func (o *observed) fiveXX() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.otherFiveXX...)
}

func (o *observed) malformed503() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.bad503...)
}

// api is a client of the running API, as a third party would write it from
// API.md.
type api struct {
	// bases are the APIs' base URLs: requests go to each in turn, so a
	// request retried after a connection error goes to the other API when
	// there are two (as a load balancer in front of them would send it).
	bases []string
	next  atomic.Uint64
	// downUntil is, per base, until when (unix ns) a connection error has
	// taken it out of the turn, as a load balancer's health check would.
	downUntil []atomic.Int64
	tokens    map[string]string
	obs       *observed
}

func (s *stack) client(obs *observed) *api {
	if obs == nil {
		obs = &observed{}
	}
	bases := s.bases()
	return &api{bases: bases, downUntil: make([]atomic.Int64, len(bases)), tokens: s.tokens, obs: obs}
}

// base is the API the next request goes to: the next in turn that no
// connection error took out within the last second (any, if all were).
func (a *api) base() int {
	now := time.Now().UnixNano()
	first := int(a.next.Add(1)-1) % len(a.bases)
	for k := range a.bases {
		i := (first + k) % len(a.bases)
		if a.downUntil[i].Load() < now {
			return i
		}
	}
	return first
}

// raw sends one request; body nil sends none.
func (a *api) raw(ctx context.Context, method, path, who string, body []byte, ctype string, hdr map[string]string) (reply, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	bi := a.base()
	req, err := http.NewRequestWithContext(ctx, method, a.bases[bi]+path, r)
	if err != nil {
		return reply{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		a.obs.connErrors.Add(1)
		if len(a.bases) > 1 {
			a.downUntil[bi].Store(time.Now().Add(time.Second).UnixNano())
		}
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.obs.connErrors.Add(1)
		return reply{}, fmt.Errorf("read answer: %w", err)
	}
	out := reply{status: resp.StatusCode, header: resp.Header, body: b}
	a.obs.note(method, path, out)
	return out, nil
}

func (a *api) jsonReq(ctx context.Context, method, path, who string, body any, hdr map[string]string) (reply, error) {
	var b []byte
	ctype := ""
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return reply{}, err
		}
		ctype = "application/json"
	}
	return a.raw(ctx, method, path, who, b, ctype, hdr)
}

// retryable is an answer worth sending again: the API or a backing service
// was unreachable.
func retryable(r reply, err error) bool {
	return err != nil || r.status == http.StatusServiceUnavailable || r.status == http.StatusBadGateway ||
		r.status == http.StatusGatewayTimeout || r.status >= 500
}

// pause waits before a retry: what Retry-After asks, else a short backoff.
func pause(ctx context.Context, r reply, err error) {
	d := 300 * time.Millisecond
	if err == nil {
		if s, e := strconv.Atoi(r.header.Get("Retry-After")); e == nil && s > 0 {
			d = time.Duration(s) * time.Second
		}
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// getView reads a dossier, retrying while the API or its backends are away.
func (a *api) getView(ctx context.Context, id, who string) (domain.View, error) {
	for {
		r, err := a.raw(ctx, http.MethodGet, "/api/v1/dossiers/"+id, who, nil, "", nil)
		if !retryable(r, err) {
			if r.status != http.StatusOK {
				return domain.View{}, fmt.Errorf("GET %s: %s", id, r)
			}
			var v domain.View
			if err := json.Unmarshal(r.body, &v); err != nil {
				return domain.View{}, fmt.Errorf("GET %s: %w", id, err)
			}
			return v, nil
		}
		if ctx.Err() != nil {
			return domain.View{}, fmt.Errorf("GET %s: gave up: %v (last: %v %v)", id, ctx.Err(), r, err)
		}
		pause(ctx, r, err)
	}
}

// history reads a dossier's history, retrying like getView.
func (a *api) history(ctx context.Context, id string) ([]domain.HistoryEntry, error) {
	for {
		r, err := a.raw(ctx, http.MethodGet, "/api/v1/dossiers/"+id+"/history", asAdmin, nil, "", nil)
		if !retryable(r, err) {
			if r.status != http.StatusOK {
				return nil, fmt.Errorf("history of %s: %s", id, r)
			}
			var out struct {
				Items []domain.HistoryEntry `json:"items"`
			}
			if err := json.Unmarshal(r.body, &out); err != nil {
				return nil, fmt.Errorf("history of %s: %w", id, err)
			}
			return out.Items, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("history of %s: gave up: %v", id, ctx.Err())
		}
		pause(ctx, r, err)
	}
}

// listCampaign lists every dossier of a campaign, following the cursor.
func (a *api) listCampaign(ctx context.Context, campaign string) ([]domain.View, error) {
	var all []domain.View
	cursor := ""
	for {
		path := "/api/v1/dossiers?limit=200&campaign=" + campaign
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r, err := a.raw(ctx, http.MethodGet, path, asAdmin, nil, "", nil)
		if retryable(r, err) {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("list %s: gave up: %v", campaign, ctx.Err())
			}
			pause(ctx, r, err)
			continue
		}
		if r.status != http.StatusOK {
			return nil, fmt.Errorf("list %s: %s", campaign, r)
		}
		var page struct {
			Items      []domain.View `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

func ifMatch(version int64) map[string]string {
	return map[string]string{"If-Match": `"` + strconv.FormatInt(version, 10) + `"`}
}

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
