package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"tdkt/domain"
	"tdkt/store"
)

// ReadOptions of the read-path load.
type ReadOptions struct {
	Dossiers int // seeded into the read model
	C        int // concurrent clients
	Requests int // measured requests per query
	Seed     uint64
	// Explain, when not nil, receives EXPLAIN (ANALYZE, BUFFERS) of the
	// store's list and inbox queries for the key filters.
	Explain io.Writer
	Logger  *slog.Logger
}

// DefaultReadOptions are those of `tdkt bench --read`.
func DefaultReadOptions() ReadOptions {
	return ReadOptions{Dossiers: 100_000, C: 32, Requests: 1000, Seed: 2025}
}

// The read path's goals (issue 11), p99 of every query: at most 100 ms
// with concurrent clients (100,000 dossiers, 32 clients), at most 10 ms with
// one client (up to 1,000,000 dossiers).
const (
	ReadGoalP99Ms       = 100.0
	ReadGoalP99MsSingle = 10.0
)

// ReadGoal is the p99 goal of a load by c concurrent clients.
func ReadGoal(c int) float64 {
	if c == 1 {
		return ReadGoalP99MsSingle
	}
	return ReadGoalP99Ms
}

// QueryResult is the load on one query.
type QueryResult struct {
	Name     string  `json:"name"`
	Path     string  `json:"path"`
	As       string  `json:"as"`
	Items    int     `json:"items"` // items in one answer
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"requests_per_sec"`
	Latency  Summary `json:"latency"`
	// GoalP99Ms is the target the query was held to.
	GoalP99Ms float64 `json:"goal_p99_ms"`
	Met       bool    `json:"met"`
}

// ReadResult is what the read-path load prints.
type ReadResult struct {
	API         string        `json:"api"`
	Dossiers    int           `json:"dossiers"`
	C           int           `json:"c"`
	SeedSeconds float64       `json:"seed_seconds"`
	Mix         Mix           `json:"mix"`
	Queries     []QueryResult `json:"queries"`
	GoalP99Ms   float64       `json:"goal_p99_ms"`
	AllMet      bool          `json:"all_met"`
}

type readQuery struct {
	name, as string
	path     string
	filter   *store.ListFilter // for EXPLAIN; nil for an inbox
	actor    *domain.Actor     // the inbox's owner
}

// RunRead seeds the read model of sys (which must be empty) and measures the
// list and inbox endpoints over HTTP.
func RunRead(ctx context.Context, sys *System, o ReadOptions) (*ReadResult, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Dossiers < 1 || o.C < 1 || o.Requests < 1 {
		return nil, errors.New("bench: dossiers, c and requests must be at least 1")
	}
	if sys.DatabaseURL == "" {
		return nil, errors.New("bench: the read-path load seeds the read model: give the running system's database (--database)")
	}
	log := o.Logger
	st, err := store.Open(ctx, sys.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var have int
	if err := st.DB.GetContext(ctx, &have, `SELECT count(*) FROM dossiers`); err != nil {
		return nil, fmt.Errorf("count dossiers: %w", err)
	}
	if have > 0 {
		return nil, fmt.Errorf("bench: the read model already holds %d dossiers; seed only an empty one", have)
	}
	log.Info("seeding the read model", "dossiers", o.Dossiers)
	t0 := time.Now()
	mix, err := Seed(ctx, st, o.Dossiers, o.Seed)
	if err != nil {
		return nil, err
	}
	res := &ReadResult{API: sys.APIURL, Dossiers: o.Dossiers, C: o.C, SeedSeconds: time.Since(t0).Round(time.Millisecond).Seconds(),
		Mix: mix, GoalP99Ms: ReadGoal(o.C), AllMet: true}
	log.Info("seeded", "seconds", res.SeedSeconds, "overdue", mix.Overdue)

	api, err := newAPIClient(sys.APIURL, sys.Secret, o.C)
	if err != nil {
		return nil, err
	}
	// A rare name: one that is in the seed, with its diacritics folded away.
	var rare string
	if err := st.DB.GetContext(ctx, &rare, `SELECT nominee_name FROM dossiers WHERE nominee_name LIKE 'Lò %' ORDER BY id LIMIT 1`); err != nil {
		return nil, fmt.Errorf("pick a rare name: %w", err)
	}
	queries, err := readQueries(ctx, api, store.Fold(rare))
	if err != nil {
		return nil, err
	}
	if o.Explain != nil {
		if err := explainAll(ctx, sys.DatabaseURL, st, queries, o.Explain); err != nil {
			return nil, err
		}
	}
	for _, q := range queries {
		log.Info("read load", "query", q.name, "requests", o.Requests, "c", o.C)
		r := loadQuery(ctx, api, q, o.C, o.Requests)
		res.AllMet = res.AllMet && r.Met
		res.Queries = append(res.Queries, r)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("bench interrupted: %w", ctx.Err())
		}
	}
	return res, nil
}

// readQueries are the measured requests: the list with each filter, a
// second page, and the inboxes of each role.
func readQueries(ctx context.Context, api *apiClient, rareName string) ([]readQuery, error) {
	list := func(name string, f store.ListFilter, as string) readQuery {
		v := url.Values{}
		for k, s := range map[string]string{"stage": f.Stage, "status": f.Status, "unit": f.Unit, "award": f.Award,
			"campaign": f.Campaign, "q": f.Q, "cursor": f.Cursor} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if f.Overdue {
			v.Set("overdue", "true")
		}
		p := "/api/v1/dossiers"
		if len(v) > 0 {
			p += "?" + v.Encode()
		}
		if strings.HasPrefix(as, "unit:") {
			f.Unit = strings.TrimPrefix(as, "unit:")
		}
		return readQuery{name: name, as: as, path: p, filter: &f}
	}
	var first listAnswer
	if err := api.call(ctx, http.MethodGet, "/api/v1/dossiers", "officer", nil, http.StatusOK, &first); err != nil {
		return nil, err
	}
	if first.NextCursor == "" {
		return nil, errors.New("bench: the first page of the list has no next_cursor")
	}
	inbox := func(name, as string, a domain.Actor) readQuery {
		return readQuery{name: name, as: as, path: "/api/v1/tasks", actor: &a}
	}
	return []readQuery{
		list("list, no filter", store.ListFilter{}, "officer"),
		list("list, page 2 (cursor)", store.ListFilter{Cursor: first.NextCursor}, "officer"),
		list("list, stage=appraisal", store.ListFilter{Stage: "appraisal"}, "officer"),
		list("list, status=active", store.ListFilter{Status: "active"}, "officer"),
		list("list, unit=SYT", store.ListFilter{Unit: "SYT"}, "officer"),
		list("list, award=CSTD_TINH", store.ListFilter{Award: "CSTD_TINH"}, "officer"),
		list("list, campaign", store.ListFilter{Campaign: seedCampaigns[2]}, "officer"),
		list("list, overdue=true", store.ListFilter{Overdue: true}, "officer"),
		list("list, q=nguyen van (name)", store.ListFilter{Q: "nguyen van"}, "officer"),
		list("list, q="+rareName+" (rare name)", store.ListFilter{Q: rareName}, "officer"),
		list("list, q=thien tai (common text)", store.ListFilter{Q: "thien tai"}, "officer"),
		list("list as a unit (SGDDT)", store.ListFilter{}, "unit:SGDDT"),
		inbox("tasks, officer", "officer", domain.Actor{ID: "bench-officer", Roles: []domain.Role{domain.RoleOfficer}}),
		inbox("tasks, council member", "council", domain.Actor{ID: "bench-council-1", Roles: []domain.Role{domain.RoleCouncil}}),
		inbox("tasks, chairman", "chairman", domain.Actor{ID: "bench-chairman", Roles: []domain.Role{domain.RoleChairman}}),
		inbox("tasks, unit (SGDDT)", "unit:SGDDT", domain.Actor{ID: "bench-unit-SGDDT", Unit: "SGDDT", Roles: []domain.Role{domain.RoleUnit}}),
	}, nil
}

// loadQuery sends requests GETs of q by c concurrent clients, after a
// short unmeasured warm-up. The answer is read whole but not decoded.
func loadQuery(ctx context.Context, api *apiClient, q readQuery, c, requests int) QueryResult {
	r := QueryResult{Name: q.name, Path: q.path, As: q.as, Requests: requests, GoalP99Ms: ReadGoal(c)}
	var sample listAnswer
	if err := api.call(ctx, http.MethodGet, q.path, q.as, nil, http.StatusOK, &sample); err == nil {
		r.Items = len(sample.Items)
	}
	get := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.base+q.path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+api.tokens[q.as])
		resp, err := api.http.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		return err
	}
	drive := func(n int, lat *Latencies) (errs int64, elapsed time.Duration) {
		var bad atomic.Int64
		began := time.Now()
		pool(ctx, n, c, func(int) {
			t0 := time.Now()
			if err := get(); err != nil {
				bad.Add(1)
				return
			}
			if lat != nil {
				lat.Add(time.Since(t0))
			}
		})
		return bad.Load(), time.Since(began)
	}
	drive(min(requests, 4*c), nil)
	var lat Latencies
	errs, elapsed := drive(requests, &lat)
	r.Errors = int(errs)
	r.RPS = rate(requests-int(errs), elapsed)
	r.Latency = lat.Summary()
	r.Met = r.Errors == 0 && r.Latency.Count > 0 && r.Latency.P99 <= r.GoalP99Ms
	return r
}

// explainAll prints EXPLAIN (ANALYZE, BUFFERS) of the SQL the store really
// issues for each query (the API's, which lists stored views undecoded): the store runs over a connection that records its
// last statement, which is then explained with the same arguments.
func explainAll(ctx context.Context, databaseURL string, plain *store.Store, queries []readQuery, w io.Writer) error {
	conn, err := pq.NewConnector(databaseURL)
	if err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	rec := &recorder{}
	db := sql.OpenDB(recConnector{Connector: conn, rec: rec})
	defer db.Close()
	st := &store.Store{DB: sqlx.NewDb(db, "postgres")}
	for _, q := range queries {
		var err error
		none := func(*store.Stored) error { return nil }
		if q.filter != nil {
			_, err = st.ListStored(ctx, *q.filter, "", none)
		} else {
			err = st.InboxStored(ctx, *q.actor, 200, none)
		}
		if err != nil {
			return fmt.Errorf("explain %s: %w", q.name, err)
		}
		query, args := rec.last()
		var lines []string
		if err := plain.DB.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+query, args...); err != nil {
			return fmt.Errorf("explain %s: %w", q.name, err)
		}
		shown, _ := json.Marshal(args)
		fmt.Fprintf(w, "-- %s (%s)\n%s\n-- args: %s\n", q.name, q.path, strings.TrimSpace(query), shown)
		for _, l := range lines {
			fmt.Fprintln(w, "  "+l)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// recorder keeps the last statement run through a recConnector.
type recorder struct {
	mu    sync.Mutex
	query string
	args  []any
}

func (r *recorder) set(q string, args []driver.Value) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.query, r.args = q, make([]any, len(args))
	for i, a := range args {
		r.args[i] = a
	}
}

func (r *recorder) last() (string, []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.query, r.args
}

// recConnector hands out connections that expose only Prepare, so that
// database/sql prepares every statement and recStmt sees its arguments.
type recConnector struct {
	driver.Connector
	rec *recorder
}

func (c recConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return recConn{Conn: conn, rec: c.rec}, nil
}

type recConn struct {
	driver.Conn
	rec *recorder
}

func (c recConn) Prepare(q string) (driver.Stmt, error) {
	s, err := c.Conn.Prepare(q)
	if err != nil {
		return nil, err
	}
	return recStmt{Stmt: s, rec: c.rec, query: q}, nil
}

type recStmt struct {
	driver.Stmt
	rec   *recorder
	query string
}

//lint:ignore SA1019 database/sql calls Query on a statement without QueryContext.
func (s recStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.rec.set(s.query, args)
	return s.Stmt.Query(args) //nolint:staticcheck
}

// Print writes the read-path result as a table.
func (r *ReadResult) Print(w io.Writer) {
	fmt.Fprintf(w, "tdkt bench --read: %d dossiers (%d overdue, %d units, %d awards, %d stages, %d campaigns) seeded in %.1fs; %d concurrent clients, API %s\n\n",
		r.Dossiers, r.Mix.Overdue, len(r.Mix.Units), len(r.Mix.Awards), len(r.Mix.Stages), len(r.Mix.Campaigns), r.SeedSeconds, r.C, r.API)
	stages := make([]string, 0, len(r.Mix.Stages))
	for st := range r.Mix.Stages {
		stages = append(stages, st)
	}
	sort.Slice(stages, func(i, j int) bool { return r.Mix.Stages[stages[i]] > r.Mix.Stages[stages[j]] })
	fmt.Fprint(w, "stages:")
	for _, st := range stages {
		fmt.Fprintf(w, " %s %.1f%%", st, 100*float64(r.Mix.Stages[st])/float64(max(r.Mix.Total, 1)))
	}
	fmt.Fprint(w, "\n\n")
	fmt.Fprintf(w, "%-36s %6s %9s %8s %8s %8s  %s\n", "query", "items", "req/s", "p50 ms", "p99 ms", "max ms",
		fmt.Sprintf("p99 ≤ %.0f ms (C=%d)", r.GoalP99Ms, r.C))
	for _, q := range r.Queries {
		fmt.Fprintf(w, "%-36s %6d %9.0f %8.1f %8.1f %8.1f  %s", q.Name, q.Items, q.RPS, q.Latency.P50, q.Latency.P99, q.Latency.Max, metWord(q.Met))
		if q.Errors > 0 {
			fmt.Fprintf(w, " (%d errors)", q.Errors)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\ngoal p99 ≤ %.0f ms on every query with %d client(s) (%.0f ms with one, %.0f ms with more): %s\n",
		r.GoalP99Ms, r.C, ReadGoalP99MsSingle, ReadGoalP99Ms, metWord(r.AllMet))
}
