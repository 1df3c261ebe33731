// Package web is the console for people: server-rendered HTML in
// Vietnamese, embedded in the binary and served under / by `tdkt api` and
// `tdkt dev`. It is a second front door over the same application layer as
// the JSON API (package app): every page shows and does exactly what the
// signed-in person's roles and unit allow there.
//
// Sign-in is OpenID Connect (authorization code with PKCE, package
// web/oidc) in production, and a list of demo users under `tdkt dev`; after
// it a server-side session (github.com/alexedwards/scs, stored in
// PostgreSQL) identifies the person by an HttpOnly, SameSite=Lax cookie.
// Every form that changes something carries the session's CSRF token, and
// cross-origin writes are refused before any handler runs.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/web/oidc"
	"tdkt/workflows"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Session keys.
const (
	keyActor = "actor"
	keyCSRF  = "csrf"
	keyFlash = "flash"
)

// CSRFField is the form field that carries the session's CSRF token.
const CSRFField = "csrf_token"

// Deps is what the console needs.
type Deps struct {
	App *app.Service
	// DB holds the sessions table (the read model's database).
	DB     *sql.DB
	Logger *slog.Logger
	// DevUsers, when not empty, are offered on the sign-in page: `tdkt dev`
	// only, never in production.
	DevUsers []domain.Actor
	// OIDC signs people in through the identity provider (production).
	OIDC *oidc.Provider
	// SecureCookie marks the session cookie Secure (everywhere but loopback).
	SecureCookie bool
	// SessionLifetime is a session's absolute lifetime; 10 hours when zero.
	SessionLifetime time.Duration
	// TemporalUIURL and Namespace build the links from the admin's pages to
	// each dossier's workflow in Temporal UI; no links when empty.
	TemporalUIURL string
	Namespace     string
}

// Console is the web console.
type Console struct {
	app       *app.Service
	sm        *scs.SessionManager
	log       *slog.Logger
	devUsers  []domain.Actor
	oidc      *oidc.Provider
	pages     map[string]pageTemplate
	temporal  string
	namespace string
	handler   http.Handler
}

