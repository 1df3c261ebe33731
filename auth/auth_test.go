package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tdkt/domain"
)

var secret = []byte("test-secret-0123456789")

func hsVerifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := NewVerifier(context.Background(), Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The identity provider of the tests and the API's audience at it.
const (
	testIss = "https://idp.example/realms/tdkt"
	testAud = "tdkt-api"
)

func sign(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func good() jwt.MapClaims {
	return jwt.MapClaims{"sub": "u1", "name": "Lò Văn A", "roles": []string{"unit"}, "unit": "SGDDT",
		"iss": testIss, "aud": testAud, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
}

func TestMintVerifyRoundTrip(t *testing.T) {
	tok, err := Mint(secret, "u1", "Lò Văn A", []domain.Role{domain.RoleUnit, domain.RoleOfficer}, "SGDDT", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a, err := hsVerifier(t).Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "u1" || a.Name != "Lò Văn A" || a.Unit != "SGDDT" || len(a.Roles) != 2 || !a.Has(domain.RoleOfficer) {
		t.Fatalf("actor = %+v", a)
	}
	// Mint writes exp and iat.
	var c Claims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil || c.ExpiresAt == nil || c.IssuedAt == nil {
		t.Fatalf("claims %+v err %v", c, err)
	}
}

func TestVerifyRefusals(t *testing.T) {
	v := hsVerifier(t)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	with := func(f func(c jwt.MapClaims)) jwt.MapClaims { c := good(); f(c); return c }
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, good()).SignedString(jwt.UnsafeAllowNoneSignatureType)

	cases := map[string]string{
		"empty":             "",
		"garbage":           "not.a.token",
		"alg none":          none,
		"bad signature":     sign(t, jwt.SigningMethodHS256, []byte("another-secret-0123456789"), good(), ""),
		"tampered":          tamper(sign(t, jwt.SigningMethodHS256, secret, good(), "")),
		"HS512":             sign(t, jwt.SigningMethodHS512, secret, good(), ""),
		"RS256 no jwks":     sign(t, jwt.SigningMethodRS256, rsaKey, good(), ""),
		"expired":           sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), ""),
		"missing exp":       sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "exp") }), ""),
		"no roles":          sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "roles") }), ""),
		"empty roles":       sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []string{} }), ""),
		"only unknown":      sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []string{"god", "offline_access"} }), ""),
		"system role":       sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []string{"system"} }), ""),
		"unit no unit":      sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "unit") }), ""),
		"no sub":            sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "sub") }), ""),
		"roles a string":    sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = "admin" }), ""),
		"roles not strings": sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []any{"admin", 7} }), ""),
		"name a number":     sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["name"] = 7 }), ""),
		"unit a number":     sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["unit"] = 7 }), ""),
		"sub a number":      sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["sub"] = 7 }), ""),
		"not yet valid":     sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), ""),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := v.Verify(tok)
			if err == nil {
				t.Fatalf("accepted: %+v", a)
			}
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("error %v does not wrap ErrUnauthenticated", err)
			}
		})
	}
}

