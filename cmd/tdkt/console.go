package main

import (
	"context"
	"log/slog"
	"net"
	"time"

	"tdkt/app"
	"tdkt/config"
	"tdkt/domain"
	"tdkt/server"
	"tdkt/store"
	"tdkt/web"
	"tdkt/web/oidc"
	"tdkt/worker"
)

// newAPIWithConsole builds the API and the web console over one
// application layer. devUsers, when not empty, enables the demo sign-in
// (tdkt dev only).
func newAPIWithConsole(ctx context.Context, d server.Deps, st *store.Store, cfg config.Config, devUsers []domain.Actor) (*server.Server, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	sealer, err := cfg.Sealer()
	if err != nil {
		return nil, err
	}
	// The API rebuilds a dossier from Temporal itself only for a repeated
	// submission whose first attempt did not write it; the workers'
	// reconcilers do the rest.
	rec, err := worker.NewReconciler(d.Temporal, st, cfg, d.Logger)
	if err != nil {
		return nil, err
	}
	d.App = app.New(app.Deps{Sealer: sealer, Temporal: d.Temporal, Store: d.Store, TaskQueue: cfg.TaskQueue, Policy: d.Policy,
		Logger: d.Logger, MaxUpload: int64(cfg.MaxUploadMB) << 20, MaxDocuments: cfg.MaxDocuments, Reconcile: rec.Dossier,
		EnforceCampaigns: cfg.EnforceCampaigns()})
	var provider *oidc.Provider
	if cfg.OIDCIssuer != "" {
		p, err := oidc.New(ctx, oidc.Config{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: cfg.OIDCRedirectURL, RolesClaim: cfg.OIDCRolesClaim})
		if err != nil {
			return nil, err
		}
		provider = p
	}
	console, err := web.New(web.Deps{App: d.App, DB: st.DB.DB, Logger: d.Logger, DevUsers: devUsers, OIDC: provider,
		SecureCookie: !loopback(cfg.HTTPAddr), SessionLifetime: time.Duration(cfg.SessionHours) * time.Hour,
		TemporalUIURL: cfg.TemporalUIURL, Namespace: cfg.TemporalNamespace})
	if err != nil {
		return nil, err
	}
	d.Console = console
	return server.New(d)
}

// loopback reports whether addr listens on loopback only, where the
// session cookie may go without TLS.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
