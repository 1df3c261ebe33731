// Package e2e drives the whole engine over real HTTP: the Gin API, a real
// Temporal dev server with the real worker, and a real PostgreSQL. A client
// written from API.md alone sees exactly what these tests see.
package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"tdkt/app"
	"tdkt/auth"
	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/server"
	"tdkt/store"
	"tdkt/web"
	"tdkt/worker"
)

func TestMain(m *testing.M) { os.Exit(devenv.RunTests(m)) }

const secret = "e2e-secret-at-least-16-chars"

type api struct {
	t      *testing.T
	url    string
	tokens map[string]string
	// core and db let a test build another console on the same system.
	core *app.Service
	db   *sql.DB
}

var (
	stackOnce sync.Once
	shared    *api
)

// newAPI starts (once per test process) the API over a worker, Temporal and
// PostgreSQL, and mints a token for each person the tests use.
func newAPI(t *testing.T) *api {
	stackOnce.Do(func() {
		ctx := context.Background()
		tmp := devenv.TestTemporal(t)
		st, err := store.Open(ctx, devenv.TestPostgres(t))
		require.NoError(t, err)
		require.NoError(t, store.Migrate(ctx, st.DB.DB, "up"))
		cfg := config.Defaults()
		cfg.TemporalAddress, cfg.TemporalNamespace = tmp.Address, tmp.Namespace
		cfg.TaskQueue, cfg.JWTSecret = "e2e", secret
		c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace})
		require.NoError(t, err)
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		w, err := worker.Start(c, st, cfg, logger)
		require.NoError(t, err)
		_ = w // stopped with the process; the dev server goes with RunTests
		p := domain.DefaultPolicy()
		p.PublicNoticeDays = 0
		people := map[string]struct {
			roles []domain.Role
			unit  string
		}{
			"unitA": {[]domain.Role{domain.RoleUnit}, "SGDDT"}, "unitB": {[]domain.Role{domain.RoleUnit}, "SYT"},
			"officer": {[]domain.Role{domain.RoleOfficer}, ""}, "secretary": {[]domain.Role{domain.RoleSecretary}, ""},
			"chairman": {[]domain.Role{domain.RoleChairman}, ""}, "admin": {[]domain.Role{domain.RoleAdmin}, ""},
		}
		for i := 1; i <= 9; i++ {
			people[fmt.Sprintf("c%d", i)] = struct {
				roles []domain.Role
				unit  string
			}{[]domain.Role{domain.RoleCouncil}, ""}
		}
		// The console runs on the same application layer, with the demo
		// sign-in listing the same people the tokens are minted for.
		core := app.New(app.Deps{Temporal: c, Store: st, TaskQueue: cfg.TaskQueue, Policy: p, Logger: logger,
			MaxUpload: int64(cfg.MaxUploadMB) << 20})
		var demo []domain.Actor
		for _, sub := range sortedKeys(people) {
			demo = append(demo, domain.Actor{ID: sub, Name: personName(sub), Roles: people[sub].roles, Unit: people[sub].unit})
		}
		console, err := web.New(web.Deps{App: core, DB: st.DB.DB, Logger: logger, DevUsers: demo,
			TemporalUIURL: "http://127.0.0.1:8233", Namespace: tmp.Namespace})
		require.NoError(t, err)
		srv, err := server.New(server.Deps{Temporal: c, Store: st, Config: cfg, Policy: p, Logger: logger, App: core, Console: console})
		require.NoError(t, err)
		hs := httptest.NewServer(srv.Handler())
		shared = &api{url: hs.URL, tokens: map[string]string{}, core: core, db: st.DB.DB}
		for sub, p := range people {
			tok, err := auth.Mint([]byte(secret), sub, personName(sub), p.roles, p.unit, time.Hour)
			require.NoError(t, err)
			shared.tokens[sub] = tok
		}
	})
	require.NotNil(t, shared, "the stack did not start")
	a := *shared
	a.t = t
	return &a
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (a *api) do(method, path, who string, body any, hdr map[string]string) reply {
	a.t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case *bytes.Buffer:
		r = b
	default:
		j, err := json.Marshal(b)
		require.NoError(a.t, err)
		r, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, a.url+path, r)
	require.NoError(a.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(a.t, err)
	out := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && len(raw) > 0 {
		require.NoError(a.t, json.Unmarshal(raw, &out.body), string(raw))
	}
	if resp.StatusCode >= 400 {
		require.Equal(a.t, "application/problem+json", strings.Split(resp.Header.Get("Content-Type"), ";")[0], "%s %s: %s", method, path, raw)
	}
	return out
}

// submit has unitA submit a dossier and attach every document its award
// requires (DOMAIN.md Rules: accept and approve need them); bareSubmit
// attaches none.
func (a *api) submit(award, nomineeType, name string) map[string]any {
	d := a.bareSubmit(award, nomineeType, name)
	id := d["id"].(string)
	aw, _ := domain.AwardByCode(award)
	for _, k := range domain.RequiredDocuments(aw, domain.ProcedureRegular) {
		r := a.upload(id, "unitA", string(k), string(k)+".pdf", []byte("%PDF-1.7 "+string(k)))
		require.Equal(a.t, http.StatusCreated, r.status, string(r.raw))
	}
	return a.get(id, "unitA").body
}

