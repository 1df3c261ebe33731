package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// IssueNumber gives dossierID the next number of a kind (decision, proposal)
// in a year, counting from 1. Asked again for the same dossier and kind, it
// gives the same number, so a retried activity never skips or doubles one.
func (s *Store) IssueNumber(ctx context.Context, dossierID, kind string, year int) (int, error) {
	dossierID, kind = cleanText(dossierID), cleanText(kind)
	if n, err := s.issuedNumber(ctx, dossierID, kind); err == nil {
		return n, nil
	} else if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	var n int
	var lost bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The counter row's lock serialises issuers of one kind and year.
		if err := tx.GetContext(ctx, &n, `
INSERT INTO number_counters (kind, year, last) VALUES ($1, $2, 1)
ON CONFLICT (kind, year) DO UPDATE SET last = number_counters.last + 1
RETURNING last`, kind, year); err != nil {
			return fmt.Errorf("issue %s number for %s: %w", kind, dossierID, err)
		}
		var got int
		err := tx.GetContext(ctx, &got, `
INSERT INTO issued_numbers (dossier_id, kind, year, n) VALUES ($1, $2, $3, $4)
ON CONFLICT (dossier_id, kind) DO NOTHING RETURNING n`, dossierID, kind, year, n)
		if errors.Is(err, sql.ErrNoRows) {
			// A concurrent retry for this dossier won: undo our increment.
			lost = true
			return errLostRace
		}
		if err != nil {
			return fmt.Errorf("record %s number for %s: %w", kind, dossierID, err)
		}
		return nil
	})
	if lost {
		return s.issuedNumber(ctx, dossierID, kind)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// errLostRace rolls back a transaction another one already did the work of.
var errLostRace = errors.New("lost a race to a concurrent writer")

func (s *Store) issuedNumber(ctx context.Context, dossierID, kind string) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT n FROM issued_numbers WHERE dossier_id = $1 AND kind = $2`, dossierID, kind)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("read %s number of %s: %w", kind, dossierID, err)
	}
	return n, nil
}

// NextNumber is the number the next IssueNumber of a kind in a year would
// give, for a confirmation page; a concurrent issue may take it first.
func (s *Store) NextNumber(ctx context.Context, kind string, year int) (int, error) {
	var last sql.NullInt64
	err := s.DB.GetContext(ctx, &last, `SELECT last FROM number_counters WHERE kind = $1 AND year = $2`, cleanText(kind), year)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("next %s number: %w", kind, err)
	}
	return int(last.Int64) + 1, nil
}
