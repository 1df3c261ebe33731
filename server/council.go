package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"tdkt/domain"
)

// The council's roster (issue 12's follow-up): who the members are, for
// the minutes and the written opinions.

// memberBody is the body of PUT /api/v1/council-members/{id}.
type memberBody struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Order    int    `json:"order"`
}

// listCouncilMembers: GET /api/v1/council-members (everyone but a unit).
func (s *Server) listCouncilMembers(c *gin.Context) {
	ms, err := s.app.CouncilRoster(c.Request.Context(), mustActor(c))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, itemsOf[domain.CouncilMember]{Items: ms})
}

// putCouncilMember: PUT /api/v1/council-members/{id} (admin): 201 when
// added, 200 when changed.
func (s *Server) putCouncilMember(c *gin.Context) {
	var b memberBody
	if !decodeJSON(c, &b, false) {
		return
	}
	m, created, err := s.app.PutCouncilMember(c.Request.Context(), mustActor(c), c.Param("id"),
		domain.CouncilMember{Name: b.Name, Position: b.Position, Order: b.Order})
	if err != nil {
		s.answer(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, m)
}

// removeCouncilMember: DELETE /api/v1/council-members/{id} (admin): 204,
// or 404 when not on the roster.
func (s *Server) removeCouncilMember(c *gin.Context) {
	if err := s.app.RemoveCouncilMember(c.Request.Context(), mustActor(c), c.Param("id")); err != nil {
		s.answer(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