func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"unit"]`, `"admin"]`, 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func TestMintRefusesEmptySecret(t *testing.T) {
	if _, err := Mint(nil, "u", "", []domain.Role{domain.RoleAdmin}, "", time.Hour); err == nil {
		t.Fatal("minted without a secret")
	}
	if _, err := NewVerifier(context.Background(), Options{}); err == nil {
		t.Fatal("verifier without keys")
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestJWKS(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecb, _ := ecKey.PublicKey.Bytes() // 0x04 || X || Y
	set := map[string]any{"keys": []map[string]any{
		{"kty": "RSA", "kid": "r1", "alg": "RS256", "use": "sig", "n": b64(rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(rsaKey.E)).Bytes())},
		{"kty": "EC", "kid": "e1", "alg": "ES256", "use": "sig", "crv": "P-256", "x": b64(ecb[1:33]), "y": b64(ecb[33:])},
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	v, err := NewVerifier(ctx, Options{JWKSURL: srv.URL, Issuer: testIss, Audience: testAud})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"RS256": sign(t, jwt.SigningMethodRS256, rsaKey, good(), "r1"),
		"ES256": sign(t, jwt.SigningMethodES256, ecKey, good(), "e1"),
	} {
		if a, err := v.Verify(tok); err != nil || a.Unit != "SGDDT" {
			t.Errorf("%s: actor %+v err %v", name, a, err)
		}
	}

	with := func(f func(c jwt.MapClaims)) jwt.MapClaims { c := good(); f(c); return c }
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubPEMish := rsaKey.N.Bytes() // a "secret" an attacker could know: public key material
	bad := map[string]string{
		"HS256 without secret":     sign(t, jwt.SigningMethodHS256, pubPEMish, good(), "r1"),
		"RS256 wrong key":          sign(t, jwt.SigningMethodRS256, otherRSA, good(), "r1"),
		"ES256 token, RSA kid":     sign(t, jwt.SigningMethodES256, ecKey, good(), "r1"),
		"RS256 unknown kid":        sign(t, jwt.SigningMethodRS256, rsaKey, good(), "nope"),
		"RS384 not accepted":       sign(t, jwt.SigningMethodRS384, rsaKey, good(), "r1"),
		"RS256 expired":            sign(t, jwt.SigningMethodRS256, rsaKey, jwt.MapClaims{"sub": "x", "roles": []string{"admin"}, "iss": testIss, "aud": testAud, "exp": time.Now().Add(-time.Hour).Unix()}, "r1"),
		"ES256 missing exp":        sign(t, jwt.SigningMethodES256, ecKey, jwt.MapClaims{"sub": "x", "roles": []string{"admin"}, "iss": testIss, "aud": testAud}, "e1"),
		"RS256 unit without claim": sign(t, jwt.SigningMethodRS256, rsaKey, jwt.MapClaims{"sub": "x", "roles": []string{"unit"}, "iss": testIss, "aud": testAud, "exp": time.Now().Add(time.Hour).Unix()}, "r1"),
		"RS256 another issuer":     sign(t, jwt.SigningMethodRS256, rsaKey, with(func(c jwt.MapClaims) { c["iss"] = "https://idp.example/realms/other" }), "r1"),
		"ES256 another audience":   sign(t, jwt.SigningMethodES256, ecKey, with(func(c jwt.MapClaims) { c["aud"] = "account" }), "e1"),
		"RS256 no iss":             sign(t, jwt.SigningMethodRS256, rsaKey, with(func(c jwt.MapClaims) { delete(c, "iss") }), "r1"),
		"RS256 no aud":             sign(t, jwt.SigningMethodRS256, rsaKey, with(func(c jwt.MapClaims) { delete(c, "aud") }), "r1"),
	}
	for name, tok := range bad {
		if a, err := v.Verify(tok); err == nil {
			t.Errorf("%s: accepted %+v", name, a)
		}
	}

	// Both at once: HS256 with the secret and RS256 from the key set.
	// The issuer and audience are checked on HS256 tokens too: a token
	// minted for them passes, one minted without them does not.
	both, err := NewVerifier(ctx, Options{Secret: secret, JWKSURL: srv.URL, Issuer: testIss, Audience: testAud})
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := Token{Subject: "u2", Roles: []domain.Role{domain.RoleAdmin}, TTL: time.Minute, Issuer: testIss, Audience: testAud}.Sign(secret)
	if _, err := both.Verify(hs); err != nil {
		t.Errorf("HS256 with both: %v", err)
	}
	plain, _ := Mint(secret, "u2", "", []domain.Role{domain.RoleAdmin}, "", time.Minute)
	if a, err := both.Verify(plain); err == nil {
		t.Errorf("HS256 without iss and aud accepted: %+v", a)
	}
	if _, err := both.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, good(), "r1")); err != nil {
		t.Errorf("RS256 with both: %v", err)
	}
}

func keySet(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A token from the right provider but for another of its applications, or
// from another provider, is refused; HS256 tokens are checked too when the
// issuer and audience are set.
func TestIssuerAndAudience(t *testing.T) {
	v, err := NewVerifier(t.Context(), Options{Secret: secret, Issuer: testIss, Audience: testAud})
	if err != nil {
		t.Fatal(err)
	}
	with := func(f func(c jwt.MapClaims)) jwt.MapClaims { c := good(); f(c); return c }
	for name, c := range map[string]jwt.MapClaims{
		"iss and aud":      good(),
		"aud among others": with(func(c jwt.MapClaims) { c["aud"] = []string{"account", testAud} }),
	} {
		if a, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, c, "")); err != nil || a.ID != "u1" {
			t.Errorf("%s: actor %+v err %v", name, a, err)
		}
	}
	for name, c := range map[string]jwt.MapClaims{
		"another issuer":       with(func(c jwt.MapClaims) { c["iss"] = "https://idp.example/realms/other" }),
		"issuer with a slash":  with(func(c jwt.MapClaims) { c["iss"] = testIss + "/" }),
		"no iss":               with(func(c jwt.MapClaims) { delete(c, "iss") }),
		"another audience":     with(func(c jwt.MapClaims) { c["aud"] = "account" }),
		"audiences without it": with(func(c jwt.MapClaims) { c["aud"] = []string{"account", "broker"} }),
		"no aud":               with(func(c jwt.MapClaims) { delete(c, "aud") }),
		"empty aud":            with(func(c jwt.MapClaims) { c["aud"] = "" }),
	} {
		a, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, c, ""))
		if err == nil {
			t.Errorf("%s: accepted %+v", name, a)
		} else if !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: error %v does not wrap ErrUnauthenticated", name, err)
		}
	}
	// Without them set (development), iss and aud are not looked at.
	if _, err := hsVerifier(t).Verify(sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["aud"] = "x"; c["iss"] = "y" }), "")); err != nil {
		t.Errorf("no issuer configured: %v", err)
	}
}

// A key set signs tokens for every application of the provider: a verifier
// using one must check the issuer and the audience, and fetch it over https.
func TestNewVerifierKeySetRules(t *testing.T) {
	local := keySet(t)
	for name, o := range map[string]Options{
		"no issuer":         {JWKSURL: local, Audience: testAud},
		"no audience":       {JWKSURL: local, Issuer: testIss},
		"neither":           {JWKSURL: local, Secret: secret},
		"plain http remote": {JWKSURL: "http://idp.example/realms/tdkt/protocol/openid-connect/certs", Issuer: testIss, Audience: testAud},
		"not a URL":         {JWKSURL: "idp.example/certs", Issuer: testIss, Audience: testAud},
	} {
		if _, err := NewVerifier(t.Context(), o); err == nil {
			t.Errorf("%s: verifier built from %+v", name, o)
		}
	}
	if _, err := NewVerifier(t.Context(), Options{JWKSURL: local, Issuer: testIss, Audience: testAud}); err != nil {
		t.Errorf("loopback key set: %v", err)
	}
}

func TestCheckJWKSURL(t *testing.T) {
	for _, ok := range []string{
		"https://idp.example/realms/tdkt/protocol/openid-connect/certs",
		"https://10.0.0.5:8443/certs",
		"http://127.0.0.1:8080/certs",
		"http://127.3.4.5/certs",
		"http://[::1]:9000/certs",
		"http://localhost:8080/certs",
		"http://LOCALHOST/certs",
	} {
		if err := CheckJWKSURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"http://idp.example/certs",
		"http://10.0.0.5/certs",
		"http://localhost.evil.example/certs",
		"http://127.0.0.1.nip.io/certs",
		"http://[::2]/certs",
		"ftp://127.0.0.1/certs",
		"https:///certs",
		"idp.example/certs",
		"",
	} {
		if err := CheckJWKSURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Token.Sign writes iss and aud when given, so that `tdkt token` and `tdkt
