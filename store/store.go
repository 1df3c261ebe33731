// Package store is the read model of dossiers in PostgreSQL: the projection
// the dossier workflow writes, the queries the API reads (one dossier, its
// history, lists, the inbox), submission ids and idempotency keys, decision
// and proposal numbers, and uploaded documents. Migrations are embedded.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the "postgres" driver
)

var (
	// ErrNotFound is a dossier or document that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge is an upload longer than the limit; nothing was stored.
	ErrTooLarge = errors.New("document too large")
	// ErrIdempotencyMismatch is an Idempotency-Key a unit already used for a
	// different request.
	ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")
	// ErrBadCursor is a list cursor this store did not hand out.
	ErrBadCursor = errors.New("bad cursor")
)

// Store is the read model.
type Store struct {
	DB *sqlx.DB
}

// Open connects to PostgreSQL at url and checks that it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxLifetime(30 * time.Minute)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &Store{DB: db}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.DB.Close() }

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// inTx runs f in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
