package server

import (
	"context"
	"io"

	"tdkt/domain"
	"tdkt/store"
)

// ReadModel is what the API reads from (and reserves in) PostgreSQL: the
// subset of the store it uses, so that handler tests can fake it.
type ReadModel interface {
	Ping(ctx context.Context) error
	ReserveSubmission(ctx context.Context, unit, key, requestHash string, year int) (id string, existed bool, err error)
	GetDossier(ctx context.Context, id string) (domain.View, error)
	History(ctx context.Context, id string) ([]domain.HistoryEntry, error)
	ListDossiers(ctx context.Context, f ListFilter) ([]domain.View, string, error)
	Inbox(ctx context.Context, a domain.Actor, limit int) ([]domain.View, error)
	HasVoted(ctx context.Context, dossierID, memberID string) (bool, error)
	PutDocument(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64) (domain.Document, error)
	DeleteDocument(ctx context.Context, docID string) error
	OpenDocument(ctx context.Context, dossierID, docID string) (domain.Document, io.ReadCloser, error)
}

// ListFilter is a list query, validated by the handler.
type ListFilter = store.ListFilter

// The read model's refusals.
var (
	ErrNotFound            = store.ErrNotFound
	ErrTooLarge            = store.ErrTooLarge
	ErrBadCursor           = store.ErrBadCursor
	ErrIdempotencyMismatch = store.ErrIdempotencyMismatch
)

var _ ReadModel = (*store.Store)(nil)
