package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"tdkt/domain"
	"tdkt/store"
)

// keyedStore is the read model's half of Idempotency-Keys on creations
// other than submissions (a council session, a batch).
type keyedStore interface {
	KeyedCreation(ctx context.Context, kind, actor, key, requestHash string) (string, error)
	ReserveCreation(ctx context.Context, kind, actor, key, requestHash, id string) (string, error)
}

var _ keyedStore = (*store.Store)(nil)

// creationKey is one creation's Idempotency-Key: earlier is the id an
// earlier request with it created ("" if none).
type creationKey struct {
	s                      *Service
	kind, actor, key, hash string
	earlier                string
}

// keyed looks key up for a's creation of kind with request req. No key: a
// creation like any other.
func (s *Service) keyed(ctx context.Context, kind string, a domain.Actor, key string, req any) (*creationKey, error) {
	k := &creationKey{s: s, kind: kind, actor: a.ID, key: key}
	if key == "" {
		return k, nil
	}
	if fe := CheckIdempotencyKey(key); fe != nil {
		return nil, invalid(*fe)
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, failure("hash the request", err)
	}
	sum := sha256.Sum256(raw)
	k.hash = hex.EncodeToString(sum[:])
	ks, ok := s.store.(keyedStore)
	if !ok {
		return nil, failure("idempotency keys", errors.New("this read model keeps no creation keys"))
	}
	id, err := ks.KeyedCreation(ctx, kind, a.ID, key, k.hash)
	switch {
	case errors.Is(err, store.ErrIdempotencyMismatch):
		return nil, invalid(domain.FieldError{Field: "Idempotency-Key", Message: "was already used by you for a different request"})
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, failure("read idempotency key", err)
	}
	k.earlier = id
	return k, nil
}

// reserve stores the key for id before anything is created; it gives the
// id of a concurrent request with the same key that won instead.
func (k *creationKey) reserve(ctx context.Context, id string) (string, error) {
	if k.key == "" {
		return id, nil
	}
	got, err := k.s.store.(keyedStore).ReserveCreation(ctx, k.kind, k.actor, k.key, k.hash, id)
	if errors.Is(err, store.ErrIdempotencyMismatch) {
		return "", invalid(domain.FieldError{Field: "Idempotency-Key", Message: "was already used by you for a different request"})
	}
	if err != nil {
		return "", failure("store idempotency key", err)
	}
	return got, nil
}
