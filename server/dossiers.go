package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/workflows"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 128

// Length limits of submission fields, in characters.
const (
	maxCode    = 64
	maxName    = 300
	maxPeriod  = 100
	maxSummary = 20000
	maxComment = 10000
)

// itemsOf is the body of every list answer.
type itemsOf[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// present completes a view for the caller: allowed_actions, and empty
// arrays rather than null. voted is whether the caller is known to have
// voted on it; nil asks the read model when it matters.
func (s *Server) present(c *gin.Context, a domain.Actor, v domain.View, voted *bool) domain.View {
	hasVoted := false
	switch {
	case voted != nil:
		hasVoted = *voted
	case a.Has(domain.RoleCouncil) && v.Stage == domain.Council && v.Votes != nil && v.Votes.Yes == nil:
		ok, err := s.store.HasVoted(c.Request.Context(), v.ID, a.ID)
		if err != nil {
			// Offer nothing rather than a vote that would be refused.
			s.log.Warn("has voted", "request_id", requestID(c), "dossier", v.ID, "error", err)
			ok = true
		}
		hasVoted = ok
	}
	v.AllowedActions = v.AllowedFor(a, hasVoted)
	if v.AllowedActions == nil {
		v.AllowedActions = []domain.Action{}
	}
	if v.Documents == nil {
		v.Documents = []domain.Document{}
	}
	if v.MissingDocuments == nil {
		v.MissingDocuments = []domain.DocumentKind{}
	}
	return v
}

func etag(v domain.View) string { return `"` + strconv.FormatInt(v.Version, 10) + `"` }

// visibleDossier reads dossier id and checks the caller may see it; it
// answers the request itself (404, 503) and returns false otherwise.
func (s *Server) visibleDossier(c *gin.Context, a domain.Actor) (domain.View, bool) {
	id := c.Param("id")
	if !validID(id) {
		fail(c, http.StatusNotFound, "no such dossier")
		return domain.View{}, false
	}
	v, err := s.store.GetDossier(c.Request.Context(), id)
	if err != nil {
		s.storeError(c, "read dossier", err)
		return domain.View{}, false
	}
	if !visible(a, v.Unit) {
		fail(c, http.StatusNotFound, "no such dossier")
		return domain.View{}, false
	}
	return v, true
}

// validID accepts the shape of a dossier or document id, so that garbage
// never reaches the database.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	return validRequestID(id)
}

func (s *Server) awards(c *gin.Context) {
	c.JSON(http.StatusOK, itemsOf[domain.Award]{Items: domain.Catalogue})
}

// submitBody is the submission as it comes over the wire.
type submitBody = domain.Submission

// submit creates a dossier (POST /api/v1/dossiers).
func (s *Server) submit(c *gin.Context) {
	a := mustActor(c)
	if !a.Has(domain.RoleUnit) {
		fail(c, http.StatusForbidden, "only a unit may submit a dossier")
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if fe := checkIdempotencyKey(key); fe != nil {
		invalid(c, *fe)
		return
	}
	var sub submitBody
	if !decodeJSON(c, &sub, false) {
		return
	}
	if sub.Procedure == "" {
		sub.Procedure = domain.ProcedureRegular
	}
	if fes := checkSubmissionText(sub); len(fes) > 0 {
		invalid(c, fes...)
		return
	}
	if err := domain.ValidateSubmission(sub); err != nil {
		refused(c, err)
		return
	}
	canonical, err := json.Marshal(sub)
	if err != nil {
		s.internal(c, "hash submission", err)
		return
	}
	sum := sha256.Sum256(canonical)
	year := s.now().In(domain.Local).Year()
	id, existed, err := s.store.ReserveSubmission(c.Request.Context(), a.Unit, key, hex.EncodeToString(sum[:]), year)
	if errors.Is(err, ErrIdempotencyMismatch) {
		invalid(c, domain.FieldError{Field: "Idempotency-Key", Message: "was already used by this unit for a different submission"})
		return
	}
	if err != nil {
		s.internal(c, "reserve submission", err)
		return
	}

	ctx, cancel := temporalCtx(c)
	defer cancel()
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.DossierWorkflowID(id),
		TaskQueue:                s.cfg.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.DossierWorkflowName, workflows.DossierInput{ID: id, Submission: sub, By: a, Policy: s.policy})
	var v domain.View
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   workflows.DossierWorkflowID(id),
			UpdateName:   workflows.UpdateSync,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = h.Get(ctx, &v)
	}
	if err != nil {
		// A repeat of a dossier whose workflow has already finished: the
		// start is refused as a duplicate; the read model has it.
		var dup *serviceerror.WorkflowExecutionAlreadyStarted
		var nf *serviceerror.NotFound
		if existed && (errors.As(err, &dup) || errors.As(err, &nf)) {
			v, err = s.store.GetDossier(c.Request.Context(), id)
		}
		if err != nil {
			s.temporalError(c, id, "submit", err)
			return
		}
	}
	v = s.present(c, a, v, new(bool))
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	c.Header("Location", "/api/v1/dossiers/"+url.PathEscape(id))
	c.Header("ETag", etag(v))
	c.JSON(status, v)
}

