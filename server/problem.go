package server

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/workflows"
)

// Problem is an RFC 9457 problem document, the body of every 4xx and 5xx.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []domain.FieldError `json:"errors,omitempty"`
	// Stage is the dossier's current stage, on a 409 about one.
	Stage     domain.Stage `json:"stage,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// ProblemContentType is the media type of error bodies.
const ProblemContentType = "application/problem+json"

// RetryAfterSeconds is what a 503 asks the client to wait.
const RetryAfterSeconds = 5

// problemTypes names each status's problem type; clients may switch on it.
var problemTypes = map[int]string{
	http.StatusBadRequest:            "malformed",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusPreconditionFailed:    "stale",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusInternalServerError:   "internal",
	http.StatusServiceUnavailable:    "unavailable",
}

// problem writes a problem document and aborts the handler chain.
func problem(c *gin.Context, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Type == "" {
		slug, ok := problemTypes[p.Status]
		if !ok {
			slug = strconv.Itoa(p.Status)
		}
		p.Type = "urn:tdkt:problem:" + slug
	}
	if p.Detail == "" {
		p.Detail = p.Title
	}
	p.RequestID = requestID(c)
	if p.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", strconv.Itoa(RetryAfterSeconds))
	}
	if p.Status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="tdkt"`)
	}
	c.Header("Cache-Control", "no-store")
	c.Render(p.Status, problemRender{p})
	c.Abort()
}

func fail(c *gin.Context, status int, format string, args ...any) {
	problem(c, Problem{Status: status, Detail: fmt.Sprintf(format, args...)})
}

func invalid(c *gin.Context, fields ...domain.FieldError) {
	problem(c, Problem{Status: http.StatusUnprocessableEntity, Detail: "some fields are not valid", Errors: fields})
}

// statusOf is the HTTP status of each refusal kind.
var statusOf = map[domain.ErrorKind]int{
	domain.ErrForbidden: http.StatusForbidden,
	domain.ErrNotFound:  http.StatusNotFound,
	domain.ErrConflict:  http.StatusConflict,
	domain.ErrStale:     http.StatusPreconditionFailed,
	domain.ErrInvalid:   http.StatusUnprocessableEntity,
}

// refused writes a domain refusal.
func refused(c *gin.Context, e *domain.Error) {
	status, ok := statusOf[e.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	p := Problem{Status: status, Detail: e.Detail, Errors: e.Fields}
	if status == http.StatusConflict || status == http.StatusPreconditionFailed {
		p.Stage = e.Stage
		// API.md: a 409's detail names the current stage.
		if e.Stage != "" && !strings.Contains(p.Detail, string(e.Stage)) {
			p.Detail += " (stage " + string(e.Stage) + ")"
		}
	}
	if status == http.StatusNotFound {
		p.Detail = "no such dossier"
	}
	if status == http.StatusUnprocessableEntity && len(p.Errors) == 0 {
		p.Errors = []domain.FieldError{{Field: "body", Message: e.Detail}}
	}
	problem(c, p)
}

// unavailable reports whether err means Temporal or PostgreSQL could not be
// reached (or did not answer in time): the client should retry.
func unavailable(err error) bool {
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

// internal logs err with the request id and answers 500, or 503 when the
// cause is an unreachable dependency.
func (s *Server) internal(c *gin.Context, what string, err error) {
	if unavailable(err) {
		s.log.Warn("dependency unavailable", "request_id", requestID(c), "during", what, "error", err)
		fail(c, http.StatusServiceUnavailable, "a backing service (Temporal or the database) is unreachable; retry shortly")
		return
	}
	s.log.Error("request failed", "request_id", requestID(c), "during", what, "error", err)
	fail(c, http.StatusInternalServerError, "internal error; quote request id %s", requestID(c))
}

// storeError answers a read-model error.
func (s *Server) storeError(c *gin.Context, what string, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		fail(c, http.StatusNotFound, "no such dossier")
	default:
		s.internal(c, what, err)
	}
}

// temporalError answers an error from an update of dossier id: a refusal
// becomes its 4xx; a workflow that is gone becomes 404 (no such dossier) or
// 409 naming the stage the dossier finished in.
func (s *Server) temporalError(c *gin.Context, id, what string, err error) {
	if e, ok := workflows.AsRefusal(err); ok {
		refused(c, e)
		return
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		v, gerr := s.store.GetDossier(c.Request.Context(), id)
		if gerr != nil {
			s.storeError(c, what, gerr)
			return
		}
		if v.Stage.Terminal() {
			problem(c, Problem{Status: http.StatusConflict, Stage: v.Stage,
				Detail: fmt.Sprintf("the dossier is %s; no further actions are possible", v.Stage)})
			return
		}
		s.log.Error("dossier workflow missing", "request_id", requestID(c), "dossier", id, "stage", v.Stage, "error", err)
		problem(c, Problem{Status: http.StatusConflict, Stage: v.Stage,
			Detail: fmt.Sprintf("the dossier (stage %s) is no longer running; ask an administrator", v.Stage)})
		return
	}
	s.internal(c, what, err)
}