// New builds the console.
func New(d Deps) (*Console, error) {
	if d.App == nil || d.DB == nil {
		return nil, errors.New("web: the application layer and the database are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.SessionLifetime <= 0 {
		d.SessionLifetime = 10 * time.Hour
	}
	sm := scs.New()
	// The cleanup goroutine deletes expired rows every 5 minutes.
	sm.Store = postgresstore.New(d.DB)
	sm.Lifetime = d.SessionLifetime
	sm.IdleTimeout = 2 * time.Hour
	sm.HashTokenInStore = true
	sm.Cookie.Name = "tdkt_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = d.SecureCookie
	sm.Cookie.Path = "/"
	c := &Console{app: d.App, sm: sm, log: d.Logger, devUsers: d.DevUsers, oidc: d.OIDC,
		temporal: strings.TrimRight(d.TemporalUIURL, "/"), namespace: d.Namespace}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		c.log.Error("console session", "error", err)
		c.errorPage(w, r, http.StatusServiceUnavailable, "Hệ thống tạm thời không đọc được phiên đăng nhập. Vui lòng thử lại sau ít phút.")
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c.pages = pages
	c.handler = c.routes()
	return c, nil
}

// Handler is the console as an http.Handler.
func (c *Console) Handler() http.Handler { return c.handler }

// Paths are the console's top-level paths; everything else of the process
// (the API under /api, health, metrics, codec) stays the API's.
var Paths = []string{"/signin", "/signout", "/auth", "/tasks", "/dossiers", "/admin", "/batches", "/sessions", "/registry", "/units", "/plan", "/reports", "/holds",
	"/registrations", "/reminders", "/books", "/council", "/static"}

// Register adds the console's routes to the API's router.
func (c *Console) Register(r *gin.Engine) {
	h := gin.WrapH(c.handler)
	r.GET("/", h)
	r.HEAD("/", h)
	for _, p := range Paths {
		r.Any(p, h)
		r.Any(p+"/*rest", h)
	}
}

func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})))

	mux.HandleFunc("GET /{$}", c.home)
	mux.HandleFunc("GET /signin", c.signinPage)
	mux.HandleFunc("POST /signin", c.post(c.devSignin))
	mux.HandleFunc("GET /signin/oidc", c.oidcStart)
	mux.HandleFunc("GET /auth/callback", c.oidcCallback)
	mux.HandleFunc("POST /signout", c.post(c.signout))

	mux.HandleFunc("GET /tasks", c.signedIn(c.tasks))
	mux.HandleFunc("GET /dossiers", c.signedIn(c.list))
	mux.HandleFunc("GET /dossiers/new", c.signedIn(c.newDossier))
	mux.HandleFunc("POST /dossiers", c.signedIn(c.post(c.submit)))
	mux.HandleFunc("GET /dossiers/{id}", c.signedIn(c.dossier))
	mux.HandleFunc("POST /dossiers/{id}/documents", c.signedIn(c.upload))
	mux.HandleFunc("GET /dossiers/{id}/documents/{doc}", c.signedIn(c.document))
	mux.HandleFunc("GET /dossiers/{id}/documents/{doc}/view", c.signedIn(c.documentView))
	mux.HandleFunc("GET /dossiers/{id}/act/{action}", c.signedIn(c.actionPage))
	mux.HandleFunc("POST /dossiers/{id}/act/{action}", c.signedIn(c.post(c.act)))
	mux.HandleFunc("GET /admin", c.signedIn(c.admin))
	mux.HandleFunc("GET /books", c.signedIn(c.books))
	mux.HandleFunc("GET /council", c.signedIn(c.council))
	mux.HandleFunc("POST /council", c.signedIn(c.post(c.putMember)))
	mux.HandleFunc("POST /council/remove", c.signedIn(c.post(c.removeMember)))
	mux.HandleFunc("GET /batches", c.signedIn(c.batches))
	mux.HandleFunc("GET /batches/new", c.signedIn(c.newBatch))
	mux.HandleFunc("POST /batches", c.signedIn(c.post(c.createBatch)))
	mux.HandleFunc("GET /batches/{id}", c.signedIn(c.batch))
	mux.HandleFunc("POST /batches/{id}/sign", c.signedIn(c.post(c.signBatch)))
	mux.HandleFunc("GET /batches/{id}/document", c.signedIn(c.batchDocument))
	mux.HandleFunc("GET /sessions", c.signedIn(c.sessions))
	mux.HandleFunc("GET /sessions/new", c.signedIn(c.newSession))
	mux.HandleFunc("POST /sessions", c.signedIn(c.post(c.openSession)))
	mux.HandleFunc("GET /sessions/{id}", c.signedIn(c.session))
	mux.HandleFunc("GET /sessions/{id}/ballot", c.signedIn(c.ballotPage))
	mux.HandleFunc("POST /sessions/{id}/ballot", c.signedIn(c.post(c.castBallot)))
	mux.HandleFunc("GET /sessions/{id}/written-opinion", c.signedIn(c.opinionPage))
	mux.HandleFunc("POST /sessions/{id}/written-opinion", c.signedIn(c.post(c.recordOpinion)))
	mux.HandleFunc("GET /sessions/{id}/agenda", c.signedIn(c.agendaPage))
	mux.HandleFunc("POST /sessions/{id}/agenda", c.signedIn(c.post(c.changeAgenda)))
	mux.HandleFunc("GET /sessions/{id}/close", c.signedIn(c.closePage))
	mux.HandleFunc("POST /sessions/{id}/close", c.signedIn(c.post(c.closeSession)))
	mux.HandleFunc("GET /sessions/{id}/minutes", c.signedIn(c.sessionMinutes))
	mux.HandleFunc("GET /registry", c.signedIn(c.registry))
	mux.HandleFunc("GET /registry/import", c.signedIn(c.importPage))
	mux.HandleFunc("POST /registry/import", c.signedIn(c.importFile))
	mux.HandleFunc("GET /registry/template", c.signedIn(c.registryTemplate))
	mux.HandleFunc("GET /registry/nominee", c.signedIn(c.nominee))
	mux.HandleFunc("POST /dossiers/{id}/eligibility/overrule", c.signedIn(c.post(c.overrule)))
	mux.HandleFunc("GET /holds", c.signedIn(c.holds))
	mux.HandleFunc("POST /holds", c.signedIn(c.post(c.setHold)))
	mux.HandleFunc("POST /holds/lift", c.signedIn(c.post(c.liftHold)))
	mux.HandleFunc("GET /units", c.signedIn(c.units))
	mux.HandleFunc("POST /units", c.signedIn(c.post(c.createUnit)))
	mux.HandleFunc("GET /units/{code}", c.signedIn(c.unitPage))
	mux.HandleFunc("POST /units/{code}", c.signedIn(c.post(c.updateUnit)))
	mux.HandleFunc("GET /plan", c.signedIn(c.plan))
	mux.HandleFunc("GET /plan/campaigns/new", c.signedIn(c.newCampaign))
	mux.HandleFunc("POST /plan/campaigns", c.signedIn(c.post(c.createCampaign)))
	mux.HandleFunc("GET /registrations", c.signedIn(c.registrations))
	mux.HandleFunc("GET /registrations/new", c.signedIn(c.newRegistration))
	mux.HandleFunc("POST /registrations", c.signedIn(c.post(c.createRegistration)))
	mux.HandleFunc("GET /reminders", c.signedIn(c.reminders))
	mux.HandleFunc("GET /reports", c.signedIn(c.reports))
	mux.HandleFunc("GET /reports/summary.csv", c.signedIn(c.reportDownload("csv")))
	mux.HandleFunc("GET /reports/summary.xlsx", c.signedIn(c.reportDownload("xlsx")))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusNotFound, "Không tìm thấy trang này.")
	})

	// Cross-origin writes are refused by the browser's own headers
	// (Sec-Fetch-Site, Origin) before the CSRF token is even looked at.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusForbidden, "Yêu cầu đến từ một trang khác nên đã bị từ chối.")
	}))
	var h http.Handler = securityHeaders(mux)
	h = cop.Handler(h)
	// Outermost, so that every page, the refusals above included, has the
	// session.
	return c.sm.LoadAndSave(h)
}