// dev` mint tokens a verifier checking them accepts; Mint writes neither.
func TestTokenIssuerAudience(t *testing.T) {
	tok, err := Token{Subject: "u1", Name: "Lò Văn A", Roles: []domain.Role{domain.RoleOfficer}, TTL: time.Hour,
		Issuer: testIss, Audience: testAud}.Sign(secret)
	if err != nil {
		t.Fatal(err)
	}
	var c Claims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil || c.Issuer != testIss ||
		len(c.Audience) != 1 || c.Audience[0] != testAud || c.ExpiresAt == nil {
		t.Fatalf("claims %+v err %v", c, err)
	}
	v, err := NewVerifier(t.Context(), Options{Secret: secret, Issuer: testIss, Audience: testAud})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := v.Verify(tok); err != nil || a.ID != "u1" || !a.Has(domain.RoleOfficer) {
		t.Fatalf("actor %+v err %v", a, err)
	}

	plain, err := Mint(secret, "u1", "", []domain.Role{domain.RoleOfficer}, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c = Claims{}
	if _, _, err := jwt.NewParser().ParseUnverified(plain, &c); err != nil || c.Issuer != "" || len(c.Audience) != 0 {
		t.Fatalf("Mint wrote iss/aud: %+v %v", c, err)
	}
	if a, err := v.Verify(plain); err == nil {
		t.Fatalf("a token without iss and aud accepted: %+v", a)
	}
}

// Identity providers add roles of their own (offline_access,
// uma_authorization, default-roles-…): they are ignored, not a refusal.
func TestUnknownRolesIgnored(t *testing.T) {
	v := hsVerifier(t)
	c := good()
	c["roles"] = []string{"offline_access", "unit", "uma_authorization", "unit", "system"}
	a, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, c, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Roles) != 1 || a.Roles[0] != domain.RoleUnit {
		t.Fatalf("roles %v, want [unit]", a.Roles)
	}
	a, err = ActorFromClaims("s", "N", "", []string{"default-roles-tdkt", "officer", "chairman"})
	if err != nil || len(a.Roles) != 2 || !a.Has(domain.RoleOfficer) || !a.Has(domain.RoleChairman) {
		t.Fatalf("actor %+v err %v", a, err)
	}
	for _, roles := range [][]string{{"offline_access"}, {"system"}, {"Admin"}, {}} {
		if a, err := ActorFromClaims("s", "N", "", roles); err == nil || !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("roles %q: actor %+v err %v", roles, a, err)
		}
	}
}

