package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"tdkt/app"
)

// Council sessions (API.md, Wave 2): one secret ballot per member on a
// whole agenda.

func sessionETag(v app.Session) string { return `"` + strconv.FormatInt(v.Version, 10) + `"` }

// openSession: POST /api/v1/council-sessions (secretary).
func (s *Server) openSession(c *gin.Context) {
	var r app.SessionRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	v, existed, err := s.app.OpenSessionKeyed(c.Request.Context(), mustActor(c), c.GetHeader("Idempotency-Key"), r)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Location", "/api/v1/council-sessions/"+url.PathEscape(v.ID))
	c.Header("ETag", sessionETag(v))
	c.JSON(created(existed), v)
}

// listSessions: GET /api/v1/council-sessions[?status=open|closed].
func (s *Server) listSessions(c *gin.Context) {
	vs, err := s.app.ListSessions(c.Request.Context(), mustActor(c), c.Query("status"), app.MaxLimit)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": vs, "next_cursor": ""})
}

// getSession: GET /api/v1/council-sessions/{id}.
func (s *Server) getSession(c *gin.Context) {
	s.session(c, func() (app.Session, error) {
		return s.app.Session(c.Request.Context(), mustActor(c), c.Param("id"))
	}, http.StatusOK)
}

// changeAgenda: POST /api/v1/council-sessions/{id}/agenda (secretary).
func (s *Server) changeAgenda(c *gin.Context) {
	var r app.AgendaRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	s.session(c, func() (app.Session, error) {
		return s.app.ChangeAgenda(c.Request.Context(), mustActor(c), c.Param("id"), r)
	}, http.StatusOK)
}

// castBallot: POST /api/v1/council-sessions/{id}/ballots (council).
func (s *Server) castBallot(c *gin.Context) {
	var r app.BallotRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	s.session(c, func() (app.Session, error) {
		return s.app.CastBallot(c.Request.Context(), mustActor(c), c.Param("id"), r)
	}, http.StatusCreated)
}

// recordOpinion: POST /api/v1/council-sessions/{id}/written-opinions
// (secretary).
func (s *Server) recordOpinion(c *gin.Context) {
	var r app.BallotRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	s.session(c, func() (app.Session, error) {
		return s.app.RecordOpinion(c.Request.Context(), mustActor(c), c.Param("id"), r)
	}, http.StatusCreated)
}

// closeSession: POST /api/v1/council-sessions/{id}/actions/close
// (secretary).
func (s *Server) closeSession(c *gin.Context) {
	s.session(c, func() (app.Session, error) {
		return s.app.CloseSession(c.Request.Context(), mustActor(c), c.Param("id"))
	}, http.StatusOK)
}

// session answers with the session a use case gave, or its error.
func (s *Server) session(c *gin.Context, do func() (app.Session, error), status int) {
	v, err := do()
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("ETag", sessionETag(v))
	c.JSON(status, v)
}

// sessionMinutes: GET /api/v1/council-sessions/{id}/minutes, the PDF, or
// the minutes as JSON with Accept: application/json.
func (s *Server) sessionMinutes(c *gin.Context) {
	m, pdf, err := s.app.SessionMinutes(c.Request.Context(), mustActor(c), c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	if strings.Contains(c.GetHeader("Accept"), "application/json") {
		c.JSON(http.StatusOK, m)
		return
	}
	c.Header("Content-Disposition", app.ContentDisposition("attachment", "bien-ban-"+m.ID+".pdf"))
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// created is the status of a creation: 201, or 200 for a repeat of one
// (the same Idempotency-Key and request).
func created(existed bool) int {
	if existed {
		return http.StatusOK
	}
	return http.StatusCreated
}
