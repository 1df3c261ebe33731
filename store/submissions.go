package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ReserveSubmission gives a new submission its dossier id, HS-<year>-<NNNNNN>
// counting from 1 each year. With an Idempotency-Key, a unit's repeat of the
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
	lost := false
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int64
		if err := tx.GetContext(ctx, &n, `
INSERT INTO dossier_ids (year, last) VALUES ($1, 1)
ON CONFLICT (year) DO UPDATE SET last = dossier_ids.last + 1
RETURNING last`, year); err != nil {
			return fmt.Errorf("allocate a dossier id for %d: %w", year, err)
		}
		id = fmt.Sprintf("HS-%d-%06d", year, n)
		if idempotencyKey == "" {
			return nil
		}
		var got string
		err := tx.GetContext(ctx, &got, `
INSERT INTO idempotency_keys (unit, key, request_hash, dossier_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (unit, key) DO NOTHING RETURNING dossier_id`, unit, idempotencyKey, requestHash, id)
		if errors.Is(err, sql.ErrNoRows) {
			// The same key arrived concurrently and won: give back our id.
			lost = true
			return errLostRace
		}
		if err != nil {
			return fmt.Errorf("store idempotency key: %w", err)
		}
		return nil
	})
	if lost {
		id, err := s.keyedSubmission(ctx, unit, idempotencyKey, requestHash)
		if err != nil {
			return "", false, err
		}
		return id, true, nil
	}
	if err != nil {
		return "", false, err
	}
	return id, false, nil
}

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