// The roles come from TDKT_JWT_ROLES_CLAIM, a dot path (Keycloak:
// realm_access.roles); a roles claim elsewhere is not looked at.
func TestRolesClaim(t *testing.T) {
	v, err := NewVerifier(t.Context(), Options{Secret: secret, RolesClaim: "realm_access.roles"})
	if err != nil {
		t.Fatal(err)
	}
	c := good()
	c["roles"] = []string{"admin"} // not the configured claim
	c["realm_access"] = map[string]any{"roles": []string{"default-roles-tdkt", "officer", "offline_access"}}
	a, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, c, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Roles) != 1 || a.Roles[0] != domain.RoleOfficer {
		t.Fatalf("roles %v, want [officer]", a.Roles)
	}
	for name, f := range map[string]func(c jwt.MapClaims){
		"only top-level roles":  func(c jwt.MapClaims) {},
		"realm_access a string": func(c jwt.MapClaims) { c["realm_access"] = "officer" },
		"roles not an array":    func(c jwt.MapClaims) { c["realm_access"] = map[string]any{"roles": "officer"} },
	} {
		c := good()
		c["roles"] = []string{"admin"}
		f(c)
		if a, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, c, "")); err == nil || !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: actor %+v err %v", name, a, err)
		}
	}
}

func TestRolesAt(t *testing.T) {
	for name, c := range map[string]struct {
		claims map[string]any
		path   string
		want   []string
		bad    bool
	}{
		"top level":              {claims: map[string]any{"roles": []any{"a", "b"}}, path: "roles", want: []string{"a", "b"}},
		"nested":                 {claims: map[string]any{"realm_access": map[string]any{"roles": []any{"a"}}}, path: "realm_access.roles", want: []string{"a"}},
		"deeper":                 {claims: map[string]any{"resource_access": map[string]any{"tdkt": map[string]any{"roles": []any{"a"}}}}, path: "resource_access.tdkt.roles", want: []string{"a"}},
		"literal key with dots":  {claims: map[string]any{"https://tdkt.example/roles": []any{"a"}, "https://tdkt": map[string]any{"example/roles": []any{"b"}}}, path: "https://tdkt.example/roles", want: []string{"a"}},
		"missing":                {claims: map[string]any{"roles": []any{"a"}}, path: "realm_access.roles"},
		"path through a string":  {claims: map[string]any{"realm_access": "a"}, path: "realm_access.roles"},
		"null":                   {claims: map[string]any{"roles": nil}, path: "roles"},
		"a string":               {claims: map[string]any{"roles": "a"}, path: "roles", bad: true},
		"an array of non-string": {claims: map[string]any{"roles": []any{"a", 7.0}}, path: "roles", bad: true},
	} {
		got, err := RolesAt(c.claims, c.path)
		if (err != nil) != c.bad || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
}
