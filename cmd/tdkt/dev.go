package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tdkt/auth"
	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/metrics"
	"tdkt/server"
	"tdkt/store"
	"tdkt/worker"
	"tdkt/workflows"
)

// The embedded Temporal's fixed ports, so bookmarks and the README's URLs work.
const (
	devTemporalPort = 7233
	devTemporalUI   = 8233
	devHTTPAddr     = "127.0.0.1:8080"
	devTokenTTL     = 30 * 24 * time.Hour
)

func devCmd() *cobra.Command {
	var cluster bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole system locally: Temporal, PostgreSQL, worker and API in one process",
		Long: `dev starts what is not configured: the Temporal CLI dev server (unless
TEMPORAL_ADDRESS is set; state in .data/temporal.db, UI on :8233) and a
PostgreSQL from the installed server binaries (unless DATABASE_URL is set; data
in .data/pg). It migrates the database, starts the worker and the API
(127.0.0.1:8080 unless TDKT_HTTP_ADDR), and prints bearer tokens for every role.
Ctrl-C stops everything; data stays in .data/ for the next run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cluster {
				return runCluster(cmd.Context(), cmd.OutOrStdout())
			}
			return runDev(cmd.Context(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&cluster, "cluster", false, "run the production topology instead: a Temporal cluster on PostgreSQL (four service processes), two `tdkt worker` and two `tdkt api` processes, Temporal UI (data in .data/cluster)")
	return cmd
}

func runDev(ctx context.Context, out io.Writer) (err error) {
	logger := newLogger(false)
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	policy, err := cfg.Policy()
	if err != nil {
		return err
	}
	data := dataDir()
	if err := os.MkdirAll(data, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", data, err)
	}

	// Check every prerequisite before starting anything, so a missing one is
	// a single line and nothing is left half started.
	temporalOpts := devenv.TemporalOptions{Port: devTemporalPort, UIPort: devTemporalUI,
		DBFile: filepath.Join(data, "temporal.db"), Namespace: cfg.TemporalNamespace}
	if !cfg.TemporalExplicit {
		if err := devenv.CheckTemporal(temporalOpts); err != nil {
			return err
		}
	}
	if !cfg.DatabaseExplicit {
		if err := devenv.CheckPostgres(); err != nil {
			return err
		}
	}
	addr := devHTTPAddr
	if v, ok := os.LookupEnv("TDKT_HTTP_ADDR"); ok && strings.TrimSpace(v) != "" {
		addr = cfg.HTTPAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("API address %s is already in use (another `tdkt dev`?): stop it or set TDKT_HTTP_ADDR", addr)
	}
	defer ln.Close()

	// Before any server starts: a damaged key file stops start-up cleanly.
	if len(cfg.PayloadKey) == 0 {
		if cfg.PayloadKey, err = devPayloadKey(filepath.Join(data, "payload-key")); err != nil {
			return err
		}
	}

	// Stopped in reverse order of start by the defers below: API, worker,
	// Temporal client, store, then the servers.
	uiURL := ""
	if !cfg.TemporalExplicit {
		logger.Info("starting Temporal dev server", "db", filepath.Join(data, "temporal.db"))
		t, err := devenv.StartTemporal(ctx, temporalOpts)
		if err != nil {
			return err
		}
		defer func() {
			logger.Info("stopping Temporal dev server")
			if err := t.Stop(); err != nil {
				logger.Error("stop Temporal", "err", err)
			}
		}()
		cfg.TemporalAddress, uiURL = t.Address, t.UIURL
	}
	if !cfg.DatabaseExplicit {
		_, stop, err := startDevPostgres(ctx, logger, data, &cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.JWTSecret == "" && cfg.JWKSURL == "" {
		if cfg.JWTSecret, err = devSecret(filepath.Join(data, "jwt-secret")); err != nil {
			return err
		}
	}

	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetCalendar(policy.Calendar)
	if err := store.Migrate(ctx, st.DB.DB, "up"); err != nil {
		return err
	}
	// The current year's plan (50/KH-UBND's campaigns), unless an officer
	// already made campaigns of those codes; and, unless TDKT_CAMPAIGNS says
	// otherwise, submissions must name a campaign of the plan.
	if err := st.SeedCampaigns(ctx, domain.SeedPlan(time.Now().In(domain.Local).Year())); err != nil {
		return err
	}
	if cfg.Campaigns == "" {
		cfg.Campaigns = config.CampaignsEnforce
	}
	// The demo council on the roster, unless someone keeps one.
	if err := st.SeedCouncilMembers(ctx, devRoster(cfg.CouncilMembers)); err != nil {
		return err
	}
	reg := metrics.NewRegistry()
	if err := metrics.RegisterPending(reg, func() (int, time.Duration, error) { return st.PendingCount(context.Background()) }); err != nil {
		return err
	}
	c, err := dialTemporal(ctx, cfg, logger, reg, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := worker.RegisterSearchAttributes(ctx, c, cfg.TemporalNamespace); err != nil {
		return err
	}
	w, err := worker.Start(c, st, cfg, logger)
	if err != nil {
		return err
	}
	if cal, err := cfg.Calendar(); err == nil {
		warnUnannounced(logger, cal, time.Now(), cfg.HolidaysFile)
	}
	defer func() {
		logger.Info("stopping worker")
		w.Stop()
	}()
	if cfg.TemporalUIURL == "" {
		cfg.TemporalUIURL = uiURL
	}
	// Where the API really listens decides whether the session cookie must
	// be Secure (not on loopback).
	cfg.HTTPAddr = ln.Addr().String()
	var demo []domain.Actor
	for _, u := range devUsers(cfg.CouncilMembers) {
		demo = append(demo, domain.Actor{ID: u.sub, Name: u.name, Roles: u.roles, Unit: u.unit})
	}
	srv, err := newAPIWithConsole(ctx, server.Deps{Temporal: c, Store: st, Config: cfg, Policy: policy, Logger: logger, Registry: reg}, st, cfg, demo)
	if err != nil {
		return err
	}
	stopAdmin, err := serveMetrics(cfg.AdminAddr, "TDKT_ADMIN_ADDR", reg, logger)
	if err != nil {
		return err
	}
	defer stopAdmin()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	apiURL := "http://" + ln.Addr().String()
	if err := waitReady(ctx, apiURL+"/readyz", served); err != nil {
		return err
	}
	if err := printBanner(out, cfg, apiURL, uiURL, data); err != nil {
		return err
	}
	// Serve returns after ctx ends (Ctrl-C, SIGTERM) and in-flight requests
	// finish; the defers then stop the rest.
	err = <-served
	logger.Info("API stopped")
	return err
}

// devSecret reads the development token secret, making one on first use, so
// tokens printed by one run stay valid in the next.
func devSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate JWT secret: %w", err)
	}
	s := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("save JWT secret to %s: %w", path, err)
	}
	return s, nil
}

// devPayloadKey reads the key that encrypts the development Temporal
// history, making one on first use. A key file that is there but unreadable
// stops start-up instead of being replaced: a new key could not decrypt the
// dossiers already in .data/temporal.db.
func devPayloadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, perr := config.ParsePayloadKey(string(b))
		if perr != nil {
			return nil, fmt.Errorf("%s: %w; it decrypts the history in %s: restore it, or delete %s to start from scratch",
				path, perr, filepath.Join(filepath.Dir(path), "temporal.db"), filepath.Dir(path))
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read payload key %s: %w", path, err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate payload key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("save payload key to %s: %w", path, err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("save payload key to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("save payload key to %s: %w", path, err)
	}
	return k, nil
}

func waitReady(ctx context.Context, url string, served <-chan error) error {
	hc := http.Client{Timeout: 3 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := hc.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("API not ready at %s after 60s: %w", url, err)
		}
		select {
		case err := <-served:
			return fmt.Errorf("API stopped before it was ready: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// devUser is a sample person with a printed token.
type devUser struct {
	env, sub, name string
	roles          []domain.Role
	unit           string
}

// devUsers are the sample people of the walk-through: every role of
// DOMAIN.md, and as many distinct council members as the council has, since
// a vote needs a quorum of distinct members.
func devUsers(councilMembers int) []devUser {
	us := []devUser{
		{"TOKEN_UNIT_SGDDT", "u-sgddt", "Sở Giáo dục và Đào tạo", []domain.Role{domain.RoleUnit}, "SGDDT"},
		{"TOKEN_UNIT_SYT", "u-syt", "Sở Y tế", []domain.Role{domain.RoleUnit}, "SYT"},
		{"TOKEN_OFFICER", "officer-1", "Chuyên viên Phòng Thi đua - Khen thưởng", []domain.Role{domain.RoleOfficer}, ""},
	}
	for i := 1; i <= councilMembers; i++ {
		name := fmt.Sprintf("Thành viên Hội đồng TĐKT %d", i)
		if i <= len(devCouncil) {
			name = devCouncil[i-1].name
		}
		us = append(us, devUser{fmt.Sprintf("TOKEN_COUNCIL_%d", i), fmt.Sprintf("c%d", i),
			name, []domain.Role{domain.RoleCouncil}, ""})
	}
	return append(us,
		devUser{"TOKEN_SECRETARY", "secretary-1", "Thư ký Hội đồng TĐKT", []domain.Role{domain.RoleSecretary}, ""},
		devUser{"TOKEN_CHAIRMAN", "chairman-1", "Chủ tịch UBND tỉnh", []domain.Role{domain.RoleChairman}, ""},
		devUser{"TOKEN_ADMIN", "admin-1", "Quản trị hệ thống", []domain.Role{domain.RoleAdmin}, ""},
	)
}

// devCouncil are the demo council's members, as the roster names them
// (`tdkt dev` puts them on an empty roster).
var devCouncil = []struct{ name, position string }{
	{"Lò Văn Thắng", "Giám đốc Sở Nội vụ, Phó Chủ tịch Hội đồng"},
	{"Tao Thị Hương", "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh, ủy viên"},
	{"Điêu Văn Hải", "Giám đốc Sở Tài chính, ủy viên"},
	{"Giàng A Dơ", "Chủ tịch Liên đoàn Lao động tỉnh, ủy viên"},
	{"Lường Thị Nga", "Chủ tịch Hội Liên hiệp Phụ nữ tỉnh, ủy viên"},
	{"Sùng A Lử", "Bí thư Tỉnh đoàn, ủy viên"},
	{"Hà Thị Thu", "Giám đốc Sở Giáo dục và Đào tạo, ủy viên"},
	{"Vũ Đức Minh", "Giám đốc Sở Y tế, ủy viên"},
	{"Bùi Văn Tuấn", "Trưởng ban Thi đua - Khen thưởng, ủy viên thường trực"},
}

// devRoster is the demo council as a roster.
func devRoster(councilMembers int) []domain.CouncilMember {
	var out []domain.CouncilMember
	for _, u := range devUsers(councilMembers) {
		if !slices.Contains(u.roles, domain.RoleCouncil) {
			continue
		}
		pos := "Ủy viên Hội đồng"
		if n := len(out); n < len(devCouncil) {
			pos = devCouncil[n].position
		}
		out = append(out, domain.CouncilMember{ID: u.sub, Name: u.name, Position: pos, Order: len(out) + 1})
	}
	return out
}

// printBanner prints the URLs and the tokens as shell exports, and saves the
// exports to .data/tokens.env for `source`.
func printBanner(out io.Writer, cfg config.Config, apiURL, uiURL, data string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\ntdkt is running.\n  Console:     %s/signin   (sign in as any demo user: unit, officer, council, secretary, chairman, admin)\n", apiURL)
	fmt.Fprintf(&b, "  API:         %s   (GET /readyz, /openapi.yaml)\n", apiURL)
	rule := "a submission names a campaign of the plan, open that day, or none"
	if !cfg.EnforceCampaigns() {
		rule = "codes the plan does not hold are taken too"
	}
	fmt.Fprintf(&b, "  Plan:        %s/plan   (this year's campaigns; TDKT_CAMPAIGNS=%s: %s)\n", apiURL, cfg.Campaigns, rule)
	mail := "no e-mail: set TDKT_SMTP_URL (smtp://host:port) to send it"
	if cfg.SMTPURL != "" {
		mail = "e-mail via TDKT_SMTP_URL"
	}
	fmt.Fprintf(&b, "  Reminders:   every %s, schedule %s in Temporal UI (%s; %d webhooks)\n",
		cfg.ReminderInterval, workflows.RemindersScheduleID(cfg.TaskQueue), mail, len(cfg.WebhookURLs))
	fmt.Fprintf(&b, "  Metrics:     http://%s/metrics   (admin listener, TDKT_ADMIN_ADDR)\n", cfg.AdminAddr)
	if uiURL != "" {
		fmt.Fprintf(&b, "  Temporal UI: %s/namespaces/%s/workflows\n", uiURL, cfg.TemporalNamespace)
	} else {
		fmt.Fprintf(&b, "  Temporal:    %s (namespace %s)\n", cfg.TemporalAddress, cfg.TemporalNamespace)
	}
	if len(cfg.PayloadKey) > 0 {
		fmt.Fprintf(&b, "  Codec:       %s/codec   (Temporal payloads are encrypted; decoding needs an admin token)\n", apiURL)
	}
	tokens := filepath.Join(data, "tokens.env")
	if cfg.JWTSecret == "" {
		fmt.Fprintf(&b, "  Tokens come from your identity provider (TDKT_JWKS_URL is set); none printed.\n\n")
		_, err := io.WriteString(out, b.String())
		return err
	}
	var env strings.Builder
	env.WriteString("export API=" + apiURL + "\n")
	for _, u := range devUsers(cfg.CouncilMembers) {
		tok, err := auth.Token{Subject: u.sub, Name: u.name, Roles: u.roles, Unit: u.unit, TTL: devTokenTTL,
			Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience}.Sign([]byte(cfg.JWTSecret))
		if err != nil {
			return fmt.Errorf("mint token for %s: %w", u.sub, err)
		}
		fmt.Fprintf(&env, "export %s=%s\n", u.env, tok)
	}
	if err := os.WriteFile(tokens, []byte(env.String()), 0o600); err != nil {
		return fmt.Errorf("save tokens to %s: %w", tokens, err)
	}
	fmt.Fprintf(&b, "\nBearer tokens (30 days; also in %s: `source %s`):\n%s", tokens, tokens, env.String())
	fmt.Fprintf(&b, "\nExample: curl -H \"Authorization: Bearer $TOKEN_OFFICER\" $API/api/v1/tasks\nCtrl-C stops everything; data stays in %s.\n\n", data)
	_, err := io.WriteString(out, b.String())
	return err
}

// startDevPostgres starts the local PostgreSQL of `tdkt dev` (and --cluster)
// with its data under data/pg, and sets *dbURL to its database tdkt; stop
// stops it.
func startDevPostgres(ctx context.Context, logger *slog.Logger, data string, dbURL *string) (pg *devenv.Postgres, stop func(), err error) {
	logger.Info("starting PostgreSQL", "data", filepath.Join(data, "pg"))
	pg, err = devenv.StartPostgres(ctx, filepath.Join(data, "pg"))
	if err != nil {
		return nil, nil, err
	}
	stop = func() {
		logger.Info("stopping PostgreSQL")
		if err := pg.Stop(); err != nil {
			logger.Error("stop PostgreSQL", "err", err)
		}
	}
	if *dbURL, err = pg.CreateDatabase(ctx, "tdkt"); err != nil {
		stop()
		return nil, nil, err
	}
	return pg, stop, nil
}
