package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"tdkt/domain"
)

const redirectURL = "http://console.test/auth/callback"

// memState is the console session in miniature.
type memState struct {
	mu sync.Mutex
	m  map[string]any
}

func newState() *memState { return &memState{m: map[string]any{}} }

func (s *memState) Put(_ context.Context, k string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
}

func (s *memState) PopString(_ context.Context, k string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := s.m[k].(string)
	delete(s.m, k)
	return v
}

func (s *memState) get(k string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := s.m[k].(string)
	return v
}

// user is a mockoidc user whose ID token carries arbitrary claims (nested
// ones too); they are laid over the standard claims, so a test may also
// override iss or aud.
type user struct {
	sub    string
	claims map[string]any
}

func (u user) ID() string { return u.sub }

func (u user) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.sub})
}

func (u user) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	m := jwt.MapClaims{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range u.claims {
		m[k] = v
	}
	return m, nil
}

var (
	keyOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// idp is a running mockoidc with a PKCE check of our own in front of its token
// endpoint, so the tests do not depend on mockoidc's.
type idp struct {
	m *mockoidc.MockOIDC

	mu        sync.Mutex
	challenge string // code_challenge seen at the authorize endpoint
	method    string
	verifier  string // code_verifier seen at the token endpoint
	exchanges int    // authorization_code grants that passed the PKCE check
}

func startIDP(t *testing.T, tweak func(*mockoidc.MockOIDC)) *idp {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	m, err := mockoidc.NewServer(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(m)
	}
	i := &idp{m: m}
	var serial sync.Mutex // mockoidc's session map is not safe for concurrent use
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serial.Lock()
			defer serial.Unlock()
			switch r.URL.Path {
			case mockoidc.AuthorizationEndpoint:
				q := r.URL.Query()
				i.mu.Lock()
				i.challenge, i.method = q.Get("code_challenge"), q.Get("code_challenge_method")
				i.mu.Unlock()
			case mockoidc.TokenEndpoint:
				if err := r.ParseForm(); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				if r.PostForm.Get("grant_type") == "authorization_code" {
					v := r.PostForm.Get("code_verifier")
					sum := sha256.Sum256([]byte(v))
					i.mu.Lock()
					i.verifier = v
					ok := v != "" && i.method == "S256" &&
						base64.RawURLEncoding.EncodeToString(sum[:]) == i.challenge
					i.mu.Unlock()
					if !ok {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusBadRequest)
						_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"PKCE check failed"}`))
						return
					}
					i.mu.Lock()
					i.exchanges++
					i.mu.Unlock()
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return i
}

func (i *idp) provider(t *testing.T, rolesClaim string) *Provider {
	t.Helper()
	p, err := New(t.Context(), Config{Issuer: i.m.Issuer(), ClientID: i.m.ClientID,
		ClientSecret: i.m.ClientSecret, RedirectURL: redirectURL, RolesClaim: rolesClaim})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var browser = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authorize plays the browser: it starts a login for u, follows the
// authorization URL to the provider and returns the callback query the
// provider redirects back with.
func (i *idp) authorize(t *testing.T, p *Provider, s State, returnTo string, u user) url.Values {
	t.Helper()
	i.m.QueueUser(u)
	resp, err := browser.Get(p.AuthURL(t.Context(), s, returnTo))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURL {
		t.Fatalf("provider redirected to %s, want %s", got, redirectURL)
	}
	return loc.Query()
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *oidc.Error", err, err)
	}
	if e.Vi == "" || e.Error() == "" || errors.Unwrap(err) == nil {
		t.Fatalf("incomplete *Error: Vi %q, Error %q, Unwrap %v", e.Vi, e.Error(), errors.Unwrap(err))
	}
	return e
}

func wantRefused(t *testing.T, err error, vi string) {
	t.Helper()
	if e := asError(t, err); e.Vi != vi {
		t.Fatalf("Vi = %q, want %q (err: %v)", e.Vi, vi, err)
	}
}

func TestRoundTrip(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	s := newState()
	q := i.authorize(t, p, s, "/dossiers/D-7?tab=history", user{sub: "u-42", claims: map[string]any{
		"name": "Nguyễn Văn A", "unit": "so-noi-vu",
		"roles": []string{"unit", "officer", "unit"},
	}})
	a, back, err := p.Finish(t.Context(), s, q)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Actor{ID: "u-42", Name: "Nguyễn Văn A", Unit: "so-noi-vu",
		Roles: []domain.Role{domain.RoleUnit, domain.RoleOfficer}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("actor = %+v, want %+v", a, want)
	}
	if back != "/dossiers/D-7?tab=history" {
		t.Fatalf("returnTo = %q", back)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	// oauth2 may try client authentication in the header first, then in the
	// form (mockoidc wants the form), so there can be two attempts.
	if i.exchanges == 0 || i.verifier == "" {
		t.Fatalf("token endpoint saw no exchange passing the PKCE check (verifier %q)", i.verifier)
	}
	for _, k := range []string{keyState, keyNonce, keyVerifier, keyReturn} {
		if v := s.get(k); v != "" {
			t.Errorf("session still holds %s = %q after Finish", k, v)
		}
	}
}

func TestAuthURLCarriesPKCEStateNonce(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	s := newState()
	u, err := url.Parse(p.AuthURL(t.Context(), s, "/"))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != i.m.AuthorizationEndpoint() {
		t.Fatalf("AuthURL goes to %s, want %s", got, i.m.AuthorizationEndpoint())
	}
	q := u.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": i.m.ClientID, "redirect_uri": redirectURL,
		"code_challenge_method": "S256", "scope": "openid profile email",
		"state": s.get(keyState), "nonce": s.get(keyNonce),
	} {
		if q.Get(k) != want || want == "" {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	// The challenge is S256 of the verifier kept in the session (RFC 7636 4.2).
	sum := sha256.Sum256([]byte(s.get(keyVerifier)))
	if c := q.Get("code_challenge"); c == "" || c != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("code_challenge %q is not S256 of the stored verifier %q", c, s.get(keyVerifier))
	}
	if q.Has("code_verifier") {
		t.Error("the verifier itself leaked into the authorization URL")
	}
	// Each login gets fresh secrets.
	q2, _ := url.Parse(p.AuthURL(t.Context(), newState(), "/"))
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q2.Query().Get(k) == q.Get(k) {
			t.Errorf("%s repeated across logins", k)
		}
	}
}

// A session whose verifier is not the one the challenge was made from cannot
// exchange the code: the token endpoint really checks what Finish sends.
func TestWrongVerifierRefused(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	s := newState()
	q := i.authorize(t, p, s, "/", user{sub: "u", claims: map[string]any{"roles": []string{"admin"}}})
	v := []byte(s.get(keyVerifier))
	v[0] ^= 1 // still a valid verifier character, but another verifier
	s.Put(t.Context(), keyVerifier, string(v))
	_, _, err := p.Finish(t.Context(), s, q)
	wantRefused(t, err, viExchange)
}

func TestStateWrongOrReplayed(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	u := user{sub: "u", claims: map[string]any{"roles": []string{"admin"}}}

	t.Run("wrong", func(t *testing.T) {
		s := newState()
		q := i.authorize(t, p, s, "/", u)
		q.Set("state", q.Get("state")+"x")
		_, _, err := p.Finish(t.Context(), s, q)
		wantRefused(t, err, viSession)
		// The failed attempt used up the pending login: the genuine callback now fails too.
		q.Set("state", strings.TrimSuffix(q.Get("state"), "x"))
		_, _, err = p.Finish(t.Context(), s, q)
		wantRefused(t, err, viSession)
	})
	t.Run("replayed", func(t *testing.T) {
		s := newState()
		q := i.authorize(t, p, s, "/", u)
		if _, _, err := p.Finish(t.Context(), s, q); err != nil {
			t.Fatal(err)
		}
		_, _, err := p.Finish(t.Context(), s, q)
		wantRefused(t, err, viSession)
	})
	t.Run("other session", func(t *testing.T) {
		q := i.authorize(t, p, newState(), "/", u)
		_, _, err := p.Finish(t.Context(), newState(), q)
		wantRefused(t, err, viSession)
	})
}

func TestNonceMismatchRefused(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	s := newState()
	q := i.authorize(t, p, s, "/", user{sub: "u", claims: map[string]any{"roles": []string{"admin"}}})
	s.Put(t.Context(), keyNonce, "another-login")
	_, _, err := p.Finish(t.Context(), s, q)
	wantRefused(t, err, viSession)
}

func TestIDTokenChecks(t *testing.T) {
	roles := map[string]any{"roles": []string{"admin"}}
	for name, c := range map[string]struct {
		tweak  func(*mockoidc.MockOIDC)
		claims map[string]any
	}{
		"expired":        {tweak: func(m *mockoidc.MockOIDC) { m.AccessTTL = -10 * time.Minute }},
		"other audience": {claims: map[string]any{"aud": []string{"another-client"}}},
		"other issuer":   {claims: map[string]any{"iss": "https://evil.example/oidc"}},
	} {
		t.Run(name, func(t *testing.T) {
			i := startIDP(t, c.tweak)
			p := i.provider(t, "")
			cl := map[string]any{}
			for k, v := range roles {
				cl[k] = v
			}
			for k, v := range c.claims {
				cl[k] = v
			}
			s := newState()
			q := i.authorize(t, p, s, "/", user{sub: "u", claims: cl})
			_, _, err := p.Finish(t.Context(), s, q)
			wantRefused(t, err, viToken)
		})
	}
}

func TestUnknownRoles(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")

	s := newState()
	q := i.authorize(t, p, s, "/", user{sub: "u", claims: map[string]any{
		"preferred_username": "thuky", "roles": []string{"offline_access", "secretary", "uma_authorization", "council"}}})
	a, _, err := p.Finish(t.Context(), s, q)
	if err != nil {
		t.Fatal(err)
	}
	if want := []domain.Role{domain.RoleSecretary, domain.RoleCouncil}; !reflect.DeepEqual(a.Roles, want) {
		t.Fatalf("roles = %v, want %v", a.Roles, want)
	}
	if a.Name != "thuky" {
		t.Fatalf("name = %q, want the preferred_username fallback", a.Name)
	}

	for name, cl := range map[string]map[string]any{
		"only unknown": {"roles": []string{"offline_access", "uma_authorization", "system"}},
		"no roles":     {},
	} {
		t.Run(name, func(t *testing.T) {
			s := newState()
			q := i.authorize(t, p, s, "/", user{sub: "u", claims: cl})
			_, _, err := p.Finish(t.Context(), s, q)
			wantRefused(t, err, viNoRole)
		})
	}
}

func TestNestedRolesClaim(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "realm_access.roles")
	s := newState()
	q := i.authorize(t, p, s, "/", user{sub: "u", claims: map[string]any{
		"email":        "a@tdkt.example",
		"roles":        []string{"admin"}, // not the configured claim: must be ignored
		"realm_access": map[string]any{"roles": []string{"default-roles-tdkt", "chairman"}},
	}})
	a, _, err := p.Finish(t.Context(), s, q)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Actor{ID: "u", Name: "a@tdkt.example", Roles: []domain.Role{domain.RoleChairman}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("actor = %+v, want %+v", a, want)
	}
}

func TestUnitRoleNeedsUnitClaim(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	s := newState()
	q := i.authorize(t, p, s, "/", user{sub: "u", claims: map[string]any{"roles": []string{"unit"}}})
	_, _, err := p.Finish(t.Context(), s, q)
	wantRefused(t, err, viNoUnit)
}

func TestOpenRedirectReturnTo(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")
	for _, rt := range []string{"//evil.example", "https://evil.example", "/\\evil.example"} {
		t.Run(rt, func(t *testing.T) {
			s := newState()
			q := i.authorize(t, p, s, rt, user{sub: "u", claims: map[string]any{"roles": []string{"admin"}}})
			_, back, err := p.Finish(t.Context(), s, q)
			if err != nil {
				t.Fatal(err)
			}
			if back != "/" {
				t.Fatalf("returnTo %q came back as %q, want /", rt, back)
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/":                     "/",
		"/dossiers?stage=vote":  "/dossiers?stage=vote",
		"/a/b#c":                "/a/b#c",
		"":                      "/",
		"dossiers":              "/",
		"//evil.example/x":      "/",
		"/\\evil.example":       "/",
		"https://evil.example":  "/",
		"javascript:alert(1)":   "/",
		"/\r\nLocation: //evil": "/",
	} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProviderError(t *testing.T) {
	i := startIDP(t, nil)
	p := i.provider(t, "")

	s := newState()
	p.AuthURL(t.Context(), s, "/")
	q := url.Values{"state": {s.get(keyState)}, "error": {"access_denied"},
		"error_description": {"Người dùng đã hủy đăng nhập"}}
	_, _, err := p.Finish(t.Context(), s, q)
	wantRefused(t, err, viRefused+"Người dùng đã hủy đăng nhập")
	if !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("English error %q does not name the provider's error", err)
	}

	// Without a matching state the provider's text is not shown: a forged
	// callback link cannot put words in the console's mouth.
	s = newState()
	p.AuthURL(t.Context(), s, "/")
	q.Set("state", "forged")
	q.Set("error_description", "Call 0900 000 000 to unlock your account")
	_, _, err = p.Finish(t.Context(), s, q)
	wantRefused(t, err, viSession)
}

func TestActorFromClaims(t *testing.T) {
	for name, c := range map[string]struct {
		claims map[string]any
		path   string
		want   domain.Actor
		vi     string
	}{
		"nested": {path: "realm_access.roles",
			claims: map[string]any{"sub": "s", "name": "N", "realm_access": map[string]any{"roles": []any{"officer", "x"}}},
			want:   domain.Actor{ID: "s", Name: "N", Roles: []domain.Role{domain.RoleOfficer}}},
		"deeper": {path: "resource_access.tdkt.roles",
			claims: map[string]any{"sub": "s", "resource_access": map[string]any{"tdkt": map[string]any{"roles": []any{"admin", "admin"}}}},
			want:   domain.Actor{ID: "s", Roles: []domain.Role{domain.RoleAdmin}}},
		"literal key with dots": {path: "https://tdkt.example/roles",
			claims: map[string]any{"sub": "s", "https://tdkt.example/roles": []any{"council"}},
			want:   domain.Actor{ID: "s", Roles: []domain.Role{domain.RoleCouncil}}},
		"name falls back to email": {path: "roles",
			claims: map[string]any{"sub": "s", "name": "", "email": "e@x", "roles": []any{"unit"}, "unit": "u1"},
			want:   domain.Actor{ID: "s", Name: "e@x", Unit: "u1", Roles: []domain.Role{domain.RoleUnit}}},
		"path through a non-object": {path: "realm_access.roles",
			claims: map[string]any{"sub": "s", "realm_access": "admin"}, vi: viNoRole},
		"missing": {path: "realm_access.roles",
			claims: map[string]any{"sub": "s", "roles": []any{"admin"}}, vi: viNoRole},
		"roles not an array": {path: "roles",
			claims: map[string]any{"sub": "s", "roles": "admin"}, vi: viRoleForm},
		"roles not strings": {path: "roles",
			claims: map[string]any{"sub": "s", "roles": []any{"admin", 7.0}}, vi: viRoleForm},
		"no sub": {path: "roles",
			claims: map[string]any{"roles": []any{"admin"}}, vi: viToken},
		"unit without unit": {path: "roles",
			claims: map[string]any{"sub": "s", "roles": []any{"unit", "officer"}, "unit": "  "}, vi: viNoUnit},
		"unit not a string": {path: "roles",
			claims: map[string]any{"sub": "s", "roles": []any{"unit"}, "unit": 12.0}, vi: viToken},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := actorFromClaims(c.claims, c.path)
			if c.vi != "" {
				wantRefused(t, err, c.vi)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, c.want) {
				t.Fatalf("actor = %+v, want %+v", a, c.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := New(t.Context(), Config{}); err == nil ||
		!strings.Contains(err.Error(), "TDKT_OIDC_ISSUER") || !strings.Contains(err.Error(), "TDKT_OIDC_CLIENT_ID") ||
		!strings.Contains(err.Error(), "TDKT_OIDC_REDIRECT_URL") {
		t.Errorf("empty config: err = %v, want it to name the missing variables", err)
	}
	if _, err := New(t.Context(), Config{Issuer: "http://x", ClientID: "c", RedirectURL: "/auth/callback"}); err == nil ||
		!strings.Contains(err.Error(), "TDKT_OIDC_REDIRECT_URL") {
		t.Errorf("relative redirect URL: err = %v", err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := New(t.Context(), Config{Issuer: srv.URL, ClientID: "c", RedirectURL: redirectURL}); err == nil ||
		!strings.Contains(err.Error(), "TDKT_OIDC_ISSUER") {
		t.Errorf("failed discovery: err = %v, want it to name TDKT_OIDC_ISSUER", err)
	}
}
