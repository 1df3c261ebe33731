package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"

	"tdkt/domain"
)

// ListUnits is the unit directory, by emulation block then code.
func (s *Store) ListUnits(ctx context.Context) ([]domain.Unit, error) {
	out := []domain.Unit{}
	if err := s.DB.SelectContext(ctx, &out, `SELECT code, name, kind, block, email FROM units ORDER BY block, code`); err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}

// GetUnit is one unit of the directory; ErrNotFound when it has none.
func (s *Store) GetUnit(ctx context.Context, code string) (domain.Unit, error) {
	var u domain.Unit
	if !storable(code) {
		return u, ErrNotFound
	}
	err := s.DB.GetContext(ctx, &u, `SELECT code, name, kind, block, email FROM units WHERE code = $1`, code)
	if isNoRows(err) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("get unit %s: %w", code, err)
	}
	return u, nil
}

// CreateUnit adds a unit; ErrExists when its code is taken.
func (s *Store) CreateUnit(ctx context.Context, u domain.Unit) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO units (code, name, kind, block, email) VALUES ($1, $2, $3, $4, $5)`,
		u.Code, cleanText(u.Name), string(u.Kind), cleanText(u.Block), cleanText(u.Email))
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("create unit %s: %w", u.Code, err)
	}
	return nil
}

// UpdateUnit changes a unit's name, kind, block and e-mail; ErrNotFound when the
// directory has no such code. A code never changes: dossiers carry it.
func (s *Store) UpdateUnit(ctx context.Context, u domain.Unit) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE units SET name = $2, kind = $3, block = $4, email = $5, updated_at = now() WHERE code = $1`,
		u.Code, cleanText(u.Name), string(u.Kind), cleanText(u.Block), cleanText(u.Email))
	if err != nil {
		return fmt.Errorf("update unit %s: %w", u.Code, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
