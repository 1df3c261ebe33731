// Package config reads the engine's configuration from the environment, with
// real defaults. A bad value stops start-up with a message naming the variable.
package config

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"tdkt/auth"
	"tdkt/codec"
	"tdkt/domain"
)

// Config is everything the binary reads from its environment.
type Config struct {
	HTTPAddr          string // TDKT_HTTP_ADDR
	TemporalAddress   string // TEMPORAL_ADDRESS
	TemporalNamespace string // TEMPORAL_NAMESPACE
	TaskQueue         string // TDKT_TASK_QUEUE
	DatabaseURL       string // DATABASE_URL
	JWTSecret         string // TDKT_JWT_SECRET
	JWKSURL           string // TDKT_JWKS_URL
	JWTIssuer         string // TDKT_JWT_ISSUER: the tokens' iss; required with TDKT_JWKS_URL, checked on HS256 tokens too when set
	JWTAudience       string // TDKT_JWT_AUDIENCE: one of the tokens' aud (the API's client id); required with TDKT_JWKS_URL
	JWTRolesClaim     string // TDKT_JWT_ROLES_CLAIM: dot path to the roles array, "roles" by default (e.g. realm_access.roles)
	CouncilMembers    int    // TDKT_COUNCIL_MEMBERS
	PublicNoticeDays  int    // TDKT_PUBLIC_NOTICE_DAYS
	MaxUploadMB       int    // TDKT_MAX_UPLOAD_MB
	// Uploads and slow clients: the most documents a dossier holds, and how
	// long the HTTP server waits for a request's header and for the whole
	// request, body included (an upload of MaxUploadMB on a slow link must
	// fit: 20 MB in 10 min is 280 kbit/s).
	MaxDocuments          int           // TDKT_MAX_DOCUMENTS
	HTTPReadHeaderTimeout time.Duration // TDKT_HTTP_READ_HEADER_TIMEOUT
	HTTPReadTimeout       time.Duration // TDKT_HTTP_READ_TIMEOUT

	// HolidaysFile replaces the shipped working-day calendar: the statutory
	// holiday rules and each year's announced swaps, in the format of
	// domain/holidays.json (a file without rules is a plain table of every
	// weekday off, as before).
	HolidaysFile string // TDKT_HOLIDAYS_FILE
	// PayloadKey encrypts Temporal payloads (AES-256, 32 bytes); nil leaves
	// them in plain JSON. Never log it.
	PayloadKey   []byte // TDKT_PAYLOAD_KEY, base64
	PayloadKeyID string // TDKT_PAYLOAD_KEY_ID
	// OldPayloadKeys are earlier keys, still opening the payloads they
	// sealed; PayloadKey seals (rotation: TDKT_PAYLOAD_OLD_KEYS, "id:base64,...").
	OldPayloadKeys  []PayloadKey
	CodecCORSOrigin string // TDKT_CODEC_CORS_ORIGIN: the Temporal UI that calls /codec
	// MetricsAddr is where `tdkt worker` serves /metrics (the API serves its
	// own on its port); empty serves none.
	MetricsAddr string // TDKT_METRICS_ADDR
	// AdminAddr is where `tdkt api` (and `tdkt dev`) serve /metrics: an
	// address of the admin network, loopback by default.
	AdminAddr string // TDKT_ADMIN_ADDR
	// The web console: OIDC sign-in (authorization code with PKCE), the
	// Temporal UI that admins are linked to, and how long a session lasts.
	OIDCIssuer       string // TDKT_OIDC_ISSUER
	OIDCClientID     string // TDKT_OIDC_CLIENT_ID
	OIDCClientSecret string // TDKT_OIDC_CLIENT_SECRET
	OIDCRedirectURL  string // TDKT_OIDC_REDIRECT_URL
	OIDCRolesClaim   string // TDKT_OIDC_ROLES_CLAIM: dot path to the roles array, "roles" by default
	TemporalUIURL    string // TDKT_TEMPORAL_UI_URL
	// TemporalCompression is the gRPC compression of calls to Temporal:
	// "none" (default: encrypted payloads do not compress, and gzip costs
	// CPU on both ends) or "gzip" (a slow link with unencrypted payloads).
	TemporalCompression string // TDKT_TEMPORAL_COMPRESSION
	// DeploymentName and BuildID put a worker under Temporal's Worker
	// Versioning: its build is a version of the deployment, and Temporal
	// sends new workflow tasks to the deployment's current version (set
	// with `tdkt deployment current`). Both or neither; neither leaves the
	// worker unversioned, as before.
	DeploymentName string // TDKT_DEPLOYMENT_NAME
	BuildID        string // TDKT_BUILD_ID
	SessionHours   int    // TDKT_SESSION_HOURS: a console session's absolute lifetime
	// Campaigns says whether a submission's campaign code must be in the
	// yearly plan: "enforce", or "free" (default: a code the plan does not
	// hold is taken as before; one it holds is always checked). `tdkt dev`
	// enforces unless the variable is set.
	Campaigns string // TDKT_CAMPAIGNS
	// TemporalExplicit and DatabaseExplicit say whether the variables were
	// set; `tdkt dev` starts embedded servers for those that were not.
	TemporalExplicit bool
	DatabaseExplicit bool
	// DemoSignIn lets `tdkt api` offer the demo users' sign-in, as `tdkt
	// dev` does: for `tdkt dev --cluster`, whose APIs are separate
	// processes. Refused unless the API listens on loopback only.
	DemoSignIn bool // TDKT_DEMO_SIGNIN=1
	// Reminders (package reminders): e-mail over SMTP and signed webhooks,
	// run by a Temporal Schedule every ReminderInterval.
	SMTPURL          string        // TDKT_SMTP_URL: smtp://[user:pass@]host:port (smtps:// for TLS from the start); none: no e-mail
	MailFrom         string        // TDKT_MAIL_FROM: the sender address
	OfficeEmail      string        // TDKT_OFFICE_EMAIL: the emulation office's addresses (comma-separated), told of overdue stages
	WebhookURLs      []string      // TDKT_WEBHOOK_URLS: comma-separated; each event is POSTed to every one
	WebhookSecret    string        // TDKT_WEBHOOK_SECRET: the HMAC-SHA256 key of the X-TDKT-Signature header
	ReminderInterval time.Duration // TDKT_REMINDER_INTERVAL: how often the schedule runs the reminder pass
	ReminderLeadDays int           // TDKT_REMINDER_LEAD_DAYS: working days before a campaign closes that units are told
}

