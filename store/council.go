package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"tdkt/domain"
)

// The council's roster (migration 0011).

// CouncilMembers is the roster, in the minutes' order (then by name).
func (s *Store) CouncilMembers(ctx context.Context) ([]domain.CouncilMember, error) {
	out := []domain.CouncilMember{}
	if err := s.DB.SelectContext(ctx, &out, `SELECT id, name, position, ord AS "order" FROM council_members ORDER BY ord, name, id`); err != nil {
		return nil, fmt.Errorf("council members: %w", err)
	}
	return out, nil
}

// PutCouncilMember adds m to the roster or changes its name, position and
// order; created reports which.
func (s *Store) PutCouncilMember(ctx context.Context, m domain.CouncilMember, by string) (created bool, err error) {
	c := cleanText
	err = s.DB.GetContext(ctx, &created, `
INSERT INTO council_members (id, name, position, ord, updated_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position, ord = EXCLUDED.ord,
  updated_by = EXCLUDED.updated_by, updated_at = now()
RETURNING xmax = 0`, c(m.ID), c(m.Name), c(m.Position), m.Order, c(by))
	if err != nil {
		return false, fmt.Errorf("put council member %s: %w", m.ID, err)
	}
	return created, nil
}

// RemoveCouncilMember takes member id off the roster; ErrNotFound when it
// is not on it.
func (s *Store) RemoveCouncilMember(ctx context.Context, id string) error {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM council_members WHERE id = $1`, cleanText(id))
	if err != nil {
		return fmt.Errorf("remove council member %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SeedCouncilMembers puts ms on the roster when it has no member at all
// (`tdkt dev`'s demo council); a roster someone keeps is left alone.
func (s *Store) SeedCouncilMembers(ctx context.Context, ms []domain.CouncilMember) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM council_members`); err != nil {
			return fmt.Errorf("seed council members: %w", err)
		}
		if n > 0 {
			return nil
		}
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, `INSERT INTO council_members (id, name, position, ord, updated_by) VALUES ($1, $2, $3, $4, 'tdkt dev')
ON CONFLICT (id) DO NOTHING`, cleanText(m.ID), cleanText(m.Name), cleanText(m.Position), m.Order); err != nil {
				return fmt.Errorf("seed council member %s: %w", m.ID, err)
			}
		}
		return nil
	})
}