func checkIdempotencyKey(key string) *domain.FieldError {
	if len(key) > MaxIdempotencyKey {
		return &domain.FieldError{Field: "Idempotency-Key", Message: "must be at most 128 characters"}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return &domain.FieldError{Field: "Idempotency-Key", Message: "must be printable ASCII without spaces"}
		}
	}
	return nil
}

func checkSubmissionText(sub domain.Submission) []domain.FieldError {
	var out []domain.FieldError
	for _, f := range []struct {
		field, value string
		max          int
	}{
		{"award_code", sub.AwardCode, maxCode}, {"kind", string(sub.Kind), maxCode},
		{"procedure", string(sub.Procedure), maxCode}, {"campaign", sub.Campaign, maxPeriod},
		{"achievement_period", sub.AchievementPeriod, maxPeriod},
		{"nominee.type", string(sub.Nominee.Type), maxCode}, {"nominee.name", sub.Nominee.Name, maxName},
		{"nominee.position", sub.Nominee.Position, maxName}, {"nominee.organization", sub.Nominee.Organization, maxName},
		{"summary", sub.Summary, maxSummary},
	} {
		if fe := checkText(f.field, f.value, f.max); fe != nil {
			out = append(out, *fe)
		}
	}
	return out
}

// get answers GET /api/v1/dossiers/{id}.
func (s *Server) get(c *gin.Context) {
	a := mustActor(c)
	v, ok := s.visibleDossier(c, a)
	if !ok {
		return
	}
	tag := etag(v)
	c.Header("ETag", tag)
	c.Header("Cache-Control", "private, no-cache")
	if inm := c.GetHeader("If-None-Match"); inm != "" && (inm == tag || inm == "W/"+tag || inm == "*") {
		c.Status(http.StatusNotModified)
		return
	}
	c.JSON(http.StatusOK, s.present(c, a, v, nil))
}

// history answers GET /api/v1/dossiers/{id}/history: {"items": [...]}.
func (s *Server) history(c *gin.Context) {
	a := mustActor(c)
	v, ok := s.visibleDossier(c, a)
	if !ok {
		return
	}
	h, err := s.store.History(c.Request.Context(), v.ID)
	if err != nil {
		s.storeError(c, "read history", err)
		return
	}
	if h == nil {
		h = []domain.HistoryEntry{}
	}
	c.JSON(http.StatusOK, itemsOf[domain.HistoryEntry]{Items: h})
}

