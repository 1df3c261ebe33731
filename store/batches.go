package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// BatchRow is a batch as the read model holds it: a few columns to filter
// and order by, and the whole view as the API shows it.
type BatchRow struct {
	ID        string    `db:"id"`
	Kind      string    `db:"kind"`
	Title     string    `db:"title"`
	Status    string    `db:"status"`
	Version   int64     `db:"version"`
	Number    string    `db:"number"`
	CreatedAt time.Time `db:"created_at"`
	View      []byte    `db:"view"`
}

// NextBatchID gives a new batch its id, DS-<year>-<NNNN>, from a sequence
// per year (gaps possible, never repeats).
func (s *Store) NextBatchID(ctx context.Context, year int) (string, error) {
	n, err := s.yearlyNumber(ctx, "batch", year)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("DS-%d-%04d", year, n), nil
}

// PutBatch writes a batch and the dossiers it holds. It is idempotent and
// monotonic: a version older than the stored one changes nothing.
func (s *Store) PutBatch(ctx context.Context, b BatchRow, dossiers []string) error {
	c := cleanText
	return s.putWithMembers(ctx, "batch "+b.ID, b.View, `
INSERT INTO batches (id, kind, title, status, version, number, created_at, view)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, status = EXCLUDED.status, version = EXCLUDED.version,
  number = EXCLUDED.number, view = EXCLUDED.view, updated_at = now()
WHERE batches.version < EXCLUDED.version`,
		[]any{c(b.ID), c(b.Kind), c(b.Title), c(b.Status), b.Version, c(b.Number), b.CreatedAt},
		`DELETE FROM batch_dossiers WHERE batch_id = $1`, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `
INSERT INTO batch_dossiers (batch_id, dossier_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
				c(b.ID), pq.Array(dossiers))
			return err
		})
}

// putWithMembers writes, in one transaction, the row of a batch or a
// session with upsert (version-guarded: it writes nothing for an older
// version; its last argument is the view, cleaned here) and, when it
// wrote, replaces the rows of its dossiers: clear ($1 the row's id, the
// first of args) deletes them and members inserts them again.
func (s *Store) putWithMembers(ctx context.Context, what string, view []byte, upsert string, args []any, clear string, members func(*sqlx.Tx) error) error {
	v, err := cleanJSON(view)
	if err != nil {
		return fmt.Errorf("put %s: %w", what, err)
	}
	args = append(args, string(v))
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, upsert, args...)
		if err != nil {
			return fmt.Errorf("put %s: %w", what, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // an older version: nothing to do
		}
		if _, err := tx.ExecContext(ctx, clear, args[0]); err != nil {
			return fmt.Errorf("put %s: %w", what, err)
		}
		if err := members(tx); err != nil {
			return fmt.Errorf("put %s: dossiers: %w", what, err)
		}
		return nil
	})
}

// GetBatch reads one batch; ErrNotFound if there is none.
func (s *Store) GetBatch(ctx context.Context, id string) (BatchRow, error) {
	var b BatchRow
	err := s.DB.GetContext(ctx, &b, `SELECT id, kind, title, status, version, number, created_at, view::text AS view FROM batches WHERE id = $1`, cleanText(id))
	if errors.Is(err, sql.ErrNoRows) {
		return BatchRow{}, ErrNotFound
	}
	if err != nil {
		return BatchRow{}, fmt.Errorf("read batch %s: %w", id, err)
	}
	return b, nil
}

// ListBatches lists batches, newest first, at most limit.
func (s *Store) ListBatches(ctx context.Context, limit int) ([]BatchRow, error) {
	var out []BatchRow
	err := s.DB.SelectContext(ctx, &out, `
SELECT id, kind, title, status, version, number, created_at, view::text AS view FROM batches
ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	return out, nil
}

// DraftBatchesOf says which draft batch (other than except) holds each of
// the dossiers, for those a draft holds.
func (s *Store) DraftBatchesOf(ctx context.Context, dossiers []string, except string) (map[string]string, error) {
	var rows []struct {
		Dossier string `db:"dossier_id"`
		Batch   string `db:"batch_id"`
	}
	err := s.DB.SelectContext(ctx, &rows, `
SELECT bd.dossier_id, bd.batch_id FROM batch_dossiers bd JOIN batches b ON b.id = bd.batch_id
WHERE bd.dossier_id = ANY($1::text[]) AND b.status <> 'signed' AND b.id <> $2`, pq.Array(dossiers), cleanText(except))
	if err != nil {
		return nil, fmt.Errorf("draft batches of dossiers: %w", err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Dossier] = r.Batch
	}
	return out, nil
}
