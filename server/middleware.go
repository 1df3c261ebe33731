package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"tdkt/app"
	"tdkt/auth"
	"tdkt/domain"
)

const (
	// RequestIDHeader carries the request id, in and out.
	RequestIDHeader = "X-Request-ID"
	ctxRequestID    = "tdkt.request_id"
	ctxActor        = "tdkt.actor"
)

// validRequestID accepts an incoming id of at most 64 characters of
// [A-Za-z0-9-_.]; anything else is replaced, so that logs stay clean.
func validRequestID(s string) bool { return app.ValidID(s) }

func withRequestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if !validRequestID(id) {
		id = uuid.NewString()
	}
	c.Set(ctxRequestID, id)
	c.Header(RequestIDHeader, id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// accessLog writes one line per request.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", route,
		"path", c.Request.URL.Path, "status", c.Writer.Status(),
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "bytes", c.Writer.Size()}
	if a, ok := actorOf(c); ok {
		attrs = append(attrs, "user", a.ID)
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.log.Log(c.Request.Context(), level, "http request", attrs...)
}

// recoverer turns a panic into a logged 500 problem.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("panic", "request_id", requestID(c), "panic", r, "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				fail(c, http.StatusInternalServerError, "internal error; quote request id %s", requestID(c))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// authenticate verifies the bearer token and puts the actor in the context.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		fail(c, http.StatusUnauthorized, "a bearer token is required")
		return
	}
	a, err := s.verifier.Verify(token)
	if err != nil {
		if !errors.Is(err, auth.ErrUnauthenticated) {
			s.log.Warn("token verification", "request_id", requestID(c), "error", err)
		}
		fail(c, http.StatusUnauthorized, "the bearer token is not valid")
		return
	}
	c.Set(ctxActor, a)
	c.Next()
}

func actorOf(c *gin.Context) (domain.Actor, bool) {
	v, ok := c.Get(ctxActor)
	if !ok {
		return domain.Actor{}, false
	}
	a, ok := v.(domain.Actor)
	return a, ok
}

func mustActor(c *gin.Context) domain.Actor { a, _ := actorOf(c); return a }

// problemRender renders a problem document with its media type.
type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return json.NewEncoder(w).Encode(r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ProblemContentType)
}

// MaxQueryBytes bounds a request's query string; no filter needs more.
const MaxQueryBytes = 8 << 10

// strictQuery refuses a query string that is too long (414) or does not parse
// (400): url.Values silently drops a pair it cannot decode, which would turn
// a malformed filter into no filter at all.
func strictQuery(c *gin.Context) {
	raw := c.Request.URL.RawQuery
	if len(raw) > MaxQueryBytes {
		fail(c, http.StatusRequestURITooLong, "the query string is longer than %d bytes", MaxQueryBytes)
		return
	}
	if _, err := url.ParseQuery(raw); err != nil {
		fail(c, http.StatusBadRequest, "the query string is malformed: %v", err)
		return
	}
	c.Next()
}