// The values of TDKT_CAMPAIGNS.
const (
	CampaignsFree    = "free"
	CampaignsEnforce = "enforce"
)

// EnforceCampaigns reports whether a campaign code must be in the plan.
func (c Config) EnforceCampaigns() bool { return c.Campaigns == CampaignsEnforce }

// Defaults is the configuration with nothing set.
func Defaults() Config {
	return Config{HTTPAddr: ":8080", TemporalAddress: "127.0.0.1:7233", TemporalNamespace: "default",
		TaskQueue: "tdkt-dossiers", CouncilMembers: 9, PublicNoticeDays: 10, MaxUploadMB: 20,
		MaxDocuments: 50, HTTPReadHeaderTimeout: 10 * time.Second, HTTPReadTimeout: 10 * time.Minute,
		PayloadKeyID: "k1", CodecCORSOrigin: "http://127.0.0.1:8233", SessionHours: 10, AdminAddr: "127.0.0.1:9090",
		MailFrom: "tdkt@localhost", ReminderInterval: time.Hour, ReminderLeadDays: 3}
}

// Load reads the configuration from the process environment.
func Load() (Config, error) { return FromEnv(os.LookupEnv) }

// FromEnv reads the configuration through lookup (os.LookupEnv in production).
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	var errs []string
	str := func(name string, dst *string) bool {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			*dst = strings.TrimSpace(v)
			return true
		}
		return false
	}
	num := func(name string, dst *int, min, max int) {
		var s string
		if !str(name, &s) {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < min || n > max {
			errs = append(errs, fmt.Sprintf("%s=%q: must be a whole number from %d to %d", name, s, min, max))
			return
		}
		*dst = n
	}
	str("TDKT_HTTP_ADDR", &c.HTTPAddr)
	c.TemporalExplicit = str("TEMPORAL_ADDRESS", &c.TemporalAddress)
	str("TEMPORAL_NAMESPACE", &c.TemporalNamespace)
	str("TDKT_TASK_QUEUE", &c.TaskQueue)
	c.DatabaseExplicit = str("DATABASE_URL", &c.DatabaseURL)
	str("TDKT_JWT_SECRET", &c.JWTSecret)
	str("TDKT_JWKS_URL", &c.JWKSURL)
	str("TDKT_JWT_ISSUER", &c.JWTIssuer)
	str("TDKT_JWT_AUDIENCE", &c.JWTAudience)
	str("TDKT_JWT_ROLES_CLAIM", &c.JWTRolesClaim)
	str("TDKT_HOLIDAYS_FILE", &c.HolidaysFile)
	str("TDKT_PAYLOAD_KEY_ID", &c.PayloadKeyID)
	str("TDKT_CODEC_CORS_ORIGIN", &c.CodecCORSOrigin)
	str("TDKT_METRICS_ADDR", &c.MetricsAddr)
	str("TDKT_ADMIN_ADDR", &c.AdminAddr)
	var demo string
	if str("TDKT_DEMO_SIGNIN", &demo) {
		c.DemoSignIn = demo == "1" || strings.EqualFold(demo, "true")
	}
	str("TDKT_OIDC_ISSUER", &c.OIDCIssuer)
	str("TDKT_OIDC_CLIENT_ID", &c.OIDCClientID)
	str("TDKT_OIDC_CLIENT_SECRET", &c.OIDCClientSecret)
	str("TDKT_OIDC_REDIRECT_URL", &c.OIDCRedirectURL)
	str("TDKT_OIDC_ROLES_CLAIM", &c.OIDCRolesClaim)
	str("TDKT_TEMPORAL_UI_URL", &c.TemporalUIURL)
	str("TDKT_TEMPORAL_COMPRESSION", &c.TemporalCompression)
	str("TDKT_DEPLOYMENT_NAME", &c.DeploymentName)
	str("TDKT_BUILD_ID", &c.BuildID)
	str("TDKT_CAMPAIGNS", &c.Campaigns)
	str("TDKT_SMTP_URL", &c.SMTPURL)
	str("TDKT_MAIL_FROM", &c.MailFrom)
	str("TDKT_OFFICE_EMAIL", &c.OfficeEmail)
	str("TDKT_WEBHOOK_SECRET", &c.WebhookSecret)
	var hooks string
	if str("TDKT_WEBHOOK_URLS", &hooks) {
		for _, h := range strings.Split(hooks, ",") {
			if h = strings.TrimSpace(h); h != "" {
				c.WebhookURLs = append(c.WebhookURLs, h)
			}
		}
	}
	num("TDKT_REMINDER_LEAD_DAYS", &c.ReminderLeadDays, 1, 60)
	num("TDKT_SESSION_HOURS", &c.SessionHours, 1, 24*30)
	var payloadKey, oldKeys string
	str("TDKT_PAYLOAD_KEY", &payloadKey)
	str("TDKT_PAYLOAD_OLD_KEYS", &oldKeys)
	num("TDKT_COUNCIL_MEMBERS", &c.CouncilMembers, 1, 200)
	num("TDKT_PUBLIC_NOTICE_DAYS", &c.PublicNoticeDays, 0, 365)
	num("TDKT_MAX_UPLOAD_MB", &c.MaxUploadMB, 1, 1024)
	num("TDKT_MAX_DOCUMENTS", &c.MaxDocuments, 1, 1000)
	dur := func(name string, dst *time.Duration, min, max time.Duration) {
		var s string
		if !str(name, &s) {
			return
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < min || d > max {
			errs = append(errs, fmt.Sprintf("%s=%q: must be a duration from %s to %s, such as %s", name, s, min, max, *dst))
			return
		}
		*dst = d
	}
	dur("TDKT_HTTP_READ_HEADER_TIMEOUT", &c.HTTPReadHeaderTimeout, time.Second, 10*time.Minute)
	// Under a minute is no time for an upload (20 MB in 1 min is 2.8 Mbit/s).
	dur("TDKT_HTTP_READ_TIMEOUT", &c.HTTPReadTimeout, time.Minute, 24*time.Hour)
	dur("TDKT_REMINDER_INTERVAL", &c.ReminderInterval, time.Minute, 24*time.Hour)
	if c.HTTPReadTimeout < c.HTTPReadHeaderTimeout {
		errs = append(errs, fmt.Sprintf("TDKT_HTTP_READ_TIMEOUT=%s: must not be shorter than TDKT_HTTP_READ_HEADER_TIMEOUT=%s", c.HTTPReadTimeout, c.HTTPReadHeaderTimeout))
	}

	if c.MetricsAddr != "" && !strings.Contains(c.MetricsAddr, ":") {
		errs = append(errs, fmt.Sprintf("TDKT_METRICS_ADDR=%q: must be host:port or :port", c.MetricsAddr))
	}
	if !strings.Contains(c.AdminAddr, ":") {
		errs = append(errs, fmt.Sprintf("TDKT_ADMIN_ADDR=%q: must be host:port or :port", c.AdminAddr))
	}
	if !strings.Contains(c.HTTPAddr, ":") {
		errs = append(errs, fmt.Sprintf("TDKT_HTTP_ADDR=%q: must be host:port or :port", c.HTTPAddr))
	}
	if !strings.Contains(c.TemporalAddress, ":") {
		errs = append(errs, fmt.Sprintf("TEMPORAL_ADDRESS=%q: must be host:port", c.TemporalAddress))
	}
	if c.DatabaseExplicit {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, "DATABASE_URL: must be a postgres:// URL")
		}
	}
	if c.JWKSURL != "" {
		if err := auth.CheckJWKSURL(c.JWKSURL); err != nil {
			errs = append(errs, "TDKT_JWKS_URL="+err.Error())
		}
		// The provider's keys sign tokens for all its applications.
		if c.JWTIssuer == "" {
			errs = append(errs, "TDKT_JWT_ISSUER: required with TDKT_JWKS_URL (the identity provider's issuer, the tokens' iss)")
		}
		if c.JWTAudience == "" {
			errs = append(errs, "TDKT_JWT_AUDIENCE: required with TDKT_JWKS_URL (the API's client id at the identity provider, in the tokens' aud)")
		}
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 16 {
		errs = append(errs, "TDKT_JWT_SECRET: must be at least 16 characters")
	}
	if payloadKey != "" {
		// The value is a secret: the message never quotes it.
		if k, err := ParsePayloadKey(payloadKey); err != nil {
			errs = append(errs, "TDKT_PAYLOAD_KEY: "+err.Error())
		} else {
			c.PayloadKey = k
		}
	}
	if oldKeys != "" {
		if payloadKey == "" {
			errs = append(errs, "TDKT_PAYLOAD_OLD_KEYS: needs TDKT_PAYLOAD_KEY, the key that seals from now on")
		}
		for _, item := range strings.Split(oldKeys, ",") {
			id, b64, ok := strings.Cut(strings.TrimSpace(item), ":")
			k, err := ParsePayloadKey(b64)
			switch {
			case !ok || !validKeyID(id):
				errs = append(errs, "TDKT_PAYLOAD_OLD_KEYS: each item is <key id>:<base64 of 32 bytes>, separated by commas")
			case err != nil:
				errs = append(errs, fmt.Sprintf("TDKT_PAYLOAD_OLD_KEYS: key %s: %v", id, err))
			case id == c.PayloadKeyID:
				errs = append(errs, fmt.Sprintf("TDKT_PAYLOAD_OLD_KEYS: key id %s is TDKT_PAYLOAD_KEY_ID's; give the new key a new id", id))
			default:
				c.OldPayloadKeys = append(c.OldPayloadKeys, PayloadKey{ID: id, Key: k})
			}
		}
	}
	if !validKeyID(c.PayloadKeyID) {
		errs = append(errs, fmt.Sprintf("TDKT_PAYLOAD_KEY_ID=%q: must be 1 to 64 letters, digits, '.', '_' or '-'", c.PayloadKeyID))
	}
	if u, err := url.Parse(c.CodecCORSOrigin); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		errs = append(errs, fmt.Sprintf("TDKT_CODEC_CORS_ORIGIN=%q: must be an origin such as http://127.0.0.1:8233", c.CodecCORSOrigin))
	} else {
		c.CodecCORSOrigin = u.Scheme + "://" + u.Host
	}
	if c.OIDCIssuer != "" {
		for name, v := range map[string]string{"TDKT_OIDC_CLIENT_ID": c.OIDCClientID, "TDKT_OIDC_REDIRECT_URL": c.OIDCRedirectURL} {
			if v == "" {
				errs = append(errs, name+": required with TDKT_OIDC_ISSUER")
			}
		}
		for name, v := range map[string]string{"TDKT_OIDC_ISSUER": c.OIDCIssuer, "TDKT_OIDC_REDIRECT_URL": c.OIDCRedirectURL} {
			if u, err := url.Parse(v); v != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
				errs = append(errs, fmt.Sprintf("%s=%q: must be an http(s) URL", name, v))
			}
		}
	}
	if c.TemporalUIURL != "" {
		if u, err := url.Parse(c.TemporalUIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("TDKT_TEMPORAL_UI_URL=%q: must be an http(s) URL", c.TemporalUIURL))
		} else {
			c.TemporalUIURL = strings.TrimRight(c.TemporalUIURL, "/")
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			errs = append(errs, fmt.Sprintf("TDKT_SMTP_URL: must be smtp://host:port or smtps://host:port (with user:password@ when the server asks)"))
		}
	}
	for _, h := range c.WebhookURLs {
		if u, err := url.Parse(h); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("TDKT_WEBHOOK_URLS: %q is not an http(s) URL", h))
		}
	}
	if len(c.WebhookURLs) > 0 && c.WebhookSecret == "" {
		errs = append(errs, "TDKT_WEBHOOK_SECRET: required with TDKT_WEBHOOK_URLS (the receivers check the signature)")
	}
	switch c.TemporalCompression {
	case "", "none", "gzip":
	default:
		errs = append(errs, fmt.Sprintf("TDKT_TEMPORAL_COMPRESSION=%q: must be none or gzip", c.TemporalCompression))
	}
	if (c.DeploymentName == "") != (c.BuildID == "") {
		errs = append(errs, "TDKT_DEPLOYMENT_NAME and TDKT_BUILD_ID go together: set both to version the worker's builds, or neither")
	}
	switch c.Campaigns {
	case "", CampaignsFree, CampaignsEnforce:
	default:
		errs = append(errs, fmt.Sprintf("TDKT_CAMPAIGNS=%q: must be enforce or free", c.Campaigns))
	}
	if c.HolidaysFile != "" {
		if _, err := domain.LoadCalendar(c.HolidaysFile); err != nil {
			errs = append(errs, "TDKT_HOLIDAYS_FILE: "+err.Error())
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// CodecKeys are the payload keys, the sealing one first; none without
// TDKT_PAYLOAD_KEY.
func (c Config) CodecKeys() []codec.Key {
	if len(c.PayloadKey) == 0 {
		return nil
	}
	keys := []codec.Key{{ID: c.PayloadKeyID, Secret: c.PayloadKey}}
	for _, k := range c.OldPayloadKeys {
		keys = append(keys, codec.Key{ID: k.ID, Secret: k.Key})
	}
	return keys
}

// Sealer signs and checks the API's commands to dossier workflows, with
// keys derived from the payload keys; nil without TDKT_PAYLOAD_KEY.
func (c Config) Sealer() (*codec.Sealer, error) {
	keys := c.CodecKeys()
	if keys == nil {
		return nil, nil
	}
	s, err := codec.NewSealer(keys)
	if err != nil {
		return nil, fmt.Errorf("TDKT_PAYLOAD_KEY: %w", err)
	}
	return s, nil
}

// PayloadKey is an earlier payload key and its id.
type PayloadKey struct {
	ID  string
	Key []byte
}

// ParsePayloadKey decodes a payload key: base64 (standard, padded or not) of
// 32 bytes, as `openssl rand -base64 32` prints.
func ParsePayloadKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		k, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("must be the base64 of 32 random bytes (openssl rand -base64 32)")
	}
	return k, nil
}

