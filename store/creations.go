package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeyedCreation is the id that actor's creation of kind (a council session,
// a batch) under Idempotency-Key key gave; ErrNotFound if the key is new,
// ErrIdempotencyMismatch if it came with another request.
func (s *Store) KeyedCreation(ctx context.Context, kind, actor, key, requestHash string) (string, error) {
	var row struct {
		ID          string `db:"id"`
		RequestHash string `db:"request_hash"`
	}
	err := s.DB.GetContext(ctx, &row, `SELECT id, request_hash FROM creation_keys WHERE kind = $1 AND actor = $2 AND key = $3`,
		kind, cleanText(actor), storableKey(key))
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read creation key: %w", err)
	}
	if row.RequestHash != requestHash {
		return "", ErrIdempotencyMismatch
	}
	return row.ID, nil
}

// ReserveCreation stores key for id, unless the same key arrived
// concurrently and won: then the winner's id is the answer (or
// ErrIdempotencyMismatch, if it came with another request).
func (s *Store) ReserveCreation(ctx context.Context, kind, actor, key, requestHash, id string) (string, error) {
	var got []string
	err := s.DB.SelectContext(ctx, &got, `
INSERT INTO creation_keys (kind, actor, key, request_hash, id) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (kind, actor, key) DO NOTHING RETURNING id`, kind, cleanText(actor), storableKey(key), requestHash, cleanText(id))
	if err != nil {
		return "", fmt.Errorf("store creation key: %w", err)
	}
	if len(got) == 0 {
		return s.KeyedCreation(ctx, kind, actor, key, requestHash)
	}
	return id, nil
}

// storableKey keeps a key of raw bytes as hex, so distinct keys stay
// distinct.
func storableKey(key string) string {
	if !storable(key) {
		return "hex:" + hex.EncodeToString([]byte(key))
	}
	return key
}
