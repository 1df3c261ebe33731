package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = app.MaxIdempotencyKey

// maxComment is the longest comment of an action, in characters.
const (
	maxComment = app.MaxComment
	maxName    = app.MaxName
)

// DefaultLimit and MaxLimit bound list pages.
const (
	DefaultLimit = app.DefaultLimit
	MaxLimit     = app.MaxLimit
)

// itemsOf is the body of every list answer.
type itemsOf[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func etag(v domain.View) string { return etagOf(v.Version) }

func etagOf(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func (s *Server) awards(c *gin.Context) {
	c.JSON(http.StatusOK, itemsOf[domain.Award]{Items: s.app.Awards()})
}

// submit creates a dossier (POST /api/v1/dossiers).
func (s *Server) submit(c *gin.Context) {
	a := mustActor(c)
	if !a.Has(domain.RoleUnit) {
		fail(c, http.StatusForbidden, "only a unit may submit a dossier")
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if fe := app.CheckIdempotencyKey(key); fe != nil {
		invalid(c, *fe)
		return
	}
	var sub domain.Submission
	if !decodeJSON(c, &sub, false) {
		return
	}
	v, existed, err := s.app.Submit(c.Request.Context(), a, key, sub)
	if err != nil {
		s.answer(c, err)
		return
	}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	c.Header("Location", "/api/v1/dossiers/"+url.PathEscape(v.ID))
	c.Header("ETag", etag(v))
	c.JSON(status, v)
}

// get answers GET /api/v1/dossiers/{id}.
func (s *Server) get(c *gin.Context) {
	a := mustActor(c)
	ctx := c.Request.Context()
	if inm := c.GetHeader("If-None-Match"); inm != "" {
		ver, err := s.app.DossierVersion(ctx, a, c.Param("id"))
		if err != nil {
			s.answer(c, err)
			return
		}
		tag := etagOf(ver)
		if inm == tag || inm == "W/"+tag || inm == "*" {
			c.Header("ETag", tag)
			c.Header("Cache-Control", "private, no-cache")
			c.Status(http.StatusNotModified)
			return
		}
	}
	v, err := s.app.Dossier(ctx, a, c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	// registration: the finding of a title dossier without (or with) a
	// registration for its year; absent for an award that is no title.
	reg, err := s.app.RegistrationFinding(ctx, v)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("ETag", etag(v))
	c.Header("Cache-Control", "private, no-cache")
	if reg == nil {
		c.JSON(http.StatusOK, v)
		return
	}
	c.JSON(http.StatusOK, dossierWithRegistration{View: v, Registration: reg})
}

// dossierWithRegistration is a dossier's view with its registration
// finding beside its own fields.
type dossierWithRegistration struct {
	domain.View
	Registration *app.RegistrationCheck `json:"registration"`
}

// history answers GET /api/v1/dossiers/{id}/history: {"items": [...]}.
func (s *Server) history(c *gin.Context) {
	h, err := s.app.History(c.Request.Context(), mustActor(c), c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, itemsOf[domain.HistoryEntry]{Items: h})
}

// list answers GET /api/v1/dossiers.
func (s *Server) list(c *gin.Context) {
	f, fe := app.ParseListQuery(c.Request.URL.Query())
	if len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	items := app.NewJSONItems()
	defer items.Release()
	next, err := s.app.ListJSON(c.Request.Context(), mustActor(c), f, items)
	if err != nil {
		s.answer(c, err)
		return
	}
	writeItems(c, items, next)
}

// tasks answers GET /api/v1/tasks: the caller's inbox.
func (s *Server) tasks(c *gin.Context) {
	limit := MaxLimit
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxLimit {
			invalid(c, domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
			return
		}
		limit = n
	}
	items := app.NewJSONItems()
	defer items.Release()
	if err := s.app.InboxJSON(c.Request.Context(), mustActor(c), limit, items); err != nil {
		s.answer(c, err)
		return
	}
	writeItems(c, items, "")
}
