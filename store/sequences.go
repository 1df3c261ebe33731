package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Ids counted per year (dossiers, batches) come from one sequence per year,
// created with the year's first id: nextval takes no row lock, so
// concurrent callers never queue on one counter row. A value taken by a
// caller that then fails is not given again: ids may have gaps, never
// repeats.

// yearlyNumber takes the next number of a year's ids of kind ("dossier",
// "batch", "session") from that year's sequence, <kind>_ids_<year>.
func (s *Store) yearlyNumber(ctx context.Context, kind string, year int) (int64, error) {
	if year < 2000 || year > 9999 {
		return 0, fmt.Errorf("allocate a %s id: implausible year %d", kind, year)
	}
	n, err := s.nextval(ctx, fmt.Sprintf("%s_ids_%d", kind, year))
	if err != nil {
		return 0, fmt.Errorf("allocate a %s id for %d: %w", kind, year, err)
	}
	return n, nil
}

// nextval takes the next value of sequence seq, creating it first if it is
// missing. seq is built from a constant and a year, never from input.
func (s *Store) nextval(ctx context.Context, seq string) (int64, error) {
	var n int64
	err := s.DB.GetContext(ctx, &n, `SELECT nextval($1::regclass)`, seq)
	if isUndefinedTable(err) {
		if err := s.ensureSequence(ctx, seq); err != nil {
			return 0, err
		}
		err = s.DB.GetContext(ctx, &n, `SELECT nextval($1::regclass)`, seq)
	}
	if err != nil {
		return 0, fmt.Errorf("next value of %s: %w", seq, err)
	}
	return n, nil
}

// ensureSequence creates sequence seq if it is missing. The lock keeps two
// processes from racing on CREATE SEQUENCE IF NOT EXISTS, which is not safe
// against itself.
func (s *Store) ensureSequence(ctx context.Context, seq string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('tdkt id sequences'))`); err != nil {
			return fmt.Errorf("lock the id sequences: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE SEQUENCE IF NOT EXISTS `+pq.QuoteIdentifier(seq)+` AS bigint`); err != nil {
			return fmt.Errorf("create sequence %s: %w", seq, err)
		}
		return nil
	})
}

func isUndefinedTable(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "42P01"
}
