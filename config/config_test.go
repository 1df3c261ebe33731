package config

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
