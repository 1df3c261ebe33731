package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"tdkt/web"
	"tdkt/web/oidc"
)

// idpUser is a person at the identity provider, with the claims the API's
// tokens have (roles, unit) and one role tdkt does not know.
type idpUser struct {
	sub    string
	claims map[string]any
}

func (u idpUser) ID() string { return u.sub }
func (u idpUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.sub})
}
func (u idpUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
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

// TestConsoleOIDCSignIn signs in through a real OIDC provider (mockoidc
// over HTTP): the console's redirect with PKCE, the provider's login, the
// callback, a session, and the person's pages with their roles and unit.
func TestConsoleOIDCSignIn(t *testing.T) {
	a := newAPI(t)
	m, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Shutdown() })

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	ctx := context.Background()
	provider, err := oidc.New(ctx, oidc.Config{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: base + "/auth/callback", RolesClaim: "realm_access.roles"})
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	console, err := web.New(web.Deps{App: a.core, DB: a.db, Logger: logger, OIDC: provider})
	require.NoError(t, err)
	// The console alone, over the shared system's application layer.
	hs.Config.Handler = console.Handler()
	hs.Start()
	t.Cleanup(hs.Close)

	m.QueueUser(idpUser{sub: "unitA", claims: map[string]any{"name": "Nguyễn Văn Định Danh", "unit": "SGDDT",
		"realm_access": map[string]any{"roles": []string{"unit", "offline_access"}}}})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	// The sign-in page offers the provider, and no demo users.
	resp, err := c.Get(base + "/signin")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), `/signin/oidc`)
	require.NotContains(t, string(body), `name="user"`)

	// Through the provider and back, to the page asked for.
	resp, err = c.Get(base + "/signin/oidc?next=/dossiers/new")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, "/dossiers/new", resp.Request.URL.Path, "the person lands where they were going")
	require.Contains(t, string(body), "Nguyễn Văn Định Danh")
	require.Contains(t, string(body), "Nộp hồ sơ đề nghị khen thưởng", "a unit may submit")
	var session *http.Cookie
	for _, ck := range jar.Cookies(resp.Request.URL) {
		if ck.Name == "tdkt_session" {
			session = ck
		}
	}
	require.NotNil(t, session)

	// A callback that did not start here is refused and signs no one in.
	jar2, _ := cookiejar.New(nil)
	c2 := &http.Client{Jar: jar2}
	resp, err = c2.Get(base + "/auth/callback?code=x&state=forged")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.True(t, strings.Contains(string(body), "Phiên đăng nhập đã hết hạn"), string(body))
	resp, err = c2.Get(base + "/tasks")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/signin", resp.Request.URL.Path)
}
