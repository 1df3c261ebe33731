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
	v, err := NewVerifier(context.Background(), secret, "")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

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
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
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
		"empty":          "",
		"garbage":        "not.a.token",
		"alg none":       none,
		"bad signature":  sign(t, jwt.SigningMethodHS256, []byte("another-secret-0123456789"), good(), ""),
		"tampered":       tamper(sign(t, jwt.SigningMethodHS256, secret, good(), "")),
		"HS512":          sign(t, jwt.SigningMethodHS512, secret, good(), ""),
		"RS256 no jwks":  sign(t, jwt.SigningMethodRS256, rsaKey, good(), ""),
		"expired":        sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), ""),
		"missing exp":    sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "exp") }), ""),
		"no roles":       sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "roles") }), ""),
		"empty roles":    sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []string{} }), ""),
		"unknown role":   sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []string{"unit", "god"} }), ""),
		"system role":    sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = []string{"system"} }), ""),
		"unit no unit":   sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "unit") }), ""),
		"no sub":         sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { delete(c, "sub") }), ""),
		"roles a string": sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["roles"] = "admin" }), ""),
		"not yet valid":  sign(t, jwt.SigningMethodHS256, secret, with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), ""),
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
	if _, err := NewVerifier(context.Background(), nil, ""); err == nil {
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

	v, err := NewVerifier(ctx, nil, srv.URL)
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

	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubPEMish := rsaKey.N.Bytes() // a "secret" an attacker could know: public key material
	bad := map[string]string{
		"HS256 without secret":     sign(t, jwt.SigningMethodHS256, pubPEMish, good(), "r1"),
		"RS256 wrong key":          sign(t, jwt.SigningMethodRS256, otherRSA, good(), "r1"),
		"ES256 token, RSA kid":     sign(t, jwt.SigningMethodES256, ecKey, good(), "r1"),
		"RS256 unknown kid":        sign(t, jwt.SigningMethodRS256, rsaKey, good(), "nope"),
		"RS384 not accepted":       sign(t, jwt.SigningMethodRS384, rsaKey, good(), "r1"),
		"RS256 expired":            sign(t, jwt.SigningMethodRS256, rsaKey, jwt.MapClaims{"sub": "x", "roles": []string{"admin"}, "exp": time.Now().Add(-time.Hour).Unix()}, "r1"),
		"ES256 missing exp":        sign(t, jwt.SigningMethodES256, ecKey, jwt.MapClaims{"sub": "x", "roles": []string{"admin"}}, "e1"),
		"RS256 unit without claim": sign(t, jwt.SigningMethodRS256, rsaKey, jwt.MapClaims{"sub": "x", "roles": []string{"unit"}, "exp": time.Now().Add(time.Hour).Unix()}, "r1"),
	}
	for name, tok := range bad {
		if a, err := v.Verify(tok); err == nil {
			t.Errorf("%s: accepted %+v", name, a)
		}
	}

	// Both at once: HS256 with the secret and RS256 from the key set.
	both, err := NewVerifier(ctx, secret, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := Mint(secret, "u2", "", []domain.Role{domain.RoleAdmin}, "", time.Minute)
	if _, err := both.Verify(hs); err != nil {
		t.Errorf("HS256 with both: %v", err)
	}
	if _, err := both.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, good(), "r1")); err != nil {
		t.Errorf("RS256 with both: %v", err)
	}
}
