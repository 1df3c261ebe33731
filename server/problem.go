package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
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

// statusOf is the HTTP status of each kind of use case error.
var statusOf = map[domain.ErrorKind]int{
	domain.ErrForbidden: http.StatusForbidden,
	domain.ErrNotFound:  http.StatusNotFound,
	domain.ErrConflict:  http.StatusConflict,
	domain.ErrStale:     http.StatusPreconditionFailed,
	domain.ErrInvalid:   http.StatusUnprocessableEntity,
	app.ErrMalformed:    http.StatusBadRequest,
	app.ErrTooLarge:     http.StatusRequestEntityTooLarge,
	app.ErrUnsupported:  http.StatusUnsupportedMediaType,
	app.ErrUnavailable:  http.StatusServiceUnavailable,
	app.ErrInternal:     http.StatusInternalServerError,
}

// answer writes the error of a use case: a refusal as its 4xx, a failure
// of a backing service as 503 (unreachable) or 500, logged with the
// request id.
func (s *Server) answer(c *gin.Context, err error) {
	e := app.AsError(err)
	switch e.Kind {
	case app.ErrInternal, app.ErrUnavailable:
		s.internal(c, e.What, e.Err)
		return
	case app.ErrTooLarge:
		s.tooLarge(c)
		return
	}
	status, ok := statusOf[e.Kind]
	if !ok {
		s.internal(c, "unknown refusal "+string(e.Kind), e)
		return
	}
	p := Problem{Status: status, Detail: e.Detail, Errors: e.Fields}
	if status == http.StatusConflict || status == http.StatusPreconditionFailed {
		p.Stage = e.Stage
	}
	problem(c, p)
}

// internal logs err with the request id and answers 500, or 503 when the
// cause is an unreachable dependency.
func (s *Server) internal(c *gin.Context, what string, err error) {
	if app.Unavailable(err) {
		s.log.Warn("dependency unavailable", "request_id", requestID(c), "during", what, "error", err)
		fail(c, http.StatusServiceUnavailable, "a backing service (Temporal or the database) is unreachable; retry shortly")
		return
	}
	s.log.Error("request failed", "request_id", requestID(c), "during", what, "error", err)
	fail(c, http.StatusInternalServerError, "internal error; quote request id %s", requestID(c))
}
