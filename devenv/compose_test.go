package devenv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"

	"tdkt/config"
	"tdkt/workflows"
)

// No Docker engine runs here, so the deployment file is checked by loading it
// the way `docker compose` does and asserting what a deployment needs.

const (
	svcAPI     = "tdkt-api"
	svcWorker  = "tdkt-worker"
	svcMigrate = "tdkt-migrate"
	svcSAs     = "temporal-namespace"
)

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  t.TempDir(), // a fake project dir: nothing outside the file is read
		ConfigFiles: []types.ConfigFile{{Filename: "docker-compose.yml", Content: b}},
		Environment: env,
	}, func(o *loader.Options) {
		o.SkipValidation = false
		o.SetProjectName("tdkt", true)
	})
}

var composeEnv = map[string]string{
	"POSTGRES_PASSWORD": "pg-secret-for-test",
	"TDKT_JWT_SECRET":   "0123456789abcdef0123456789abcdef",
	"TDKT_PAYLOAD_KEY":  "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", // base64 of 32 bytes
}

func TestComposeParsesAndPinsEveryImage(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	for _, name := range []string{"postgres", "temporal", "temporal-ui", "temporal-schema", svcSAs, svcMigrate, svcAPI, svcWorker} {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("service %s missing", name)
		}
	}
	for name, s := range p.Services {
		if s.Image == "" {
			t.Errorf("service %s names no image (a build needs an image tag too)", name)
			continue
		}
		ref, err := reference.ParseNormalizedNamed(s.Image)
		if err != nil {
			t.Errorf("service %s: image %q: %v", name, s.Image, err)
			continue
		}
		tagged, isTagged := ref.(reference.Tagged)
		_, isDigested := ref.(reference.Digested)
		switch {
		case isDigested:
		case !isTagged:
			t.Errorf("service %s: image %s has no version tag", name, s.Image)
		case tagged.Tag() == "latest":
			t.Errorf("service %s: image %s uses latest", name, s.Image)
		}
	}
	for image, want := range map[string]string{"postgres": "postgres:16", "temporal": "temporalio/server:1.29.",
		"temporal-ui": "temporalio/ui:2.42.", "temporal-schema": "temporalio/admin-tools:1.29."} {
		if got := p.Services[image].Image; !strings.HasPrefix(got, want) {
			t.Errorf("service %s runs %s, want %s*", image, got, want)
		}
	}
	// One app image, built from the Dockerfile.
	if p.Services[svcMigrate].Build == nil {
		t.Errorf("%s does not build the app image", svcMigrate)
	}
	for _, name := range []string{svcAPI, svcWorker} {
		if p.Services[name].Image != p.Services[svcMigrate].Image {
			t.Errorf("%s runs %s, migrate %s: one app image expected", name, p.Services[name].Image, p.Services[svcMigrate].Image)
		}
	}
}

// The app services' environment is a configuration the binary accepts, with
// everything it requires set.
func TestComposeAppEnvironment(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{svcAPI, svcWorker, svcMigrate} {
		env := map[string]string{}
		for k, v := range p.Services[name].Environment {
			if v != nil {
				env[k] = *v
			}
		}
		for _, k := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TDKT_TASK_QUEUE"} {
			if env[k] == "" {
				t.Errorf("%s: %s not set", name, k)
			}
		}
		if env["TDKT_JWT_SECRET"] == "" && env["TDKT_JWKS_URL"] == "" {
			t.Errorf("%s: neither TDKT_JWT_SECRET nor TDKT_JWKS_URL set", name)
		}
		cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Errorf("%s: the binary refuses its environment: %v", name, err)
			continue
		}
		if err := cfg.RequireAuth(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(cfg.DatabaseURL, "@postgres:5432/") || cfg.TemporalAddress != "temporal:7233" {
			t.Errorf("%s: DATABASE_URL %s, TEMPORAL_ADDRESS %s do not point at the compose services", name, cfg.DatabaseURL, cfg.TemporalAddress)
		}
		if !strings.Contains(cfg.DatabaseURL, composeEnv["POSTGRES_PASSWORD"]) {
			t.Errorf("%s: DATABASE_URL does not use POSTGRES_PASSWORD", name)
		}
		// The API and the worker must share the payload key, or one cannot
		// read what the other wrote to Temporal.
		if name != svcMigrate && env["TDKT_PAYLOAD_KEY"] != composeEnv["TDKT_PAYLOAD_KEY"] {
			t.Errorf("%s: TDKT_PAYLOAD_KEY is not the deployment's payload key", name)
		}
	}
}

func TestComposeStartOrder(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Services[svcMigrate].Command, " "); got != "migrate up" {
		t.Errorf("%s runs %q, want migrate up", svcMigrate, got)
	}
	for _, name := range []string{svcAPI, svcWorker} {
		deps := p.Services[name].DependsOn
		for _, need := range []string{svcMigrate, svcSAs} {
			if d, ok := deps[need]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
				t.Errorf("%s must wait for %s to complete successfully; depends_on: %+v", name, need, deps)
			}
		}
	}
	if d := p.Services["temporal"].DependsOn["temporal-schema"]; d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("temporal starts before its schema is set up: %+v", p.Services["temporal"].DependsOn)
	}
	if d := p.Services[svcMigrate].DependsOn["postgres"]; d.Condition != types.ServiceConditionHealthy {
		t.Errorf("migrate starts before postgres is healthy: %+v", p.Services[svcMigrate].DependsOn)
	}
}

// Every search attribute the workflow upserts is registered by the one-shot
// service, with the type the code declares.
func TestComposeRegistersSearchAttributes(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	script := strings.Join(p.Services[svcSAs].Command, " ")
	for _, sa := range workflows.SearchAttributes {
		if !strings.Contains(script, sa.Name+"="+sa.CLI) {
			t.Errorf("%s does not register %s=%s", svcSAs, sa.Name, sa.CLI)
		}
	}
}

