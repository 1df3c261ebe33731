// Package oidc is the production sign-in of the web console: the OpenID
// Connect authorization code flow with PKCE (S256) against the province's
// identity provider. AuthURL starts a login and keeps its secrets (state,
// nonce, PKCE verifier, where to go afterwards) in the console's server-side
// session; Finish checks the callback, exchanges the code, verifies the ID
// token and turns its claims into a domain.Actor by the same rules as the
// API's bearer tokens (package auth).
//
// The console should renew its session token after a successful Finish
// (scs: RenewToken) so that a session id planted before login is worthless.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	coreos "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"tdkt/auth"
	"tdkt/domain"
)

// Config is the console's OIDC client: TDKT_OIDC_ISSUER, TDKT_OIDC_CLIENT_ID,
// TDKT_OIDC_CLIENT_SECRET (may be empty for a public client), TDKT_OIDC_REDIRECT_URL.
type Config struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
	// RolesClaim is a dot path to the roles array in the ID token claims,
	// "roles" when empty (e.g. "realm_access.roles"). A claim whose name
	// itself contains dots (e.g. "https://tdkt.example/roles") is matched
	// literally first.
	RolesClaim string
	// Scopes beyond "openid"; default profile, email.
	Scopes []string
}

// State is where the pending login is kept between the redirect and the callback:
// the console's server-side session (github.com/alexedwards/scs/v2 *SessionManager satisfies it).
type State interface {
	Put(ctx context.Context, key string, val any)
	PopString(ctx context.Context, key string) string
}

// Session keys of a pending login. One login at a time per session: a second
// AuthURL replaces the first, which then fails its state check.
const (
	keyState    = "oidc.state"
	keyNonce    = "oidc.nonce"
	keyVerifier = "oidc.verifier"
	keyReturn   = "oidc.return_to"
)

// HTTPTimeout bounds each call to the identity provider (discovery, code
// exchange, key set) when the caller's context brings no HTTP client of its own.
const HTTPTimeout = 10 * time.Second

// Vietnamese messages shown to the person signing in.
const (
	viSession  = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại."
	viRefused  = "Nhà cung cấp định danh từ chối đăng nhập: "
	viExchange = "Không hoàn tất được đăng nhập với nhà cung cấp định danh. Vui lòng thử lại."
	viToken    = "Thông tin đăng nhập do nhà cung cấp định danh gửi về không hợp lệ. Vui lòng đăng nhập lại."
	viNoRole   = "Tài khoản chưa được cấp vai trò nào trong hệ thống."
	viNoUnit   = "Tài khoản có vai trò đơn vị nhưng chưa được gán đơn vị. Vui lòng liên hệ quản trị viên."
	viRoleForm = "Thông tin vai trò của tài khoản không đúng định dạng. Vui lòng liên hệ quản trị viên."
)

// Error is a refused sign-in. Vi is for the person at the browser; Error()
// is English with the cause, for the log. Use errors.As with a *Error.
type Error struct {
	Vi  string
	Err error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "oidc: sign-in refused"
	}
	return "oidc: sign-in refused: " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func refuse(vi string, format string, args ...any) *Error {
	return &Error{Vi: vi, Err: fmt.Errorf(format, args...)}
}

// Provider is a discovered identity provider with the console's client settings.
type Provider struct {
	oauth      oauth2.Config
	verifier   *coreos.IDTokenVerifier
	rolesClaim string
	client     *http.Client
}

// New discovers cfg.Issuer (/.well-known/openid-configuration) and prepares
// the client. ctx bounds discovery only; an HTTP client in ctx (oauth2.HTTPClient)
// is used for every later call to the provider too.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	var missing []string
	for _, f := range []struct{ env, val string }{
		{"TDKT_OIDC_ISSUER", cfg.Issuer},
		{"TDKT_OIDC_CLIENT_ID", cfg.ClientID},
		{"TDKT_OIDC_REDIRECT_URL", cfg.RedirectURL},
	} {
		if strings.TrimSpace(f.val) == "" {
			missing = append(missing, f.env)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("oidc: %s not set", strings.Join(missing, ", "))
	}
	// The provider compares redirect_uri exactly; a relative one can never match.
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("oidc: TDKT_OIDC_REDIRECT_URL=%q is not an absolute http(s) URL", cfg.RedirectURL)
	}

	client, _ := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if client == nil {
		client = &http.Client{Timeout: HTTPTimeout}
		ctx = coreos.ClientContext(ctx, client)
	}
	prov, err := coreos.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery of the identity provider TDKT_OIDC_ISSUER=%q failed (check the URL, it must equal the provider's issuer exactly, and that it is reachable): %w", cfg.Issuer, err)
	}

	scopes := []string{coreos.ScopeOpenID}
	extra := cfg.Scopes
	if len(extra) == 0 {
		extra = []string{"profile", "email"}
	}
	for _, s := range extra {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	rolesClaim := strings.TrimSpace(cfg.RolesClaim)
	if rolesClaim == "" {
		rolesClaim = "roles"
	}
	return &Provider{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Endpoint:     prov.Endpoint(),
			Scopes:       scopes,
		},
		// Checks signature (provider's key set), issuer, audience = client id, expiry.
		verifier:   prov.Verifier(&coreos.Config{ClientID: cfg.ClientID}),
		rolesClaim: rolesClaim,
		client:     client,
	}, nil
}

