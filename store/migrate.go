package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"

	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"tdkt/domain"
)

//go:embed migrations/*.sql
var migrations embed.FS

// provider is goose over the embedded migrations. A session lock keeps two
// processes (two replicas, parallel tests) from migrating at once.
func provider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
}

// Migrate runs a migration command: "up" (everything pending, then the award
// catalogue), "down" (the last migration) or "status" (printed to stdout).
func Migrate(ctx context.Context, db *sql.DB, command string) error {
	p, err := provider(db)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	switch command {
	case "up":
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		return seedAwards(ctx, db)
	case "down":
		if _, err := p.Down(ctx); err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		return nil
	case "status":
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, m := range st {
			at := "pending"
			if m.State == goose.StateApplied {
				at = "applied " + m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(os.Stdout, "%05d  %-40s %s\n", m.Source.Version, m.Source.Path, at)
		}
		return nil
	default:
		return fmt.Errorf("migrate: unknown command %q (want up, down or status)", command)
	}
}

// MigrationVersion is the newest applied migration (0 when none).
func MigrationVersion(ctx context.Context, db *sql.DB) (int64, error) {
	p, err := provider(db)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// seedAwards writes the catalogue of domain/awards.json into table awards,
// so the data the engine runs on and the data SQL sees are the same.
func seedAwards(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed awards: %w", err)
	}
	defer tx.Rollback()
	for _, a := range domain.Catalogue {
		types := make([]string, len(a.NomineeTypes))
		for i, t := range a.NomineeTypes {
			types[i] = string(t)
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO awards (code, name, gloss, nominee_types, authority, council, notice)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, gloss = EXCLUDED.gloss,
  nominee_types = EXCLUDED.nominee_types, authority = EXCLUDED.authority,
  council = EXCLUDED.council, notice = EXCLUDED.notice`,
			a.Code, a.Name, a.Gloss, pq.Array(types), string(a.Authority), a.Council, a.Notice)
		if err != nil {
			return fmt.Errorf("seed award %s: %w", a.Code, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed awards: %w", err)
	}
	return nil
}
