package app

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
)

// The kinds of refusal a use case gives beyond domain's: each front door
// maps every kind to one answer (an HTTP status, a message on a page).
const (
	ErrMalformed   domain.ErrorKind = "malformed"              // 400: the request itself is broken
	ErrTooLarge    domain.ErrorKind = "too_large"              // 413
	ErrUnsupported domain.ErrorKind = "unsupported_media_type" // 415: a document type not accepted
	ErrUnavailable domain.ErrorKind = "unavailable"            // 503: Temporal or the database did not answer
	ErrInternal    domain.ErrorKind = "internal"               // 500
)

// Error is a use case's refusal or failure. Nothing changed when one is
// returned. Detail is the English sentence the JSON API has always given;
// front doors for people translate with Vietnamese.
type Error struct {
	Kind   domain.ErrorKind
	Detail string
	// Stage is the dossier's current stage, on a refusal about one.
	Stage  domain.Stage
	Fields []domain.FieldError
	// Missing are the required kinds of document a dossier lacks, on a
	// refusal for incompleteness.
	Missing []domain.DocumentKind
	// Action is the action refused, when there is one (for the translation).
	Action domain.Action
	// What says what was being done, and Err the cause, for internal and
	// unavailable errors (logged, never shown).
	What string
	Err  error
	// Labels, when set, name the fields for people where the general names
	// (FieldNames) would be ambiguous: "code" of a unit, of a campaign.
	Labels map[string]string
	// VI, when set, is the sentence people are shown (a refusal whose
	// translation the use case knows best, such as a council session's).
	VI string
	// FieldsVI, when set, are the fields as people are shown them (messages
	// the use case words itself, naming another dossier, say).
	FieldsVI []domain.FieldError
	// Rows are the refused rows of a spreadsheet import, and RowsRefused
	// how many rows were refused (Rows lists at most MaxReportedRows).
	Rows        []RowError
	RowsRefused int
	// Import marks a refused spreadsheet: its field messages and rows are
	// already in Vietnamese, for the people who fix the file.
	Import bool
	// Recorded, on an unavailable error, says Temporal recorded the
	// transition but the read model does not show it yet (it will, within
	// seconds): the client must read before repeating it.
	Recorded bool
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.What, e.Err)
	}
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Kind, e.Detail)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("%s: %s (%s)", e.Kind, e.Detail, strings.Join(parts, "; "))
}

func (e *Error) Unwrap() error { return e.Err }

// AsError gives err as an *Error: a refusal as it is, anything else as an
// internal or unavailable failure.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return failure("request", err)
}

func refusal(kind domain.ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

func invalid(fields ...domain.FieldError) *Error {
	return &Error{Kind: domain.ErrInvalid, Detail: "some fields are not valid", Fields: fields}
}

// failure is a failure of a backing service during what: unavailable when
// the service could not be reached, internal otherwise.
func failure(what string, err error) *Error {
	if Unavailable(err) {
		return &Error{Kind: ErrUnavailable, Detail: "a backing service (Temporal or the database) is unreachable; retry shortly", What: what, Err: err}
	}
	return &Error{Kind: ErrInternal, Detail: "internal error", What: what, Err: err}
}

// fromDomain turns a domain refusal into a use case error, in the words the
// API has always used: a 409's or 412's detail names the current stage, a
// 404 says only "no such dossier", a 422 always names a field.
func fromDomain(e *domain.Error, action domain.Action) *Error {
	out := &Error{Kind: e.Kind, Detail: e.Detail, Stage: e.Stage, Fields: e.Fields, Missing: e.Missing, Action: action}
	switch e.Kind {
	case domain.ErrConflict, domain.ErrStale:
		if e.Stage != "" && !strings.Contains(out.Detail, string(e.Stage)) {
			out.Detail += " (stage " + string(e.Stage) + ")"
		}
	case domain.ErrNotFound:
		out.Detail = "no such dossier"
	case domain.ErrInvalid:
		if len(out.Fields) == 0 {
			out.Fields = []domain.FieldError{{Field: "body", Message: e.Detail}}
		}
	}
	return out
}

// Unavailable reports whether err means Temporal or PostgreSQL could not be
// reached (or did not answer in time): the client should retry.
func Unavailable(err error) bool {
	var (
		unavail   *serviceerror.Unavailable
		deadline  *serviceerror.DeadlineExceeded
		exhausted *serviceerror.ResourceExhausted
		notReady  *serviceerror.WorkflowNotReady
		nsUnavail *serviceerror.NamespaceUnavailable
		canceled  *serviceerror.Canceled
		updTO     *client.WorkflowUpdateServiceTimeoutOrCanceledError
		netErr    net.Error
		opErr     *net.OpError
		sqlState  interface{ SQLState() string }
	)
	switch {
	case errors.As(err, &unavail), errors.As(err, &deadline), errors.As(err, &exhausted),
		errors.As(err, &notReady), errors.As(err, &nsUnavail), errors.As(err, &canceled), errors.As(err, &updTO):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, net.ErrClosed):
		return true
	case errors.As(err, &opErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &sqlState):
		// Class 08: connection exception; 57P: operator intervention
		// (shutdown, cannot connect now); 53: insufficient resources.
		s := sqlState.SQLState()
		return len(s) >= 2 && (s[:2] == "08" || s[:2] == "53" || (len(s) >= 3 && s[:3] == "57P"))
	}
	return false
}

// HTTPStatus is the HTTP status of each kind of use case error, the same
// for both front doors; 0 for a kind it does not know.
func HTTPStatus(k domain.ErrorKind) int {
	switch k {
	case domain.ErrForbidden:
		return http.StatusForbidden
	case domain.ErrNotFound:
		return http.StatusNotFound
	case domain.ErrConflict:
		return http.StatusConflict
	case domain.ErrStale:
		return http.StatusPreconditionFailed
	case domain.ErrInvalid:
		return http.StatusUnprocessableEntity
	case ErrMalformed:
		return http.StatusBadRequest
	case ErrTooLarge:
		return http.StatusRequestEntityTooLarge
	case ErrUnsupported:
		return http.StatusUnsupportedMediaType
	case ErrUnavailable:
		return http.StatusServiceUnavailable
	case ErrInternal:
		return http.StatusInternalServerError
	}
	return 0
}

// labelled gives a refusal the names of its fields for people.
func labelled(err error, labels map[string]string) error {
	var e *Error
	if errors.As(err, &e) && e.Labels == nil {
		c := *e
		c.Labels = labels
		return &c
	}
	return err
}