func validKeyID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// RequireAuth checks that tokens can be verified: the API needs a secret or a
// key set.
func (c Config) RequireAuth() error {
	if c.JWTSecret == "" && c.JWKSURL == "" {
		return fmt.Errorf("configuration: set TDKT_JWT_SECRET (HS256) or TDKT_JWKS_URL (RS256/ES256) so tokens can be verified")
	}
	return nil
}

// RequirePayloadKey refuses to run without a key for Temporal payloads:
// outside `tdkt dev`, the secret ballot and nominees' personal data depend
// on it.
func (c Config) RequirePayloadKey() error {
	if len(c.PayloadKey) == 0 {
		return fmt.Errorf("configuration: TDKT_PAYLOAD_KEY is not set: Temporal payloads (council votes, nominees' names) would be readable in Temporal's history; set it to the base64 of 32 random bytes (openssl rand -base64 32), the same for the API and the worker")
	}
	return nil
}

// Policy is the domain policy new dossiers start under.
func (c Config) Policy() (domain.Policy, error) {
	p := domain.DefaultPolicy()
	p.CouncilMembers = c.CouncilMembers
	p.PublicNoticeDays = c.PublicNoticeDays
	cal, err := c.Calendar()
	if err != nil {
		return p, err
	}
	p.Calendar = cal
	return p, nil
}

// Calendar is the working-day calendar: TDKT_HOLIDAYS_FILE, or the shipped
// one (domain/holidays.json).
func (c Config) Calendar() (domain.Calendar, error) {
	if c.HolidaysFile == "" {
		return domain.DefaultCalendar(), nil
	}
	cal, err := domain.LoadCalendar(c.HolidaysFile)
	if err != nil {
		return cal, fmt.Errorf("TDKT_HOLIDAYS_FILE: %w", err)
	}
	return cal, nil
}
