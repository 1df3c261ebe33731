package main

import (
	"bytes"
	"strings"
	"testing"

	"tdkt/auth"
	"tdkt/domain"
)

// With TDKT_JWT_ISSUER and TDKT_JWT_AUDIENCE set, the API checks them on
// HS256 tokens too: `tdkt token` must write them, or its tokens get 401.
func TestTokenCarriesIssuerAndAudience(t *testing.T) {
	const secret = "0123456789abcdef0123"
	t.Setenv("TDKT_JWT_SECRET", secret)
	t.Setenv("TDKT_JWT_ISSUER", "tdkt-dev")
	t.Setenv("TDKT_JWT_AUDIENCE", "tdkt-api")
	cmd := tokenCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--sub", "cv1", "--roles", "officer", "--ttl", "1h"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(t.Context(), auth.Options{Secret: []byte(secret), Issuer: "tdkt-dev", Audience: "tdkt-api"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := v.Verify(strings.TrimSpace(out.String()))
	if err != nil || a.ID != "cv1" || !a.Has(domain.RoleOfficer) {
		t.Fatalf("actor %+v err %v", a, err)
	}
}
