package store

import (
	"context"
	"fmt"
	"time"
)

// PendingStart is the token of a dossier's start in projection_pending; an
// update's token is its update id.
const PendingStart = "start"

// Pending is a transition an API marked before sending it to Temporal and
// has not (yet) written into the read model.
type Pending struct {
	DossierID string    `db:"dossier_id"`
	Token     string    `db:"token"`
	Since     time.Time `db:"since"`
	Tries     int       `db:"tries"`
}

// MarkPending records that the caller is about to send a transition of
// dossier id to Temporal (token: PendingStart, or the update's id), so that
// if it never writes the outcome, the reconciler does. Marking twice is one
// mark.
func (s *Store) MarkPending(ctx context.Context, id, token string) error {
	_, err := s.DB.ExecContext(ctx, `
INSERT INTO projection_pending (dossier_id, token) VALUES ($1, $2) ON CONFLICT DO NOTHING`, cleanText(id), cleanText(token))
	if err != nil {
		return fmt.Errorf("mark %s of %s pending: %w", token, id, err)
	}
	return nil
}

// ClearPending removes a mark: the transition was refused, or projected.
func (s *Store) ClearPending(ctx context.Context, id, token string) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM projection_pending WHERE dossier_id = $1 AND token = $2`,
		cleanText(id), cleanText(token))
	if err != nil {
		return fmt.Errorf("clear pending %s of %s: %w", token, id, err)
	}
	return nil
}

// ClaimPending takes up to limit marks whose time has come, oldest first,
// and puts each off by a lease that grows with its tries (2 s, 4 s, … at
// most a minute), so that concurrent reconcilers take different marks and a
// reconciler that dies leaves them to the next one after the lease.
func (s *Store) ClaimPending(ctx context.Context, limit int) ([]Pending, error) {
	var out []Pending
	err := s.DB.SelectContext(ctx, &out, `
UPDATE projection_pending p
SET tries = p.tries + 1,
    next_try = now() + LEAST(interval '2 seconds' * power(2, LEAST(p.tries, 5)), interval '1 minute')
FROM (SELECT dossier_id, token FROM projection_pending WHERE next_try <= now()
      ORDER BY next_try LIMIT $1 FOR UPDATE SKIP LOCKED) c
WHERE p.dossier_id = c.dossier_id AND p.token = c.token
RETURNING p.dossier_id, p.token, p.since, p.tries`, limit)
	if err != nil {
		return nil, fmt.Errorf("claim pending projections: %w", err)
	}
	return out, nil
}

// PendingCount is how many marks wait, and the age of the oldest (0 when
// none): the reconciler's backlog, for metrics and tests.
func (s *Store) PendingCount(ctx context.Context) (int, time.Duration, error) {
	var row struct {
		N      int     `db:"n"`
		Oldest float64 `db:"oldest"`
	}
	err := s.DB.GetContext(ctx, &row, `
SELECT count(*) AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(since)), 0)::float8 AS oldest FROM projection_pending`)
	if err != nil {
		return 0, 0, fmt.Errorf("count pending projections: %w", err)
	}
	return row.N, time.Duration(row.Oldest * float64(time.Second)), nil
}

// PendingOf are the marks of one dossier.
func (s *Store) PendingOf(ctx context.Context, id string) ([]Pending, error) {
	var out []Pending
	err := s.DB.SelectContext(ctx, &out, `
SELECT dossier_id, token, since, tries FROM projection_pending WHERE dossier_id = $1 ORDER BY since`, cleanText(id))
	if err != nil {
		return nil, fmt.Errorf("pending projections of %s: %w", id, err)
	}
	return out, nil
}

// HasPending reports whether a transition of dossier id is marked and not
// yet written: an API is writing it now, or died before it could.
func (s *Store) HasPending(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.DB.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM projection_pending WHERE dossier_id = $1)`, cleanText(id))
	if err != nil {
		return false, fmt.Errorf("pending projections of %s: %w", id, err)
	}
	return ok, nil
}
