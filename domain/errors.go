package domain

import (
	"fmt"
	"strings"
)

// ErrorKind says why a request was refused; the API maps each kind to one
// HTTP status, the workflow to one Temporal application error type.
type ErrorKind string

const (
	ErrForbidden ErrorKind = "forbidden" // 403: the role may not do this
	ErrNotFound  ErrorKind = "not_found" // 404: no such dossier, or not the caller's
	ErrConflict  ErrorKind = "conflict"  // 409: not allowed in the current stage, second vote
	ErrStale     ErrorKind = "stale"     // 412: If-Match does not match the version
	ErrInvalid   ErrorKind = "invalid"   // 422: a field is wrong
)

// ErrorKinds lists every kind.
var ErrorKinds = []ErrorKind{ErrForbidden, ErrNotFound, ErrConflict, ErrStale, ErrInvalid}

// FieldError names one wrong field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a refusal. Nothing changes when one is returned.
type Error struct {
	Kind   ErrorKind    `json:"kind"`
	Detail string       `json:"detail"`
	Stage  Stage        `json:"stage,omitempty"`
	Fields []FieldError `json:"errors,omitempty"`
	// Missing are the required kinds of document a dossier lacks, on a
	// refusal for incompleteness.
	Missing []DocumentKind `json:"missing_documents,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Kind, e.Detail)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("%s: %s (%s)", e.Kind, e.Detail, strings.Join(parts, "; "))
}

func refuse(kind ErrorKind, stage Stage, format string, args ...any) *Error {
	return &Error{Kind: kind, Stage: stage, Detail: fmt.Sprintf(format, args...)}
}

// Invalid builds a 422 refusal from field errors.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: ErrInvalid, Detail: "some fields are not valid", Fields: fields}
}