func (a *api) bareSubmit(award, nomineeType, name string) map[string]any {
	r := a.do("POST", "/api/v1/dossiers", "unitA", map[string]any{
		"award_code": award, "kind": "merit", "campaign": "2026-annual", "achievement_period": "2026",
		"nominee": map[string]any{"type": nomineeType, "name": name, "position": "Giáo viên"}, "summary": "Thành tích xuất sắc"}, nil)
	require.Equal(a.t, http.StatusCreated, r.status, string(r.raw))
	return r.body
}

// listed is dossier id as the list of all dossiers, filtered on its
// nominee's name, shows it to who; when it is among who's tasks too, the
// task list must show it the same (actions, session, hold).
func (a *api) listed(who, id string) map[string]any {
	a.t.Helper()
	name := a.get(id, who).body["nominee"].(map[string]any)["name"].(string)
	find := func(path string) map[string]any {
		r := a.do("GET", path, who, nil, nil)
		require.Equal(a.t, http.StatusOK, r.status, string(r.raw))
		for _, it := range r.body["items"].([]any) {
			if m := it.(map[string]any); m["id"] == id {
				return m
			}
		}
		return nil
	}
	inList := find("/api/v1/dossiers?limit=200&q=" + url.QueryEscape(name))
	require.NotNil(a.t, inList, "%s does not find %s in the list", who, id)
	if task := find("/api/v1/tasks"); task != nil {
		for _, k := range []string{"allowed_actions", "council_session", "hold"} {
			require.Equal(a.t, inList[k], task[k], "%s: the task list and the list differ", k)
		}
	}
	return inList
}

// names are the people of the e2e stack as the console shows them (and
// the screenshots in the README): realistic names of a province's staff.
var names = map[string]string{
	"unitA": "Trần Thị Mai", "unitB": "Lê Văn Nam", "officer": "Nguyễn Thị Hoa", "secretary": "Phạm Văn Đức",
	"chairman": "Hoàng Văn Sơn", "admin": "Đỗ Minh Quân",
	"c1": "Lò Văn Thắng", "c2": "Tao Thị Hương", "c3": "Điêu Văn Hải", "c4": "Giàng A Dơ", "c5": "Lường Thị Nga",
	"c6": "Sùng A Lử", "c7": "Hà Thị Thu", "c8": "Vũ Đức Minh", "c9": "Bùi Văn Tuấn",
}

// personName is the name of the stack's person sub.
func personName(sub string) string {
	if n, ok := names[sub]; ok {
		return n
	}
	return "Người " + sub
}

func (a *api) get(id, who string) reply { return a.do("GET", "/api/v1/dossiers/"+id, who, nil, nil) }

// act takes an action and checks read-your-writes: the next GET and the
// list already show the new state.
func (a *api) act(id, action, who string, body map[string]any, want string) map[string]any {
	a.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	r := a.do("POST", "/api/v1/dossiers/"+id+"/actions/"+action, who, body, nil)
	require.Equal(a.t, http.StatusOK, r.status, "%s by %s: %s", action, who, r.raw)
	if want != "" {
		require.Equal(a.t, want, r.body["stage"], "%s by %s", action, who)
	}
	g := a.get(id, who)
	require.Equal(a.t, http.StatusOK, g.status)
	require.Equal(a.t, r.body["version"], g.body["version"], "GET after %s is behind", action)
	require.Equal(a.t, fmt.Sprintf(`"%v"`, g.body["version"]), g.header.Get("ETag"))
	l := a.do("GET", "/api/v1/dossiers?stage="+fmt.Sprint(r.body["stage"])+"&limit=200", "admin", nil, nil)
	require.Equal(a.t, http.StatusOK, l.status)
	found := false
	for _, it := range l.body["items"].([]any) {
		found = found || it.(map[string]any)["id"] == id
	}
	require.True(a.t, found, "the list by stage does not show %s after %s", id, action)
	return r.body
}

func (a *api) history(id string) []map[string]any {
	r := a.do("GET", "/api/v1/dossiers/"+id+"/history", "admin", nil, nil)
	require.Equal(a.t, http.StatusOK, r.status, string(r.raw))
	var items []any
	if it, ok := r.body["items"].([]any); ok {
		items = it
	}
	out := make([]map[string]any, len(items))
	for i, e := range items {
		out[i] = e.(map[string]any)
	}
	return out
}

func (a *api) upload(id, who, kind, filename string, content []byte) reply {
	return a.uploadKeyed(id, who, kind, filename, content, "")
}

// uploadKeyed uploads with an Idempotency-Key ("" none).
func (a *api) uploadKeyed(id, who, kind, filename string, content []byte, key string) reply {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(a.t, mw.WriteField("kind", kind))
	fw, err := mw.CreateFormFile("file", filename)
	require.NoError(a.t, err)
	_, _ = fw.Write(content)
	require.NoError(a.t, mw.Close())
	hdr := map[string]string{"Content-Type": mw.FormDataContentType()}
	if key != "" {
		hdr["Idempotency-Key"] = key
	}
	return a.do("POST", "/api/v1/dossiers/"+id+"/documents", who, &buf, hdr)
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