// DefaultLimit and MaxLimit bound list pages.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// parseListQuery validates the query of GET /api/v1/dossiers.
func parseListQuery(q url.Values) (ListFilter, []domain.FieldError) {
	f := ListFilter{Limit: DefaultLimit}
	var fe []domain.FieldError
	bad := func(field, msg string) { fe = append(fe, domain.FieldError{Field: field, Message: msg}) }
	text := func(field string, max int) string {
		v := q.Get(field)
		if !utf8.ValidString(v) {
			bad(field, "must be valid UTF-8")
			return ""
		}
		if e := checkText(field, v, max); e != nil {
			fe = append(fe, *e)
			return ""
		}
		return strings.TrimSpace(v)
	}
	if v := text("stage", maxCode); v != "" {
		if !domain.Stage(v).Valid() {
			bad("stage", "unknown stage")
		}
		f.Stage = v
	}
	if v := text("status", maxCode); v != "" {
		known := false
		for _, st := range domain.Statuses {
			known = known || string(st) == v
		}
		if !known {
			bad("status", "must be one of active, awarded, rejected, withdrawn, cancelled")
		}
		f.Status = v
	}
	if v := text("award", maxCode); v != "" {
		if _, ok := domain.AwardByCode(v); !ok {
			bad("award", "unknown award code")
		}
		f.Award = v
	}
	f.Unit = text("unit", maxCode)
	f.Campaign = text("campaign", maxPeriod)
	f.Q = text("q", maxName)
	if q.Has("overdue") {
		switch q.Get("overdue") {
		case "true":
			f.Overdue = true
		case "false":
		default:
			bad("overdue", "must be true or false")
		}
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > MaxLimit {
			bad("limit", "must be a whole number from 1 to 200")
		} else {
			f.Limit = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		if len(c) > 512 || !utf8.ValidString(c) {
			bad("cursor", "is not a cursor this API gave out")
		} else {
			f.Cursor = c
		}
	}
	return f, fe
}

// list answers GET /api/v1/dossiers. A unit-scoped caller only ever sees its
// own unit: a filter naming another unit finds nothing.
func (s *Server) list(c *gin.Context) {
	a := mustActor(c)
	f, fe := parseListQuery(c.Request.URL.Query())
	if len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	if unitScoped(a) {
		if f.Unit != "" && f.Unit != a.Unit {
			c.JSON(http.StatusOK, itemsOf[domain.View]{Items: []domain.View{}})
			return
		}
		f.Unit = a.Unit
	}
	views, next, err := s.store.ListDossiers(c.Request.Context(), f)
	if errors.Is(err, ErrBadCursor) {
		invalid(c, domain.FieldError{Field: "cursor", Message: "is not a cursor this API gave out"})
		return
	}
	if err != nil {
		s.storeError(c, "list dossiers", err)
		return
	}
	s.items(c, a, views, next)
}

// tasks answers GET /api/v1/tasks: the caller's inbox.
func (s *Server) tasks(c *gin.Context) {
	a := mustActor(c)
	limit := MaxLimit
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxLimit {
			invalid(c, domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
			return
		}
		limit = n
	}
	views, err := s.store.Inbox(c.Request.Context(), a, limit)
	if err != nil {
		s.storeError(c, "inbox", err)
		return
	}
	// The inbox lists a council-stage dossier to a council member only while
	// that member has not voted, so there is nothing to ask the read model;
	// a secretary also sees the ones the member has voted on.
	var voted *bool
	if !a.Has(domain.RoleSecretary) {
		voted = new(bool)
	}
	s.itemsVoted(c, a, views, "", voted)
}

func (s *Server) items(c *gin.Context, a domain.Actor, views []domain.View, next string) {
	s.itemsVoted(c, a, views, next, nil)
}

func (s *Server) itemsVoted(c *gin.Context, a domain.Actor, views []domain.View, next string, voted *bool) {
	out := make([]domain.View, 0, len(views))
	for _, v := range views {
		if !visible(a, v.Unit) { // belt and braces: never leak another unit's dossier
			continue
		}
		out = append(out, s.present(c, a, v, voted))
	}
	c.JSON(http.StatusOK, itemsOf[domain.View]{Items: out, NextCursor: next})
}