// Secrets have no defaults: a deployment without them does not start. (The
// token key is either the identity provider's key set or, for development,
// TDKT_JWT_SECRET: TestComposeTokenKeys.)
func TestComposeRequiresSecrets(t *testing.T) {
	for _, missing := range []string{"POSTGRES_PASSWORD", "TDKT_PAYLOAD_KEY"} {
		env := map[string]string{}
		for k, v := range composeEnv {
			if k != missing {
				env[k] = v
			}
		}
		if _, err := loadCompose(t, env); err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("loading without %s: %v, want an error naming it", missing, err)
		}
	}
}

func appConfig(t *testing.T, p *types.Project, name string) (config.Config, map[string]string, error) {
	t.Helper()
	env := map[string]string{}
	for k, v := range p.Services[name].Environment {
		if v != nil {
			env[k] = *v
		}
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return cfg, env, err
}

// Production takes its tokens from the identity provider: with TDKT_JWKS_URL,
// TDKT_JWT_ISSUER and TDKT_JWT_AUDIENCE the deployment needs no shared HS256
// secret, and sets none. Without any token key the API refuses to start, and
// so does a key set without its issuer and audience.
func TestComposeTokenKeys(t *testing.T) {
	idp := map[string]string{
		"TDKT_JWKS_URL":        "https://idp.example/realms/tdkt/protocol/openid-connect/certs",
		"TDKT_JWT_ISSUER":      "https://idp.example/realms/tdkt",
		"TDKT_JWT_AUDIENCE":    "tdkt-api",
		"TDKT_JWT_ROLES_CLAIM": "realm_access.roles",
	}
	env := map[string]string{}
	for k, v := range composeEnv {
		if k != "TDKT_JWT_SECRET" {
			env[k] = v
		}
	}
	for k, v := range idp {
		env[k] = v
	}
	p, err := loadCompose(t, env)
	if err != nil {
		t.Fatalf("a deployment with the identity provider and no TDKT_JWT_SECRET does not load: %v", err)
	}
	for _, name := range []string{svcAPI, svcWorker, svcMigrate} {
		cfg, vars, err := appConfig(t, p, name)
		if err != nil {
			t.Errorf("%s: the binary refuses its environment: %v", name, err)
			continue
		}
		if err := cfg.RequireAuth(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if vars["TDKT_JWT_SECRET"] != "" || cfg.JWTSecret != "" {
			t.Errorf("%s: a shared HS256 secret is set next to the identity provider", name)
		}
		if cfg.JWKSURL != idp["TDKT_JWKS_URL"] || cfg.JWTIssuer != idp["TDKT_JWT_ISSUER"] ||
			cfg.JWTAudience != idp["TDKT_JWT_AUDIENCE"] || cfg.JWTRolesClaim != idp["TDKT_JWT_ROLES_CLAIM"] {
			t.Errorf("%s: the identity provider's settings are not passed through: %+v", name, cfg)
		}
	}

	// Neither a key set nor a secret: the API does not start.
	delete(env, "TDKT_JWKS_URL")
	if p, err = loadCompose(t, env); err != nil {
		t.Fatal(err)
	}
	if cfg, _, err := appConfig(t, p, svcAPI); err != nil || cfg.RequireAuth() == nil {
		t.Errorf("no token key: config error %v, RequireAuth passes", err)
	}

	// A key set without its issuer and audience: refused, naming them.
	env["TDKT_JWKS_URL"] = idp["TDKT_JWKS_URL"]
	delete(env, "TDKT_JWT_ISSUER")
	delete(env, "TDKT_JWT_AUDIENCE")
	if p, err = loadCompose(t, env); err != nil {
		t.Fatal(err)
	}
	if _, _, err := appConfig(t, p, svcAPI); err == nil || !strings.Contains(err.Error(), "TDKT_JWT_ISSUER") ||
		!strings.Contains(err.Error(), "TDKT_JWT_AUDIENCE") {
		t.Errorf("key set without issuer and audience: %v", err)
	}
}

// The Temporal services of compose are the four of devenv.StartCluster, each
// running the one configuration the cluster tests run
// (deploy/temporal/tdkt.yaml, mounted read-only) for its own service.
func TestComposeRunsTheClusterConfiguration(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"frontend": "temporal", "history": "temporal-history", "matching": "temporal-matching", "worker": "temporal-worker"}
	for _, service := range ClusterServices {
		s, ok := p.Services[names[service]]
		if !ok {
			t.Errorf("no compose service runs Temporal's %s", service)
			continue
		}
		if v := s.Environment["TEMPORAL_SERVICE"]; v == nil || *v != service {
			t.Errorf("%s: TEMPORAL_SERVICE %v, want %s", s.Name, v, service)
		}
		if !strings.Contains(strings.Join(s.Command, " "), "--config tdkt --env tdkt") {
			t.Errorf("%s: command %q does not run the tdkt configuration", s.Name, s.Command)
		}
		mounted := false
		for _, v := range s.Volumes {
			if strings.HasSuffix(v.Source, filepath.Join("deploy", "temporal")) && v.Target == "/etc/temporal/tdkt" && v.ReadOnly {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("%s does not mount deploy/temporal read-only at /etc/temporal/tdkt", s.Name)
		}
		if v := s.Environment["DYNAMIC_CONFIG_FILE_PATH"]; v == nil || *v != "/etc/temporal/tdkt/dynamicconfig.yaml" {
			t.Errorf("%s: DYNAMIC_CONFIG_FILE_PATH %v", s.Name, v)
		}
	}
}
