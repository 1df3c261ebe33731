package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
)

// actionBody is the body of POST /api/v1/dossiers/{id}/actions/{action}.
type actionBody struct {
	Comment string                `json:"comment"`
	Missing []domain.DocumentKind `json:"missing"`
	Approve *bool                 `json:"approve"`
	Number  string                `json:"number"`
	Date    string                `json:"date"`
	Member  string                `json:"member"`
}

// parseIfMatch reads If-Match: `"<version>"` gives the version the client
// expects, `*` or no header none (0). Anything else is malformed (ok false),
// answered 400: a client that means to guard its action must not be told
// the action went through unguarded.
func parseIfMatch(h string) (int64, bool) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return 0, true
	}
	if len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
		return 0, false
	}
	n, err := strconv.ParseInt(h[1:len(h)-1], 10, 64)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// ifMatch reads the request's If-Match (parseIfMatch), answering 400
// itself, and false, when it is malformed.
func ifMatch(c *gin.Context) (int64, bool) {
	want, ok := parseIfMatch(c.GetHeader("If-Match"))
	if !ok {
		fail(c, http.StatusBadRequest, `If-Match must be "<version>" as given in the ETag, or *`)
	}
	return want, ok
}

// act takes an action on a dossier: POST /api/v1/dossiers/{id}/actions/{action}.
func (s *Server) act(c *gin.Context) {
	action := domain.Action(c.Param("action"))
	if err := app.KnownAction(action); err != nil {
		s.answer(c, err)
		return
	}
	want, ok := ifMatch(c)
	if !ok {
		return
	}
	var b actionBody
	if !decodeJSON(c, &b, true) {
		return
	}
	v, err := s.app.Act(c.Request.Context(), mustActor(c), c.Param("id"), app.ActionRequest{Action: action,
		Comment: b.Comment, Missing: b.Missing, Approve: b.Approve, Number: b.Number, Date: b.Date, Member: b.Member, IfMatch: want})
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("ETag", etag(v))
	c.JSON(http.StatusOK, v)
}