// AuthURL starts a login: it stores a fresh random state, nonce and PKCE
// verifier (and where to return afterwards) in s, and returns the provider's
// authorization URL to redirect the browser to. returnTo is kept only if it
// is a local path ("/…", not "//…"); anything else becomes "/", so the
// callback can never be used as an open redirect.
func (p *Provider) AuthURL(ctx context.Context, s State, returnTo string) string {
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	s.Put(ctx, keyState, state)
	s.Put(ctx, keyNonce, nonce)
	s.Put(ctx, keyVerifier, verifier)
	s.Put(ctx, keyReturn, LocalPath(returnTo))
	return p.oauth.AuthCodeURL(state, coreos.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
}

// Finish handles the provider's redirect back (its query q): it checks the
// state against the pending login in s, exchanges the code with the PKCE
// verifier, verifies the ID token (signature, issuer, audience, expiry,
// nonce) and maps its claims to an actor. It returns the actor and the local
// path kept by AuthURL. Every refusal is an *Error.
func (p *Provider) Finish(ctx context.Context, s State, q url.Values) (domain.Actor, string, error) {
	// Pop everything first: a pending login is good for one callback only,
	// whatever its outcome, so a callback URL cannot be replayed.
	want := s.PopString(ctx, keyState)
	nonce := s.PopString(ctx, keyNonce)
	verifier := s.PopString(ctx, keyVerifier)
	returnTo := LocalPath(s.PopString(ctx, keyReturn))

	// State first, even for an error callback: otherwise anyone could make the
	// console display text of their choosing (error_description) to a user.
	if want == "" {
		return domain.Actor{}, "", refuse(viSession, "no pending login in this session (expired, already used, or started elsewhere)")
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(want)) != 1 {
		return domain.Actor{}, "", refuse(viSession, "state does not match the pending login")
	}
	if e := q.Get("error"); e != "" {
		desc := clip(q.Get("error_description"))
		if desc == "" {
			desc = clip(e)
		}
		return domain.Actor{}, "", &Error{Vi: viRefused + desc,
			Err: fmt.Errorf("identity provider returned error %q: %s", e, desc)}
	}
	code := q.Get("code")
	if code == "" {
		return domain.Actor{}, "", refuse(viExchange, "callback has no code")
	}

	ctx = p.httpContext(ctx)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return domain.Actor{}, "", refuse(viExchange, "code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return domain.Actor{}, "", refuse(viToken, "token response has no id_token (is the openid scope granted?)")
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return domain.Actor{}, "", refuse(viToken, "ID token: %w", err)
	}
	// go-oidc leaves the nonce to us; it ties the token to this login, not to
	// one injected from another.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return domain.Actor{}, "", refuse(viSession, "ID token nonce does not match the pending login")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return domain.Actor{}, "", refuse(viToken, "ID token claims: %w", err)
	}
	a, err := actorFromClaims(claims, p.rolesClaim)
	if err != nil {
		return domain.Actor{}, "", err
	}
	return a, returnTo, nil
}

func (p *Provider) httpContext(ctx context.Context) context.Context {
	if _, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, p.client)
}

// actorFromClaims maps verified ID token claims to an actor exactly as the
// API maps its bearer tokens (auth.ActorFromClaims): roles the application
// does not know are ignored, since identity providers add their own
// (offline_access, uma_authorization, …).
func actorFromClaims(claims map[string]any, rolesClaim string) (domain.Actor, error) {
	str := func(k string) (string, error) {
		switch v := claims[k].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		default:
			return "", refuse(viToken, "claim %q is %T, not a string", k, v)
		}
	}
	var sub, unit, name string
	for _, f := range []struct {
		dst  *string
		keys []string // first non-empty wins
	}{
		{&sub, []string{"sub"}},
		{&unit, []string{"unit"}},
		{&name, []string{"name", "preferred_username", "email"}},
	} {
		for _, k := range f.keys {
			v, err := str(k)
			if err != nil {
				return domain.Actor{}, err
			}
			if strings.TrimSpace(*f.dst) == "" {
				*f.dst = v
			}
		}
	}

	roles, err := auth.RolesAt(claims, rolesClaim)
	if err != nil {
		return domain.Actor{}, &Error{Vi: viRoleForm, Err: err}
	}
	var known []string
	for _, r := range roles {
		if domain.ValidRole(domain.Role(r)) {
			known = append(known, r)
		}
	}
	if len(known) == 0 {
		return domain.Actor{}, refuse(viNoRole, "no role known to the application in claim %q (got %q)", rolesClaim, roles)
	}
	a, err := auth.ActorFromClaims(sub, name, unit, known)
	if err != nil {
		vi := viToken
		if slices.Contains(known, string(domain.RoleUnit)) && strings.TrimSpace(unit) == "" {
			vi = viNoUnit
		}
		return domain.Actor{}, &Error{Vi: vi, Err: err}
	}
	return a, nil
}

// LocalPath keeps returnTo only if it stays on this site: a path starting
// with "/" but not "//" or "/\" (browsers read both as another host), with no
// control characters; anything else is "/". The console's own redirects use
// it too.
func LocalPath(returnTo string) string {
	if !strings.HasPrefix(returnTo, "/") || strings.HasPrefix(returnTo, "//") || strings.HasPrefix(returnTo, "/\\") {
		return "/"
	}
	if strings.ContainsFunc(returnTo, unicode.IsControl) {
		return "/"
	}
	if u, err := url.Parse(returnTo); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return returnTo
}

// clip keeps a provider's error text printable and short enough for a page.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
