package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tdkt/auth"
	"tdkt/devenv"
	"tdkt/domain"
)

func tokenCmd() *cobra.Command {
	var sub, name, roles, unit string
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "token --sub ID --roles r1,r2 [--name N] [--unit U] [--ttl 24h]",
		Short: "Print a development bearer token signed with TDKT_JWT_SECRET (HS256), with TDKT_JWT_ISSUER and TDKT_JWT_AUDIENCE as iss and aud when set",
		Example: `  tdkt token --sub u-sgddt --name "Sở Giáo dục và Đào tạo" --roles unit --unit SGDDT
  tdkt token --sub cv1 --name "Chuyên viên TĐKT" --roles officer --ttl 8h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			secret := cfg.JWTSecret
			if secret == "" {
				// After `tdkt dev` the development secret is in .data/.
				secret = readDevSecret()
			}
			if secret == "" {
				return errors.New("TDKT_JWT_SECRET is not set (and no .data/jwt-secret from `tdkt dev`): set it to the API's secret")
			}
			rs, err := parseRoles(roles)
			if err != nil {
				return err
			}
			if unit == "" && containsRole(rs, domain.RoleUnit) {
				return errors.New("--unit is required with role unit (the unit code, e.g. SGDDT)")
			}
			tok, err := auth.Token{Subject: sub, Name: name, Roles: rs, Unit: unit, TTL: ttl,
				Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience}.Sign([]byte(secret))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&sub, "sub", "", "user id (claim sub)")
	f.StringVar(&name, "name", "", "display name (claim name)")
	f.StringVar(&roles, "roles", "", "comma-separated roles: "+joinRoles(domain.Roles))
	f.StringVar(&unit, "unit", "", "unit code (claim unit; required with role unit)")
	f.DurationVar(&ttl, "ttl", 24*time.Hour, "lifetime of the token")
	cmd.MarkFlagRequired("sub")
	cmd.MarkFlagRequired("roles")
	return cmd
}

func parseRoles(s string) ([]domain.Role, error) {
	var rs []domain.Role
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !domain.ValidRole(domain.Role(r)) {
			return nil, fmt.Errorf("--roles: unknown role %q (want %s)", r, joinRoles(domain.Roles))
		}
		rs = append(rs, domain.Role(r))
	}
	if len(rs) == 0 {
		return nil, errors.New("--roles: give at least one role")
	}
	return rs, nil
}

func containsRole(rs []domain.Role, r domain.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func joinRoles(rs []domain.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// dataDir is where `tdkt dev` keeps its state: .data/ at the module root when
// run inside the source tree, else in the working directory.
func dataDir() string {
	if root, err := devenv.ModuleRoot(); err == nil {
		return filepath.Join(root, ".data")
	}
	return ".data"
}

func readDevSecret() string {
	b, err := os.ReadFile(filepath.Join(dataDir(), "jwt-secret"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
