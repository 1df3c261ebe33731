// Package server is the HTTP API of ../shared/API.md: a Gin router, bearer
// token authentication, role and unit scoping, problem+json errors, and the
// handlers that read the dossier read model (PostgreSQL) and send actions to
// the dossier workflows (Temporal updates).
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"tdkt/app"
	"tdkt/auth"
	"tdkt/config"
	"tdkt/domain"
	"tdkt/metrics"
)

const (
	// TemporalTimeout bounds every Temporal call a request makes.
	TemporalTimeout = 30 * time.Second
	// ReadyTimeout bounds each dependency check of /readyz.
	ReadyTimeout = 2 * time.Second
	// ShutdownTimeout is how long Run lets in-flight requests finish.
	ShutdownTimeout = 20 * time.Second
)

// Deps is what the API needs.
type Deps struct {
	Temporal client.Client
	// Store is the read model; *store.Store satisfies it.
	Store  ReadModel
	Config config.Config
	Policy domain.Policy
	Logger *slog.Logger
	// Verifier checks bearer tokens; nil builds one from Config
	// (TDKT_JWT_SECRET, TDKT_JWKS_URL).
	Verifier *auth.Verifier
	// Registry receives the HTTP metrics; the caller serves it on the admin
	// listener (TDKT_ADMIN_ADDR), never on the public port. nil makes a new
	// one (metrics.NewRegistry).
	Registry *prometheus.Registry
	// App runs the use cases; nil builds one from the fields above.
	App *app.Service
	// Console, when set, adds its routes (the web console under /).
	Console interface{ Register(r *gin.Engine) }
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Reconcile rebuilds a dossier in the read model from Temporal (see
	// app.Deps.Reconcile); used only when App is nil.
	Reconcile func(ctx context.Context, id string) error
}

// Server is the HTTP API.
type Server struct {
	temporal  client.Client
	store     ReadModel
	cfg       config.Config
	policy    domain.Policy
	log       *slog.Logger
	verifier  *auth.Verifier
	registry  *prometheus.Registry
	maxUpload int64
	engine    *gin.Engine
	app       *app.Service
}

var ginMode sync.Once

// New builds the API. It needs a Temporal client, a store and a way to
// verify tokens.
func New(d Deps) (*Server, error) {
	if d.Temporal == nil || d.Store == nil {
		return nil, errors.New("server: a Temporal client and a store are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Config.TaskQueue == "" {
		d.Config.TaskQueue = config.Defaults().TaskQueue
	}
	if d.Config.MaxUploadMB <= 0 {
		d.Config.MaxUploadMB = config.Defaults().MaxUploadMB
	}
	if d.Verifier == nil {
		if err := d.Config.RequireAuth(); err != nil {
			return nil, err
		}
		v, err := auth.NewVerifier(context.Background(), auth.Options{Secret: []byte(d.Config.JWTSecret),
			JWKSURL: d.Config.JWKSURL, Issuer: d.Config.JWTIssuer, Audience: d.Config.JWTAudience,
			RolesClaim: d.Config.JWTRolesClaim})
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		d.Verifier = v
	}
	if d.Registry == nil {
		d.Registry = metrics.NewRegistry()
	}
	s := &Server{temporal: d.Temporal, store: d.Store, cfg: d.Config, policy: d.Policy, log: d.Logger,
		verifier: d.Verifier, registry: d.Registry, maxUpload: int64(d.Config.MaxUploadMB) << 20}
	s.app = d.App
	if s.app == nil {
		sealer, err := d.Config.Sealer()
		if err != nil {
			return nil, err
		}
		s.app = app.New(app.Deps{Sealer: sealer, Temporal: d.Temporal, Store: d.Store, TaskQueue: d.Config.TaskQueue,
			Policy: d.Policy, Logger: d.Logger, MaxUpload: s.maxUpload, MaxDocuments: d.Config.MaxDocuments, Now: d.Now,
			Reconcile: d.Reconcile, EnforceCampaigns: d.Config.EnforceCampaigns()})
	}
	httpMetrics, err := metrics.NewHTTP(d.Registry)
	if err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	ginMode.Do(func() {
		if os.Getenv(gin.EnvGinMode) == "" {
			gin.SetMode(gin.ReleaseMode)
		}
	})
	s.engine = s.routes(httpMetrics)
	if d.Console != nil {
		d.Console.Register(s.engine)
	}
	return s, nil
}

func (s *Server) routes(m *metrics.HTTP) *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	r.Use(withRequestID, s.accessLog, m.Middleware(), s.recoverer, strictQuery)
	r.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, "no such resource") })
	r.NoMethod(func(c *gin.Context) {
		fail(c, http.StatusMethodNotAllowed, "method %s is not allowed here", c.Request.Method)
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/openapi.yaml", s.openapi)

	api := r.Group("/api/v1", s.authenticate)
	api.GET("/awards", s.awards)
	api.POST("/dossiers", s.submit)
	api.GET("/dossiers", s.list)
	api.GET("/dossiers/:id", s.get)
	api.GET("/dossiers/:id/history", s.history)
	api.POST("/dossiers/:id/documents", s.upload)
	api.GET("/dossiers/:id/documents/:doc", s.download)
	api.POST("/dossiers/:id/actions/:action", s.act)
	api.GET("/dossiers/:id/eligibility", s.eligibility)
	api.POST("/dossiers/:id/eligibility/overrule", s.overruleEligibility)
	api.GET("/holds", s.listHolds)
	api.PUT("/holds/:person_key", s.setHold)
	api.DELETE("/holds/:person_key", s.liftHold)
	api.GET("/tasks", s.tasks)
	api.POST("/batches", s.createBatch)
	api.GET("/batches", s.listBatches)
	api.GET("/batches/:id", s.getBatch)
	api.PATCH("/batches/:id", s.editBatch)
	api.POST("/batches/:id/actions/sign", s.signBatch)
	api.GET("/batches/:id/document", s.batchDocument)
	api.GET("/council-members", s.listCouncilMembers)
	api.PUT("/council-members/:id", s.putCouncilMember)
	api.DELETE("/council-members/:id", s.removeCouncilMember)
	api.POST("/council-sessions", s.openSession)
	api.GET("/council-sessions", s.listSessions)
	api.GET("/council-sessions/:id", s.getSession)
	api.POST("/council-sessions/:id/agenda", s.changeAgenda)
	api.POST("/council-sessions/:id/ballots", s.castBallot)
	api.POST("/council-sessions/:id/written-opinions", s.recordOpinion)
	api.POST("/council-sessions/:id/actions/close", s.closeSession)
	api.GET("/council-sessions/:id/minutes", s.sessionMinutes)
	api.GET("/units", s.listUnits)
	api.POST("/units", s.createUnit)
	api.PUT("/units/:code", s.updateUnit)
	api.GET("/registry", s.listRegistry)
	api.POST("/registry", s.recordAward)
	api.GET("/registry/template", s.registryTemplate)
	api.POST("/registry/imports", s.importRegistry)
	api.GET("/campaigns", s.listCampaigns)
	api.POST("/campaigns", s.createCampaign)
	api.GET("/campaigns/:code", s.getCampaign)
	api.GET("/registrations", s.listRegistrations)
	api.POST("/registrations", s.createRegistration)
	api.PUT("/registration-deadlines/:year", s.setRegistrationDeadline)
	api.GET("/reminders/sent", s.sentReminders)
	api.GET("/reports/summary", s.reportSummary)
	s.codecRoutes(r)
	return r
}

// Handler is the API as an http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Run serves on addr until ctx ends, then shuts down gracefully: it stops
// accepting connections and lets in-flight requests finish, for at most
// ShutdownTimeout.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("server: listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler: s.engine,
		// A client has TDKT_HTTP_READ_HEADER_TIMEOUT (10 s) to send a
		// request's header, and TDKT_HTTP_READ_TIMEOUT (10 min) for the
		// whole request, body included, measured from its start: not an
		// idle timeout, so a client trickling bytes is cut off at the end
		// too. 10 min fits the largest upload (20 MB) at 280 kbit/s. No
		// request waits on a client while it holds a database connection
		// (uploads are read to disk first), so the bound is on goroutines
		// and temporary files, not on the pool.
		ReadHeaderTimeout: s.readHeaderTimeout(),
		ReadTimeout:       s.readTimeout(),
		IdleTimeout:       2 * time.Minute,
		// Large enough that an oversized query reaches the router and gets a
		// problem+json 414 (strictQuery) instead of net/http's bare 431.
		MaxHeaderBytes: 2 << 20,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("API listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("API shutting down; finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// App is the application layer the API runs on, for the console to share.
func (s *Server) App() *app.Service { return s.app }