// securityHeaders keeps pages out of other sites' frames and scripts out
// of everything but the console's own files.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

// actor is who is signed in, if anyone.
func (c *Console) actor(r *http.Request) (domain.Actor, bool) {
	raw := c.sm.GetString(r.Context(), keyActor)
	if raw == "" {
		return domain.Actor{}, false
	}
	var a domain.Actor
	if err := json.Unmarshal([]byte(raw), &a); err != nil || a.ID == "" {
		return domain.Actor{}, false
	}
	return a, true
}

type ctxKey struct{}

// signedIn lets only signed-in people through; others go to the sign-in
// page and come back afterwards.
func (c *Console) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := c.actor(r)
		if !ok {
			back := r.URL.Path
			if r.Method != http.MethodGet {
				back = "/"
			} else if r.URL.RawQuery != "" {
				back += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(back), http.StatusSeeOther)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, a)))
	}
}

func actorOf(r *http.Request) domain.Actor {
	a, _ := r.Context().Value(ctxKey{}).(domain.Actor)
	return a
}

// csrfToken is the session's CSRF token, made on first use.
func (c *Console) csrfToken(r *http.Request) string {
	ctx := r.Context()
	if t := c.sm.GetString(ctx, keyCSRF); t != "" {
		return t
	}
	t := rand.Text()
	c.sm.Put(ctx, keyCSRF, t)
	return t
}

// post guards a form that changes something: its CSRF token must be the
// session's. The form is parsed here (url-encoded bodies up to 1 MB).
func (c *Console) post(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			c.errorPage(w, r, http.StatusBadRequest, "Biểu mẫu gửi lên không đọc được. Vui lòng thử lại.")
			return
		}
		if !c.validCSRF(r, r.PostForm.Get(CSRFField)) {
			c.csrfRefused(w, r)
			return
		}
		next(w, r)
	}
}

func (c *Console) validCSRF(r *http.Request, got string) bool {
	want := c.sm.GetString(r.Context(), keyCSRF)
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func (c *Console) csrfRefused(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusForbidden, "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã bảo vệ CSRF). Hãy tải lại trang rồi thử lại.")
}

// flash keeps a message for the next page the person sees.
func (c *Console) flash(r *http.Request, msg string) { c.sm.Put(r.Context(), keyFlash, msg) }

// workflowURL links a dossier's workflow in Temporal UI.
func (c *Console) workflowURL(id string) string {
	if c.temporal == "" {
		return ""
	}
	return c.temporal + "/namespaces/" + url.PathEscape(c.namespace) + "/workflows/" + url.PathEscape(workflows.DossierWorkflowID(id))
}
