package server

import (
	"tdkt/app"
	"tdkt/store"
)

// ReadModel is what the API reads from (and reserves in) PostgreSQL: the
// application layer's read model, so that handler tests can fake it.
type ReadModel = app.ReadModel

// ListFilter is a list query, validated by the handler.
type ListFilter = store.ListFilter

// The read model's refusals.
var (
	ErrNotFound            = store.ErrNotFound
	ErrTooLarge            = store.ErrTooLarge
	ErrBadCursor           = store.ErrBadCursor
	ErrIdempotencyMismatch = store.ErrIdempotencyMismatch
	ErrExists              = store.ErrExists
)
