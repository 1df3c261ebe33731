package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Eligibility and discipline-review holds (API.md, Wave 2; issue 13).

// eligibility: GET /api/v1/dossiers/{id}/eligibility (who can see the
// dossier): the findings, and whether one is a hard refusal.
func (s *Server) eligibility(c *gin.Context) {
	el, err := s.app.Eligibility(c.Request.Context(), mustActor(c), c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, el)
}

// commentBody is a body that carries a comment.
type commentBody struct {
	Comment string `json:"comment"`
}

// overruleEligibility: POST /api/v1/dossiers/{id}/eligibility/overrule
// (officer), {"comment"}: proceed against the advice; the comment lands in
// the history. 200 with the dossier.
func (s *Server) overruleEligibility(c *gin.Context) {
	want, ok := ifMatch(c)
	if !ok {
		return
	}
	var b commentBody
	if !decodeJSON(c, &b, false) {
		return
	}
	v, err := s.app.OverruleEligibility(c.Request.Context(), mustActor(c), c.Param("id"), b.Comment, want)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// holdBody is the body of PUT and DELETE /api/v1/holds/{person_key}.
type holdBody struct {
	Reason string `json:"reason"`
}

// listHolds: GET /api/v1/holds (officer, admin): the holds standing.
func (s *Server) listHolds(c *gin.Context) {
	hs, err := s.app.Holds(c.Request.Context(), mustActor(c))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": hs})
}

// setHold: PUT /api/v1/holds/{person_key} (officer), {"reason"} required.
func (s *Server) setHold(c *gin.Context) {
	var b holdBody
	if !decodeJSON(c, &b, false) {
		return
	}
	h, err := s.app.SetHold(c.Request.Context(), mustActor(c), c.Param("person_key"), b.Reason)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// liftHold: DELETE /api/v1/holds/{person_key} (officer), an optional
// {"reason"}; 204, or 404 when no hold stands.
func (s *Server) liftHold(c *gin.Context) {
	var b holdBody
	if !decodeJSON(c, &b, true) {
		return
	}
	if err := s.app.LiftHold(c.Request.Context(), mustActor(c), c.Param("person_key"), b.Reason); err != nil {
		s.answer(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
