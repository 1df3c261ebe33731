package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/workflows"
)

// actionBody is the body of POST /api/v1/dossiers/{id}/actions/{action}.
type actionBody struct {
	Comment string                `json:"comment"`
	Missing []domain.DocumentKind `json:"missing"`
	Approve *bool                 `json:"approve"`
	Number  string                `json:"number"`
	Date    string                `json:"date"`
}

// maxMissing bounds the missing list of a return.
const maxMissing = 32

func (b actionBody) check() []domain.FieldError {
	var fe []domain.FieldError
	if e := checkText("comment", b.Comment, maxComment); e != nil {
		fe = append(fe, *e)
	}
	if e := checkText("number", b.Number, maxCode); e != nil {
		fe = append(fe, *e)
	}
	if e := checkText("date", b.Date, maxCode); e != nil {
		fe = append(fe, *e)
	}
	if len(b.Missing) > maxMissing {
		fe = append(fe, domain.FieldError{Field: "missing", Message: "lists too many document kinds"})
	}
	return fe
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

// act takes an action on a dossier: POST /api/v1/dossiers/{id}/actions/{action}.
func (s *Server) act(c *gin.Context) {
	a := mustActor(c)
	action := domain.Action(c.Param("action"))
	if !domain.IsPublicAction(action) {
		fail(c, http.StatusNotFound, "no such action %q", c.Param("action"))
		return
	}
	want, ok := parseIfMatch(c.GetHeader("If-Match"))
	if !ok {
		fail(c, http.StatusBadRequest, `If-Match must be "<version>" as given in the ETag, or *`)
		return
	}
	var b actionBody
	if !decodeJSON(c, &b, true) {
		return
	}
	if fe := b.check(); len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	v, ok := s.visibleDossier(c, a)
	if !ok {
		return
	}
	// Someone whose roles never allow the action is refused whatever the
	// stage, even once the dossier has finished and its workflow is closed.
	if !domain.MayEver(a, action) {
		fail(c, http.StatusForbidden, "your roles may not %s a dossier", action)
		return
	}
	// The read model never runs ahead of the workflow: a version older than
	// the stored one is stale for sure, and needs no round trip. (Only where
	// the action is otherwise allowed, so that the answer is the workflow's.)
	if want != 0 && want < v.Version && slices.Contains(v.AllowedFor(a, false), action) {
		problem(c, Problem{Status: http.StatusPreconditionFailed, Stage: v.Stage,
			Detail: fmt.Sprintf("the dossier is at version %d, not %d", v.Version, want)})
		return
	}
	cmd := domain.Command{Action: action, Actor: a, Comment: b.Comment, Missing: b.Missing, Approve: b.Approve,
		Number: strings.TrimSpace(b.Number), Date: strings.TrimSpace(b.Date), ExpectedVersion: want}
	ctx, cancel := temporalCtx(c)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.DossierWorkflowID(v.ID),
		UpdateName:   workflows.UpdateName(action),
		Args:         []interface{}{cmd},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var nv domain.View
	if err == nil {
		err = h.Get(ctx, &nv)
	}
	if err != nil {
		s.temporalError(c, v.ID, string(action), err)
		return
	}
	var voted *bool
	if action == domain.ActVote {
		t := true
		voted = &t
	}
	nv = s.present(c, a, nv, voted)
	c.Header("ETag", etag(nv))
	c.JSON(http.StatusOK, nv)
}
