package config

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.CouncilMembers != 9 || c.PublicNoticeDays != 10 || c.MaxUploadMB != 20 || c.TaskQueue != "tdkt-dossiers" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.TemporalExplicit || c.DatabaseExplicit {
		t.Fatal("nothing was set, yet a server counts as configured")
	}
	if c.EnforceCampaigns() {
		t.Fatal("campaign codes are enforced by default; only tdkt dev and TDKT_CAMPAIGNS=enforce do")
	}
	if e, _ := FromEnv(env(map[string]string{"TDKT_CAMPAIGNS": "enforce"})); !e.EnforceCampaigns() {
		t.Fatal("TDKT_CAMPAIGNS=enforce does not enforce")
	}
	if err := c.RequireAuth(); err == nil {
		t.Fatal("no secret and no key set must be refused for the API")
	}
	p, err := c.Policy()
	if err != nil || p.CouncilMembers != 9 || len(p.Calendar.Holidays) == 0 {
		t.Fatalf("policy %+v %v", p, err)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for name, val := range map[string]string{
		"TDKT_COUNCIL_MEMBERS":    "nine",
		"TDKT_PUBLIC_NOTICE_DAYS": "-1",
		"TDKT_MAX_UPLOAD_MB":      "0",
		"TDKT_HTTP_ADDR":          "8080",
		"TDKT_METRICS_ADDR":       "9090",
		"TEMPORAL_ADDRESS":        "localhost",
		"DATABASE_URL":            "mysql://x",
		"TDKT_JWKS_URL":           "ftp://keys",
		"TDKT_JWT_SECRET":         "short",
		"TDKT_HOLIDAYS_FILE":      "/no/such/file.json",
		"TDKT_PAYLOAD_KEY":        "not base64!",
		"TDKT_PAYLOAD_KEY_ID":     "key one",
		"TDKT_CODEC_CORS_ORIGIN":  "127.0.0.1:8233",
		"TDKT_CAMPAIGNS":          "strict",
	} {
		_, err := FromEnv(env(map[string]string{name: val}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v does not name the variable", name, val, err)
		}
	}
}

func TestExplicitServersAndHolidayFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "h.json")
	if err := os.WriteFile(f, []byte(`{"holidays":["2030-01-01"],"working_saturdays":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := FromEnv(env(map[string]string{"TEMPORAL_ADDRESS": "temporal:7233", "DATABASE_URL": "postgres://u@db/tdkt",
		"TDKT_PUBLIC_NOTICE_DAYS": "0", "TDKT_HOLIDAYS_FILE": f, "TDKT_JWT_SECRET": "0123456789abcdef"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.TemporalExplicit || !c.DatabaseExplicit || c.PublicNoticeDays != 0 || c.RequireAuth() != nil {
		t.Fatalf("%+v", c)
	}
	p, err := c.Policy()
	if err != nil || len(p.Calendar.Holidays) != 1 || p.PublicNoticeDays != 0 {
		t.Fatalf("policy %+v %v", p, err)
	}
}

func TestPayloadKey(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.PayloadKey != nil || c.PayloadKeyID != "k1" || c.CodecCORSOrigin != "http://127.0.0.1:8233" {
		t.Fatalf("defaults: key set %v, id %q, origin %q, %v", c.PayloadKey != nil, c.PayloadKeyID, c.CodecCORSOrigin, err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	for _, enc := range []string{base64.StdEncoding.EncodeToString(key), base64.RawStdEncoding.EncodeToString(key) + "\n"} {
		c, err := FromEnv(env(map[string]string{"TDKT_PAYLOAD_KEY": enc, "TDKT_PAYLOAD_KEY_ID": "2026-01"}))
		if err != nil || !bytes.Equal(c.PayloadKey, key) || c.PayloadKeyID != "2026-01" {
			t.Fatalf("%q: key %x id %q %v", enc, c.PayloadKey, c.PayloadKeyID, err)
		}
	}
	// 16 bytes is AES-128, not the AES-256 key asked for; the message names
	// the variable and never repeats the secret.
	short := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	_, err = FromEnv(env(map[string]string{"TDKT_PAYLOAD_KEY": short}))
	if err == nil || !strings.Contains(err.Error(), "TDKT_PAYLOAD_KEY") || strings.Contains(err.Error(), short) {
		t.Fatalf("a 16-byte key: %v", err)
	}
}

// Tokens from an identity provider are checked against its issuer and the
// API's audience: with TDKT_JWKS_URL both are required.
func TestJWKSNeedsIssuerAndAudience(t *testing.T) {
	const jwks = "https://idp.example/realms/tdkt/protocol/openid-connect/certs"
	for _, c := range []struct {
		set      map[string]string
		name     []string // variables the error must name
		notNamed []string
	}{
		{map[string]string{"TDKT_JWKS_URL": jwks}, []string{"TDKT_JWT_ISSUER", "TDKT_JWT_AUDIENCE"}, nil},
		{map[string]string{"TDKT_JWKS_URL": jwks, "TDKT_JWT_ISSUER": "https://idp.example/realms/tdkt"}, []string{"TDKT_JWT_AUDIENCE"}, []string{"TDKT_JWT_ISSUER"}},
		{map[string]string{"TDKT_JWKS_URL": jwks, "TDKT_JWT_AUDIENCE": "tdkt-api", "TDKT_JWT_ISSUER": "  "}, []string{"TDKT_JWT_ISSUER"}, []string{"TDKT_JWT_AUDIENCE"}},
	} {
		_, err := FromEnv(env(c.set))
		if err == nil {
			t.Errorf("%v: accepted", c.set)
			continue
		}
		for _, n := range c.name {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("%v: error %v does not name %s", c.set, err, n)
			}
		}
		for _, n := range c.notNamed {
			if strings.Contains(err.Error(), n) {
				t.Errorf("%v: error %v names %s, which is set", c.set, err, n)
			}
		}
	}

	cfg, err := FromEnv(env(map[string]string{"TDKT_JWKS_URL": jwks, "TDKT_JWT_ISSUER": "https://idp.example/realms/tdkt",
		"TDKT_JWT_AUDIENCE": "tdkt-api", "TDKT_JWT_ROLES_CLAIM": "realm_access.roles"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.JWKSURL != jwks || cfg.JWTIssuer != "https://idp.example/realms/tdkt" || cfg.JWTAudience != "tdkt-api" ||
		cfg.JWTRolesClaim != "realm_access.roles" || cfg.JWTSecret != "" || cfg.RequireAuth() != nil {
		t.Fatalf("%+v", cfg)
	}

	// With the development secret alone they are optional (and checked when set).
	for _, set := range []map[string]string{
		{"TDKT_JWT_SECRET": "0123456789abcdef"},
		{"TDKT_JWT_SECRET": "0123456789abcdef", "TDKT_JWT_ISSUER": "tdkt-dev", "TDKT_JWT_AUDIENCE": "tdkt-api"},
	} {
		cfg, err := FromEnv(env(set))
		if err != nil || cfg.RequireAuth() != nil || cfg.JWTIssuer != set["TDKT_JWT_ISSUER"] || cfg.JWTAudience != set["TDKT_JWT_AUDIENCE"] {
			t.Errorf("%v: %+v %v", set, cfg, err)
		}
	}
}

// The key set decides who may sign tokens: it is fetched over https only,
// plain http being allowed for a provider on the same machine.
func TestJWKSURLMustBeHTTPS(t *testing.T) {
	idp := map[string]string{"TDKT_JWT_ISSUER": "https://idp.example/realms/tdkt", "TDKT_JWT_AUDIENCE": "tdkt-api"}
	with := func(u string) map[string]string {
		m := map[string]string{"TDKT_JWKS_URL": u}
		for k, v := range idp {
			m[k] = v
		}
		return m
	}
	for _, u := range []string{"http://idp.example/certs", "http://10.1.2.3:8080/certs", "http://localhost.idp.example/certs", "https:///certs", "idp.example/certs"} {
		if _, err := FromEnv(env(with(u))); err == nil || !strings.Contains(err.Error(), "TDKT_JWKS_URL") {
			t.Errorf("%s: error %v, want one naming TDKT_JWKS_URL", u, err)
		}
	}
	for _, u := range []string{"https://idp.example/certs", "http://127.0.0.1:8080/certs", "http://127.0.1.1/certs", "http://[::1]:8080/certs", "http://localhost:8080/certs"} {
		if _, err := FromEnv(env(with(u))); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// A payload key is rotated by giving the new one as TDKT_PAYLOAD_KEY (with a
// new id) and the old ones as TDKT_PAYLOAD_OLD_KEYS.
func TestPayloadKeyRotation(t *testing.T) {
	env := func(kv map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
	}
	k1 := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	k2 := "ZmF1bHRzLXN1aXRlLXBheWxvYWQta2V5LTMyYnl0ZXM="
	c, err := FromEnv(env(map[string]string{"TDKT_PAYLOAD_KEY": k2, "TDKT_PAYLOAD_KEY_ID": "k2", "TDKT_PAYLOAD_OLD_KEYS": "k1:" + k1}))
	if err != nil || len(c.OldPayloadKeys) != 1 || c.OldPayloadKeys[0].ID != "k1" || len(c.OldPayloadKeys[0].Key) != 32 || c.PayloadKeyID != "k2" {
		t.Fatalf("%+v %v", c.OldPayloadKeys, err)
	}
	for name, kv := range map[string]map[string]string{
		"old keys without a new one": {"TDKT_PAYLOAD_OLD_KEYS": "k1:" + k1},
		"an old key with the new id": {"TDKT_PAYLOAD_KEY": k2, "TDKT_PAYLOAD_OLD_KEYS": "k1:" + k1},
		"no id":                      {"TDKT_PAYLOAD_KEY": k2, "TDKT_PAYLOAD_KEY_ID": "k2", "TDKT_PAYLOAD_OLD_KEYS": k1},
		"a short key":                {"TDKT_PAYLOAD_KEY": k2, "TDKT_PAYLOAD_KEY_ID": "k2", "TDKT_PAYLOAD_OLD_KEYS": "k1:YWJj"},
	} {
		if _, err := FromEnv(env(kv)); err == nil || !strings.Contains(err.Error(), "TDKT_PAYLOAD_OLD_KEYS") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (Config{}).RequirePayloadKey(); err == nil {
		t.Error("no payload key was accepted")
	}
}

// The reminders' settings: an interval and lead time by default, webhook
// URLs split and checked, a secret required with them, only smtp(s) URLs.
func TestReminders(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.ReminderInterval != time.Hour || c.ReminderLeadDays != 3 || c.SMTPURL != "" || len(c.WebhookURLs) != 0 {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = FromEnv(env(map[string]string{"TDKT_SMTP_URL": "smtp://mail.laichau.gov.vn:587", "TDKT_WEBHOOK_URLS": " https://a.example/hook, ,http://b.example/x ",
		"TDKT_WEBHOOK_SECRET": "s", "TDKT_REMINDER_INTERVAL": "15m", "TDKT_OFFICE_EMAIL": "tdkt@snv.vn"}))
	if err != nil || len(c.WebhookURLs) != 2 || c.WebhookURLs[1] != "http://b.example/x" || c.ReminderInterval != 15*time.Minute {
		t.Fatalf("set: %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"TDKT_WEBHOOK_URLS": "https://a.example/hook"},
		{"TDKT_WEBHOOK_URLS": "ftp://a.example/hook", "TDKT_WEBHOOK_SECRET": "s"},
		{"TDKT_SMTP_URL": "mail.example:25"},
		{"TDKT_REMINDER_INTERVAL": "10s"},
	} {
		if _, err := FromEnv(env(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}
