package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// ReserveSubmission gives a new submission its dossier id, HS-<year>-<NNNNNN>
// counting from 1 each year, and marks its start as pending (MarkPending):
// the caller projects the start and clears the mark. With an Idempotency-Key, a unit's repeat of the
// same request gets the id of the first (existed is true); the same key with
// a different request hash is ErrIdempotencyMismatch. An empty key always
// allocates a new id.
func (s *Store) ReserveSubmission(ctx context.Context, unit, idempotencyKey, requestHash string, year int) (id string, existed bool, err error) {
	unit, requestHash = cleanText(unit), cleanText(requestHash)
	if !storable(idempotencyKey) {
		// A key of raw bytes is kept as hex, so distinct keys stay distinct.
		idempotencyKey = "hex:" + hex.EncodeToString([]byte(idempotencyKey))
	}
	if idempotencyKey != "" {
		id, err := s.keyedSubmission(ctx, unit, idempotencyKey, requestHash)
		if err == nil {
			return id, true, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return "", false, err
		}
	}
	n, err := s.yearlyNumber(ctx, "dossier", year)
	if err != nil {
		return "", false, err
	}
	id = fmt.Sprintf("HS-%d-%06d", year, n)
	if idempotencyKey == "" {
		if err := s.MarkPending(ctx, id, PendingStart); err != nil {
			return "", false, err
		}
		return id, false, nil
	}
	// One statement: the key and the mark of the start the caller is about
	// to send are stored together, or neither is (the same key arrived
	// concurrently and won: its id is the answer, and ours is left unused).
	var got []string
	err = s.DB.SelectContext(ctx, &got, `
WITH k AS (
  INSERT INTO idempotency_keys (unit, key, request_hash, dossier_id) VALUES ($1, $2, $3, $4)
  ON CONFLICT (unit, key) DO NOTHING RETURNING dossier_id
), p AS (
  INSERT INTO projection_pending (dossier_id, token) SELECT dossier_id, $5 FROM k
)
SELECT dossier_id FROM k`, unit, idempotencyKey, requestHash, id, PendingStart)
	if err != nil {
		return "", false, fmt.Errorf("store idempotency key: %w", err)
	}
	if len(got) == 0 {
		id, err := s.keyedSubmission(ctx, unit, idempotencyKey, requestHash)
		if err != nil {
			return "", false, err
		}
		return id, true, nil
	}
	return id, false, nil
}

// dossierSequence is the sequence of a year's dossier ids (yearlyNumber's).
func dossierSequence(year int) string { return fmt.Sprintf("dossier_ids_%d", year) }

// keyedSubmission is the dossier id stored for (unit, key); ErrNotFound if
// the key is new, ErrIdempotencyMismatch if it came with another request.
func (s *Store) keyedSubmission(ctx context.Context, unit, key, requestHash string) (string, error) {
	var row struct {
		DossierID   string `db:"dossier_id"`
		RequestHash string `db:"request_hash"`
	}
	err := s.DB.GetContext(ctx, &row,
		`SELECT dossier_id, request_hash FROM idempotency_keys WHERE unit = $1 AND key = $2`, unit, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read idempotency key: %w", err)
	}
	if row.RequestHash != requestHash {
		return "", ErrIdempotencyMismatch
	}
	return row.DossierID, nil
}

// DossierIDCounters is the last dossier number issued in each year (for
// tests and checks); a year whose sequence never issued one is absent.
func (s *Store) DossierIDCounters(ctx context.Context) (map[int]int64, error) {
	var rows []struct {
		Name string `db:"sequencename"`
		Last int64  `db:"last_value"`
	}
	err := s.DB.SelectContext(ctx, &rows, `
SELECT sequencename, last_value FROM pg_sequences
WHERE schemaname = current_schema() AND sequencename ~ '^dossier_ids_[0-9]{4}$' AND last_value IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read dossier id counters: %w", err)
	}
	out := map[int]int64{}
	for _, r := range rows {
		var year int
		if _, err := fmt.Sscanf(r.Name, "dossier_ids_%d", &year); err == nil {
			out[year] = r.Last
		}
	}
	return out, nil
}
